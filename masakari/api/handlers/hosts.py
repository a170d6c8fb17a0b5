"""Hosts of a failover segment: /v1/segments/{segment_id}/hosts, and the
recovery preview of one (microversion 1.4)."""

from masakari.api import common
from masakari.api.handlers import segments
from masakari.api.schemas import hosts as schemas
from masakari.api import validation
from masakari.ha import hosts as ha
from masakari.ha import preview as ha_preview
from masakari.ha import segments as ha_segments
from masakari.policies import hosts as rules
from masakari import policy
from masakari import utils


def view(host):
    return {
        'id': host.id,
        'uuid': host.uuid,
        'name': host.name,
        'failover_segment_id': host.failover_segment_id,
        'failover_segment': segments.view(host.failover_segment),
        'type': host.type,
        'reserved': host.reserved,
        'control_attributes': host.control_attributes,
        'on_maintenance': host.on_maintenance,
        'created_at': utils.isotime(host.created_at),
        'updated_at': utils.isotime(host.updated_at),
        'deleted_at': utils.isotime(host.deleted_at),
        'deleted': bool(host.deleted),
    }


def index(req, segment_id):
    policy.authorize(req.context, rules.INDEX)
    segment = ha_segments.get(req.context, segment_id)
    filters = common.exact_filters(req.params,
                                   ('type', 'name', 'control_attributes'))
    for name in ('on_maintenance', 'reserved'):
        if name in req.params:
            filters[name] = common.bool_filter(req.params, name)
    list_params = common.list_params(req)
    if common.matches_nothing(filters):
        return 200, {'hosts': []}
    hosts = ha.get_all(req.context, segment.uuid, filters, **list_params)
    return 200, {'hosts': [view(h) for h in hosts]}


def show(req, segment_id, host_id):
    policy.authorize(req.context, rules.DETAIL)
    return 200, {'host': view(ha.get(req.context, segment_id, host_id))}


def create(req, segment_id):
    validation.validate(schemas.create, req.data)
    policy.authorize(req.context, rules.CREATE)
    data = req.data['host']
    values = {
        'name': data['name'],
        'type': data['type'],
        'control_attributes': data['control_attributes'],
        'reserved': utils.strict_bool(data.get('reserved', False)),
        'on_maintenance': utils.strict_bool(data.get('on_maintenance',
                                                     False)),
    }
    host = ha.create(req.context, segment_id, values)
    return 201, {'host': view(host)}


def update(req, segment_id, host_id):
    validation.validate(schemas.update, req.data)
    policy.authorize(req.context, rules.UPDATE)
    values = dict(req.data['host'])
    for name in ('reserved', 'on_maintenance'):
        if name in values:
            values[name] = utils.strict_bool(values[name])
    host = ha.update(req.context, segment_id, host_id, values)
    return 200, {'host': view(host)}


def delete(req, segment_id, host_id):
    policy.authorize(req.context, rules.DELETE)
    ha.delete(req.context, segment_id, host_id)
    return 204, None


def recovery_preview(req, segment_id, host_id):
    """What a recovery of the host would do now (nothing is changed)."""
    policy.authorize(req.context, rules.RECOVERY_PREVIEW)
    found = ha_preview.preview(req.context, segment_id, host_id)
    return 200, {'recovery_preview': preview_view(found)}


def preview_view(found):
    service, segment = found.service, found.segment
    return {
        'host': {'uuid': found.host.uuid, 'name': found.host.name,
                 'reserved': found.host.reserved,
                 'on_maintenance': found.host.on_maintenance},
        'segment': {'uuid': segment.uuid, 'name': segment.name,
                    'recovery_method': segment.recovery_method,
                    'enabled': bool(segment.enabled)},
        'fencing': {'fenced_first': found.fencing.fenced_first,
                    'driver': found.fencing.driver,
                    'kdump_wait_seconds': found.fencing.kdump_wait,
                    'error': found.fencing.error},
        'compute_service': {
            'status': service.status, 'state': service.state,
            'forced_down': service.forced_down,
            'evacuable_now': found.service_plan.evacuable_now,
            'engine_action': found.service_plan.action,
            'message': found.service_plan.message},
        'targets': [{'method': target.method,
                     'reserved_hosts': list(target.reserved_hosts),
                     'message': target.message}
                    for target in found.targets],
        'waits_for_higher_priority': found.waits_for_higher_priority,
        'evacuation_groups': [[_preview_instance(item) for item in group]
                              for group in found.groups],
        'skipped': [dict(_preview_server(server), reason=reason)
                    for server, reason in found.skipped],
        'warnings': list(found.warnings),
    }


def _preview_server(server):
    return {'id': server.id, 'name': server.name, 'status': server.status,
            'vm_state': server.vm_state, 'task_state': server.task_state}


def _preview_instance(item):
    plan = item.plan
    return dict(_preview_server(item.server),
                ha_enabled=item.ha_enabled, priority=item.priority,
                reset_to_error=plan.reset_to_error,
                stop_after=plan.stop_after,
                restore_error=plan.restore_error,
                notes=list(item.notes))
