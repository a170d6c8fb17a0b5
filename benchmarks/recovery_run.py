"""One recovery, measured: build the failing host, fail it (or let its
BMC's power-off fail it), post the host monitor's notification, wait for
Nova to have every instance ACTIVE elsewhere, and read back the times and
the costs.

Two clocks run: from the host failure (the moment the compute stops in
the simulator: the admin API's ``fail`` call, or the BMC's power-off in
the fenced row) and from the POST of the notification. Both stop at the
last instance ACTIVE on another host as the simulator's evacuation
records have it.
"""

import datetime
import math
import time
import uuid

from benchmarks import recovery_settings
from masakari.compute import resources


def parse_time(text):
    """A Nova, simulator or API timestamp (UTC, ISO 8601, with or without
    microseconds or zone) as POSIX seconds."""
    return resources.nova_time(text).replace(
        tzinfo=datetime.timezone.utc).timestamp()


def build(cloud, n, tag, target_hosts=4):
    """The failing host with N HA instances, spare capacity elsewhere, and
    the segment holding them all; returns (source, server ids)."""
    source = 'bench-%s-src' % tag
    cloud.sim('POST', '/hosts', {'name': source, 'vcpus': n + 8,
                                 'memory_mb': (n + 8) * 512})
    targets = ['bench-%s-t%d' % (tag, i) for i in range(target_hosts)]
    for name in targets:
        cloud.sim('POST', '/hosts', {'name': name, 'vcpus': 4096,
                                     'memory_mb': 4096 * 512})
    created = cloud.sim('POST', '/servers', {
        'host': source, 'count': n, 'vcpus': 1, 'memory_mb': 512,
        'name_prefix': 'bench-%s-vm' % tag,
        'metadata': {'HA_Enabled': 'True'}})
    segment = cloud.api('POST', '/segments', {'segment': {
        'name': 'bench-%s' % tag, 'recovery_method': 'auto',
        'service_type': 'COMPUTE'}})['segment']
    for name in [source] + targets:
        cloud.api('POST', '/segments/%s/hosts' % segment['uuid'],
                  {'host': {'name': name, 'type': 'COMPUTE',
                            'control_attributes': 'benchmark'}})
    return source, [s['id'] for s in created['servers']]


def host_failure(source):
    return {'notification': {
        'type': 'COMPUTE_HOST', 'hostname': source,
        'generated_time': datetime.datetime.utcnow().isoformat(),
        'payload': {'event': 'STOPPED', 'host_status': 'NORMAL',
                    'cluster_status': 'OFFLINE'}}}


def wait_recovered(cloud, source, ids, timeout, started):
    """Poll the simulator until no instance is left on the failed host;
    returns the time it was seen (seconds after ``started``)."""
    wanted = set(ids)
    deadline = time.monotonic() + timeout
    while True:
        left = [s for s in cloud.sim('GET', '/servers?host=%s' % source)[
            'servers'] if s['id'] in wanted]
        seen = time.monotonic() - started
        if not left:
            return seen
        if time.monotonic() > deadline:
            raise RuntimeError('%d instance(s) still on %s after %ss'
                               % (len(left), source, timeout))
        # Polling costs the simulator; poll fast only near the end.
        time.sleep(min(0.05 + 0.001 * len(left), 0.5))


def wait_notification(cloud, uuid_, timeout):
    deadline = time.monotonic() + timeout
    while True:
        status = cloud.api('GET', '/notifications/%s' % uuid_)[
            'notification']['status']
        if status in ('finished', 'failed', 'ignored', 'error'):
            return status
        if time.monotonic() > deadline:
            raise RuntimeError('notification %s still %s' % (uuid_, status))
        time.sleep(0.1)


def check_servers(cloud, source, ids):
    """Problems with the outcome, as Nova (the simulator) has it."""
    problems = []
    for server_id in ids:
        info = cloud.sim('GET', '/servers/%s' % server_id)
        if (info['host'] == source or info['status'] != 'ACTIVE' or
                info['evacuations'] != 1):
            problems.append('%s: %s on %s, %d evacuations' % (
                server_id, info['status'], info['host'],
                info['evacuations']))
    return problems


def slot_handoffs(done, accepted, p):
    """Seconds from each evacuation's end in Nova to the start of the
    evacuation that took its slot: the k-th end frees a slot for the
    (k + P)-th start. Zero overhead would make them all zero."""
    return [accepted[k + p] - done[k]
            for k in range(min(len(done), len(accepted) - p))]


def _costs(cloud, probes, before, n):
    """Per recovered instance: CPU of each process, Nova API requests (by
    route too), database rows written."""
    out = {}
    requests_after = cloud.sim('GET', '/requests')['requests']
    by_route = {route: count - before['requests'].get(route, 0)
                for route, count in requests_after.items()
                if count > before['requests'].get(route, 0)}
    out['nova_requests'] = by_route
    out['nova_requests_per_instance'] = sum(by_route.values()) / n
    if probes is None:
        return out
    out['rss_peak'] = probes.stop()
    out['rss_idle'] = before['rss']
    out['cpu_ms_per_instance'] = {
        name: 1000 * (value - before['cpu'][name]) / n
        for name, value in probes.cpu().items()}
    time.sleep(1.0)  # PostgreSQL publishes its statistics lazily
    written = probes.rows_written()
    if written is not None and before['rows'] is not None:
        out['rows_written_per_instance'] = (written - before['rows']) / n
    return out


def _baseline(cloud, probes):
    before = {'requests': cloud.sim('GET', '/requests')['requests']}
    if probes is not None:
        time.sleep(1.0)  # the build's rows into PostgreSQL's statistics
        before.update(rss=probes.rss(), cpu=probes.cpu(),
                      rows=probes.rows_written())
        probes.start()
    return before


def _fail(cloud, source, setting, fencing):
    """Fail the host now, or (fenced) leave it to its BMC's power-off;
    returns the wall time of the failure, or the BMC."""
    if setting.fenced:
        return fencing.add(source, cloud.simulator_url)
    failed = time.time()
    cloud.sim('POST', '/hosts/%s/fail' % source)
    return failed


def run_once(cloud, n, p, duration, probes=None, setting=None,
             fencing=None, quick=False):
    """One recovery of N instances in ``setting`` (default: ideal); a dict
    of measurements."""
    setting = setting or recovery_settings.SETTINGS[0]
    tag = uuid.uuid4().hex[:6]
    settings = cloud.sim('PUT', '/settings',
                         setting.simulator_settings(duration, quick))
    source, ids = build(cloud, n, tag, recovery_settings.TARGET_HOSTS)
    before = _baseline(cloud, probes)
    failure = _fail(cloud, source, setting, fencing)
    posted_wall = time.time()
    started = time.monotonic()
    notification = cloud.api('POST', '/notifications', host_failure(source),
                             ok=(202,))['notification']
    rough = setting.lower_bound(n, p, duration, settings)
    timeout = 3 * rough + 120
    polled = wait_recovered(cloud, source, ids, timeout, started)
    status = wait_notification(cloud, notification['notification_uuid'],
                               timeout)
    engine_done = time.monotonic() - started
    costs = _costs(cloud, probes, before, n)
    fence = None
    if setting.fenced:
        bmc = failure
        failure, fence = bmc.failed_at, fencing.fence_seconds(bmc)
        fencing.remove(source)
    result = analyse(cloud, notification, ids, n, p, duration, posted_wall)
    result.update(costs)
    from_failure = (result['seconds'] + posted_wall - failure
                    if result['seconds'] is not None and failure else None)
    bound = setting.lower_bound(n, p, duration, settings, fence)
    measured = from_failure if setting.clock == 'failure' else \
        result['seconds']
    result.update({
        'setting': setting.name, 'status': status,
        'polled_seconds': polled, 'notification_finished_seconds':
            engine_done,
        'seconds_from_failure': from_failure,
        'failure_before_post': (posted_wall - failure) if failure else None,
        'fence_seconds': fence, 'lower_bound': bound,
        'target_seconds': setting.target(n, p, duration, settings, fence),
        'bound_clock': setting.clock,
        'ratio': measured / bound if measured else None,
        'problems': check_servers(cloud, source, ids)})
    return result


def analyse(cloud, notification, ids, n, p, duration, posted_wall):
    """Times from the simulator's evacuation records and the engine's
    vmoves, relative to the POST (``posted_wall``)."""
    wanted = set(ids)
    migrations = [m for m in cloud.sim('GET', '/migrations')['migrations']
                  if m['server_id'] in wanted and m['status'] == 'done']
    vmoves = cloud.api('GET', '/notifications/%s/vmoves?limit=%d' % (
        notification['notification_uuid'], n + 10))['vmoves']
    done_at = {m['server_id']: parse_time(m['updated_at'])
               for m in migrations}
    accepted = [parse_time(m['created_at']) for m in migrations]
    lags = [parse_time(v['end_time']) - done_at[v['instance_uuid']]
            for v in vmoves
            if v['end_time'] and v['instance_uuid'] in done_at]
    in_nova = [parse_time(m['updated_at']) - parse_time(m['created_at'])
               for m in migrations]
    handoffs = slot_handoffs(sorted(done_at.values()), sorted(accepted), p)
    last_active = max(done_at.values()) - posted_wall if done_at else None
    first_evacuation = min(accepted) - posted_wall if accepted else None
    rounds = math.ceil(n / p)
    return {
        'n': n, 'p': p, 'evacuate_seconds': duration,
        'seconds': last_active,
        'before_first_evacuation': first_evacuation,
        # Engine time per round beyond L: what a slot loses per instance.
        'overhead_per_instance': (
            (last_active - first_evacuation) / rounds - duration
            if last_active else None),
        'detect_lag_mean': sum(lags) / len(lags) if lags else None,
        'detect_lag_max': max(lags) if lags else None,
        # How long Nova (the simulator) really took: L plus its lateness.
        'evacuation_in_nova_mean': (sum(in_nova) / len(in_nova)
                                    if in_nova else None),
        # From the first to the P-th evacuation request: the first wave.
        'first_wave_seconds': (sorted(accepted)[min(p, len(accepted)) - 1]
                               - min(accepted) if accepted else None),
        'handoff_mean': sum(handoffs) / len(handoffs) if handoffs else None,
        'handoff_max': max(handoffs) if handoffs else None,
    }
