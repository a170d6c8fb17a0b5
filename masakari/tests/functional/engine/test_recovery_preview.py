"""The recovery preview matches what the recovery then does.

The preview (``masakari.ha.preview``) is taken, then the real recovery
runs against the simulator: the servers it evacuated, in the order Nova
saw the evacuations start, the ones it left, and the host it moved them
to are the preview's.
"""

import pytest

from masakari.ha import preview as ha_preview
from masakari.tests.functional.engine.conftest import vmoves


def _evacuation_starts(cloud, server_ids):
    """{server id: start time of its first evacuate action} of those
    evacuated."""
    starts = {}
    with cloud.state.lock:
        for server_id in server_ids:
            times = [action.start_time for action in
                     cloud.state.servers[server_id].actions
                     if action.action == 'evacuate']
            if times:
                starts[server_id] = min(times)
    return starts


@pytest.mark.parametrize('method,wait', [('auto', False),
                                         ('auto', True),
                                         ('reserved_host', False)])
def test_preview_matches_recovery(cloud, manager, ctx, engine_conf, method,
                                  wait):
    engine_conf.set_override('host_failure_recovery_threads', 1)
    for name, value in (('priority_metadata_key', 'HA_Priority'),
                        ('excluded_name_patterns', ['amphora-*']),
                        ('evacuate_all_instances', False),
                        ('ignore_instances_in_error_state', True)):
        engine_conf.set_override(name, value, 'host_failure')
    if wait:
        engine_conf.set_override('wait_for_higher_priority_segments',
                                 ['previewed'], 'host_failure')
    segment = cloud.segment(method, name='previewed')
    failed = cloud.host(segment, 'c1')
    if method == 'auto':
        cloud.host(segment, 'c2')
    else:
        cloud.host(segment, 'c2', reserved=True)
        cloud.host(segment, 'c3', reserved=True)
    ha = {'HA_Enabled': 'True'}
    everything = []
    # Created lowest priority first: Nova lists them the other way round.
    for level in ('low', None, 'high', 'medium'):
        metadata = dict(ha, HA_Priority=level) if level else ha
        everything += cloud.servers('c1', 2, metadata=metadata)
    everything += cloud.servers('c1', ha=False)
    everything += cloud.state.add_servers('c1', metadata=ha,
                                          name_prefix='amphora')
    everything += cloud.servers('c1', metadata=ha, vm_state='error')
    everything += cloud.servers('c1', metadata=dict(ha, HA_Priority='low'),
                                vm_state='stopped')
    cloud.fail('c1')

    preview = ha_preview.preview(ctx, segment.uuid, failed.uuid)
    planned = [item.server.id for item in preview.instances]
    skipped = {server.id for server, _reason in preview.skipped}
    assert len(planned) == 9 and len(skipped) == 3
    assert len(preview.groups) == (4 if wait else 1)

    uuid = cloud.host_down(failed)
    assert manager.process(ctx, uuid) == 'finished'

    starts = _evacuation_starts(cloud, everything)
    assert sorted(starts, key=starts.get) == planned
    assert {m.instance_uuid for m in vmoves(uuid)} == set(planned)
    assert set(everything) - set(starts) == skipped
    for server_id in skipped:
        assert cloud.where(server_id) == 'c1'
    if method == 'reserved_host':
        (target,) = preview.targets
        first = target.reserved_hosts[0]
        assert {cloud.where(s) for s in planned} == {first}
    else:
        assert [t.method for t in preview.targets] == ['auto']
        assert {cloud.where(s) for s in planned} == {'c2'}
