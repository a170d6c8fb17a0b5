"""The protection check of a segment (microversion 1.5):
GET /v1/segments/{segment_id}/protection[?host_failures=K].

Whether the segment absorbs the loss of any K of its hosts, and per host
which of its instances would not fit elsewhere and why. Nothing changes.
"""

from masakari import exception
from masakari.ha import protection
from masakari.ha import segment_protection
from masakari.policies import segments as rules
from masakari import policy


def show(req, segment_id):
    policy.authorize(req.context, rules.PROTECTION)
    host_failures = _host_failures(req.params)
    try:
        segment, report = segment_protection.check(
            req.context, segment_id, host_failures=host_failures)
    except protection.TooManyFailureSets as exc:
        raise exception.InvalidInput(
            reason='host_failures=%s: %s; check fewer hosts at once'
                   % (host_failures, exc))
    return 200, {'protection': view(segment, report)}


def _host_failures(params):
    if 'host_failures' not in params:
        return None
    value = params['host_failures']
    try:
        number = int(str(value).strip())
    except ValueError:
        raise exception.InvalidInput(
            reason='host_failures must be an integer')
    if number < 1:
        raise exception.InvalidInput(reason='host_failures must be >= 1')
    return number


def view(segment, report):
    return {
        'segment': {'uuid': segment.uuid, 'name': segment.name,
                    'recovery_method': segment.recovery_method,
                    'enabled': bool(segment.enabled)},
        'protected': report.protected,
        'host_failures': report.host_failures,
        'allocation_ratios': {'vcpu': report.ratios.vcpu,
                              'memory': report.ratios.memory,
                              'disk': report.ratios.disk},
        'hosts': [_host(report, host) for host in report.hosts],
        'failure_sets': {
            'checked': report.checked,
            'not_absorbed': [{'hosts': list(outcome.failed),
                              'unplaced': [_unplaced(item) for item in
                                           outcome.unplaced]}
                             for outcome in report.failed_sets]},
        'warnings': list(report.warnings),
    }


def _amount(resources):
    if resources is None:
        return None
    return {'vcpus': resources.vcpus, 'memory_mb': resources.memory_mb,
            'disk_gb': resources.disk_gb}


def _host(report, host):
    outcome = report.single.get(host.name)
    return {
        'name': host.name, 'uuid': host.uuid, 'reserved': host.reserved,
        'on_maintenance': host.on_maintenance,
        'target': protection.refusal(host) is None,
        'not_target_reason': protection.refusal(host),
        'capacity': _amount(report.capacity(host)),
        'used': _amount(host.used),
        'free': _amount(report.free(host)),
        'instances': len(host.instances),
        # None: a host on maintenance is never recovered.
        'fits': None if outcome is None else outcome.fits,
        'unplaced': [] if outcome is None else [
            _unplaced(item) for item in outcome.unplaced],
    }


def _unplaced(item):
    instance = item.instance
    need = instance.need
    return {'id': instance.id, 'name': instance.name, 'host': item.host,
            'priority': instance.priority,
            'vcpus': None if need is None else need.vcpus,
            'memory_mb': None if need is None else need.memory_mb,
            'disk_gb': None if need is None else need.disk_gb,
            'reason': item.reason, 'message': item.message}
