"""Exclusions and restart order in a host recovery, as Nova sees them."""

import pytest

from masakari.tests.fixtures.assertions import assert_evacuated_once
from masakari.tests.functional.engine.conftest import notification
from masakari.tests.functional.engine.conftest import vmoves


def _prepare_messages(manager, ctx, uuid):
    row = notification(uuid)
    for entry in manager.get_notification_recovery_workflow_details(
            ctx, {'notification_uuid': uuid,
                  'failover_segment_uuid': row.failover_segment_uuid}):
        if entry['name'] == 'PrepareHAEnabledInstancesTask':
            return [item['message'] for item in entry['progress_details']]
    return []


def test_excluded_servers_are_left_untouched(cloud, manager, ctx,
                                             engine_conf):
    conf = {'excluded_metadata_keys': ['masakari_exclude'],
            'excluded_projects': ['octavia-project'],
            'excluded_name_patterns': ['amphora-*']}
    for name, value in conf.items():
        engine_conf.set_override(name, value, 'host_failure')
    segment = cloud.segment('auto')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    ha = {'HA_Enabled': 'True'}
    moved = cloud.servers('c1', 2, ha=True)
    flagged = cloud.servers('c1', metadata=dict(ha, masakari_exclude='1'))
    amphora = cloud.servers('c1', metadata=ha, name_prefix='amphora')
    owned = cloud.servers('c1', metadata=ha, tenant_id='octavia-project')
    cloud.fail('c1')
    uuid = cloud.host_down(failed)

    assert manager.process(ctx, uuid) == 'finished'

    assert_evacuated_once([cloud.info(s) for s in moved], 'c1')
    for server_id in flagged + amphora + owned:
        assert cloud.where(server_id) == 'c1'
        assert cloud.evacuations(server_id) == 0
    assert {m.instance_uuid for m in vmoves(uuid)} == set(moved)
    messages = _prepare_messages(manager, ctx, uuid)
    for server_id, reason in ((flagged[0], 'its metadata masakari_exclude '
                                           'is set'),
                              (amphora[0], 'its name matches amphora-*'),
                              (owned[0], 'its project octavia-project is '
                                         'excluded')):
        assert any(message.startswith("Skipping instance '%s'" % server_id)
                   and message.endswith('it is excluded from evacuation: '
                                        + reason) for message in messages)


def _evacuation_starts(cloud, server_ids):
    starts = {}
    with cloud.state.lock:
        for server_id in server_ids:
            server = cloud.state.servers[server_id]
            starts[server_id] = min(action.start_time for action in
                                    server.actions
                                    if action.action == 'evacuate')
    return starts


@pytest.mark.parametrize('wait', [False, True])
def test_higher_priorities_are_evacuated_first(cloud, manager, ctx,
                                               engine_conf, simulator, wait):
    """Seen in Nova's instance actions: no lower priority's evacuation
    starts before a higher one's; with the segment waiting, none starts
    before every higher one is ACTIVE again."""
    simulator.state.configure(evacuate_duration=0.3)
    engine_conf.set_override('host_failure_recovery_threads', 2)
    engine_conf.set_override('priority_metadata_key', 'HA_Priority',
                             'host_failure')
    if wait:
        engine_conf.set_override('wait_for_higher_priority_segments',
                                 ['ordered'], 'host_failure')
    segment = cloud.segment('auto', name='ordered')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    levels = {}
    # Created lowest first, so the listing order is the wrong one.
    for level in ('low', 'medium', 'high'):
        levels[level] = cloud.servers('c1', 2, metadata={
            'HA_Enabled': 'True', 'HA_Priority': level})
    cloud.fail('c1')

    assert manager.process(ctx, cloud.host_down(failed)) == 'finished'

    everything = [s for ids in levels.values() for s in ids]
    assert_evacuated_once([cloud.info(s) for s in everything], 'c1')
    starts = _evacuation_starts(cloud, everything)
    high, medium, low = ([starts[s] for s in levels[level]]
                         for level in ('high', 'medium', 'low'))
    assert max(high) <= min(medium) and max(medium) <= min(low)
    if wait:
        # Each level began after the previous one had all finished.
        with cloud.state.lock:
            ended = {s: max(m.updated_at for m in cloud.state.migrations
                            if m.server_id == s)
                     for s in everything}
        assert max(ended[s] for s in levels['high']) <= min(medium)
        assert max(ended[s] for s in levels['medium']) <= min(low)
