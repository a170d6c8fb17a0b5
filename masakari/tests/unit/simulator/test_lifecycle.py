"""Evacuation, power and boot transitions over time, on CloudState."""

import pytest

from masakari.simulator import errors
from masakari.simulator import flavors
from masakari.simulator import lifecycle
from masakari.simulator import states
from masakari.tests.unit.simulator.helpers import caller, make_cloud


@pytest.fixture
def cloud():
    state = make_cloud()
    yield state
    state.stop()


def server(state, server_id):
    return state.servers[server_id]


def test_evacuate_refused_while_source_service_up(cloud):
    sid = cloud.add_server('c1')
    with pytest.raises(errors.BadRequest) as info:
        lifecycle.evacuate(cloud, sid, caller(cloud))
    assert info.value.message == 'Compute service of c1 is still in use.'
    assert cloud.evacuation_count(sid) == 0


def test_forced_down_allows_evacuation(cloud):
    sid = cloud.add_server('c1')
    cloud.set_forced_down('c1')
    lifecycle.evacuate(cloud, sid, caller(cloud))
    assert cloud.wait_for_idle(2)
    assert cloud.host_of(sid) != 'c1'


def test_evacuation_phases(cloud):
    cloud.configure(evacuate_duration=0.2)
    sid = cloud.add_server('c1')
    cloud.fail_host('c1')
    lifecycle.evacuate(cloud, sid, caller(cloud))
    record = server(cloud, sid)
    assert (record.vm_state, record.task_state) == ('active', 'rebuilding')
    assert record.status == 'REBUILD'
    assert record.host == 'c1' and record.target_host in ('c2', 'c3')
    assert cloud.wait_for(lambda s: record.task_state == 'rebuild_spawning',
                          timeout=1)
    assert record.host == 'c1'
    assert cloud.wait_for_idle(2)
    assert (record.vm_state, record.task_state, record.power_state) == (
        'active', None, states.RUNNING)
    assert record.host in ('c2', 'c3') and record.target_host is None
    assert cloud.evacuation_count(sid) == 1
    [migration] = cloud.evacuations(sid)
    assert (migration['source'], migration['dest'], migration['status']) == (
        'c1', record.host, 'done')


def test_host_lag_clears_the_task_before_the_host_moves(cloud):
    """Nova's order at the end of an evacuation: no task on the old host
    first, then the new host and the record done together."""
    cloud.configure(evacuate_duration=0.05, evacuate_host_lag=0.4)
    sid = cloud.add_server('c1')
    cloud.fail_host('c1')
    lifecycle.evacuate(cloud, sid, caller(cloud))
    record = server(cloud, sid)
    assert cloud.wait_for(lambda s: record.task_state is None, timeout=1)
    assert (record.vm_state, record.host) == ('active', 'c1')
    [migration] = cloud.evacuations(sid)
    assert migration['status'] == 'pre-migrating'
    assert cloud.wait_for_idle(2)
    assert record.host in ('c2', 'c3')
    [migration] = cloud.evacuations(sid)
    assert (migration['dest'], migration['status']) == (record.host, 'done')


def test_service_down_time_delays_down_state():
    now = [100.0]
    cloud = make_cloud(clock=lambda: now[0], service_down_time=0.15)
    try:
        sid = cloud.add_server('c1')
        cloud.fail_host('c1')
        assert cloud.host_info('c1')['state'] == 'up'
        with pytest.raises(errors.BadRequest):
            lifecycle.evacuate(cloud, sid, caller(cloud))
        now[0] += 0.1
        assert cloud.host_info('c1')['state'] == 'up'
        now[0] += 0.1
        assert cloud.host_info('c1')['state'] == 'down'
        lifecycle.evacuate(cloud, sid, caller(cloud))
        assert cloud.wait_for_idle(2)
        assert cloud.host_of(sid) != 'c1'
    finally:
        cloud.stop()


@pytest.mark.parametrize('before, lands_stopped, after, power', [
    ('active', False, 'active', states.RUNNING),
    ('stopped', False, 'stopped', states.SHUTDOWN),
    ('error', False, 'active', states.RUNNING),
    ('active', True, 'stopped', states.SHUTDOWN),
])
def test_vm_state_after_evacuation(cloud, before, lands_stopped, after,
                                   power):
    sid = cloud.add_server('c1', vm_state=before)
    cloud.fail_host('c1')
    lifecycle.evacuate(cloud, sid, caller(cloud),
                       lands_stopped=lands_stopped)
    assert server(cloud, sid).vm_state == before
    assert cloud.wait_for_idle(2)
    record = server(cloud, sid)
    assert (record.vm_state, record.power_state) == (after, power)


def test_evacuate_to_requested_host(cloud):
    sid = cloud.add_server('c1')
    cloud.fail_host('c1')
    lifecycle.evacuate(cloud, sid, caller(cloud), host='c3')
    assert cloud.wait_for_idle(2)
    assert cloud.host_of(sid) == 'c3'


def test_evacuate_requested_host_checks(cloud):
    sid = cloud.add_server('c1')
    cloud.fail_host('c1')
    with pytest.raises(errors.NotFound) as info:
        lifecycle.evacuate(cloud, sid, caller(cloud), host='nope')
    assert info.value.message == 'Compute host nope not found.'
    with pytest.raises(errors.BadRequest) as info:
        lifecycle.evacuate(cloud, sid, caller(cloud), host='c1')
    assert info.value.message == "The target host can't be the same one."


def test_requested_host_without_room_errors_the_server(cloud):
    cloud.add_servers('c3', 4, flavor='m1.tiny')  # all 4 vCPUs used
    sid = cloud.add_server('c1')
    cloud.fail_host('c1')
    lifecycle.evacuate(cloud, sid, caller(cloud), host='c3')
    assert cloud.wait_for_idle(2)
    record = server(cloud, sid)
    assert (record.vm_state, record.task_state, record.host) == (
        'error', None, 'c1')
    assert record.fault.message.startswith('No valid host was found.')
    assert cloud.evacuations(sid)[0]['status'] == 'error'


def test_no_valid_host_when_every_other_host_unusable(cloud):
    sid = cloud.add_server('c1')
    cloud.fail_host('c1')
    cloud.fail_host('c2')
    cloud.set_service_status('c3', enabled=False, reason='maintenance')
    lifecycle.evacuate(cloud, sid, caller(cloud))
    assert cloud.wait_for_idle(2)
    assert server(cloud, sid).vm_state == 'error'
    assert server(cloud, sid).status == 'ERROR'


def test_capacity_is_claimed_during_evacuation():
    cloud = make_cloud(hosts=('c2', 'c3'), evacuate_duration=0.2)
    try:
        cloud.add_host('c1', vcpus=8, memory_mb=16384)
        ids = cloud.add_servers('c1', 2, flavor='m1.large')  # 4 vCPUs each
        cloud.fail_host('c1')
        for sid in ids:
            lifecycle.evacuate(cloud, sid, caller(cloud))
        targets = {server(cloud, sid).target_host for sid in ids}
        assert targets == {'c2', 'c3'}
        assert cloud.host_info('c3')['vcpus_used'] == 4
        assert cloud.wait_for_idle(2)
        assert {cloud.host_of(sid) for sid in ids} == {'c2', 'c3'}
    finally:
        cloud.stop()


def test_second_evacuation_while_rebuilding_is_409(cloud):
    sid = cloud.add_server('c1')
    cloud.fail_host('c1')
    lifecycle.evacuate(cloud, sid, caller(cloud))
    with pytest.raises(errors.Conflict) as info:
        lifecycle.evacuate(cloud, sid, caller(cloud))
    assert 'task_state rebuilding' in info.value.message
    assert cloud.evacuation_count(sid) == 1


def test_reset_state_cancels_an_evacuation(cloud):
    cloud.configure(evacuate_duration=0.1)
    sid = cloud.add_server('c1')
    cloud.fail_host('c1')
    lifecycle.evacuate(cloud, sid, caller(cloud))
    lifecycle.reset_state(cloud, sid, 'error')
    assert cloud.wait_for_idle(2)
    record = server(cloud, sid)
    assert (record.vm_state, record.task_state, record.host) == (
        'error', None, 'c1')
    assert cloud.evacuations(sid)[0]['status'] == 'error'


def test_stop_and_start(cloud):
    sid = cloud.add_server('c1')
    lifecycle.stop(cloud, sid, caller(cloud))
    assert server(cloud, sid).task_state == 'powering-off'
    assert server(cloud, sid).status == 'ACTIVE'
    assert cloud.wait_for_idle(2)
    record = server(cloud, sid)
    assert (record.vm_state, record.power_state, record.status) == (
        'stopped', states.SHUTDOWN, 'SHUTOFF')
    with pytest.raises(errors.Conflict) as info:
        lifecycle.stop(cloud, sid, caller(cloud))
    assert info.value.message == ("Cannot 'stop' instance %s while it is in "
                                  "vm_state stopped" % sid)
    lifecycle.start(cloud, sid, caller(cloud))
    assert server(cloud, sid).task_state == 'powering-on'
    assert cloud.wait_for_idle(2)
    assert (record.vm_state, record.power_state) == ('active',
                                                     states.RUNNING)
    with pytest.raises(errors.Conflict):
        lifecycle.start(cloud, sid, caller(cloud))
    assert [a.action for a in record.actions] == ['create', 'stop', 'start']
    assert all(e.result == 'Success' for a in record.actions
               for e in a.events)


def test_stop_on_a_dead_compute_waits_for_its_restart(cloud):
    sid = cloud.add_server('c1')
    cloud.fail_host('c1')
    lifecycle.stop(cloud, sid, caller(cloud))
    assert cloud.wait_for_idle(1)
    assert server(cloud, sid).task_state == 'powering-off'
    cloud.recover_host('c1')
    assert cloud.wait_for_idle(2)
    assert server(cloud, sid).vm_state == 'stopped'


def test_lock_unlock_and_metadata(cloud):
    sid = cloud.add_server('c1', metadata={'HA_Enabled': 'True'})
    lifecycle.lock(cloud, sid, caller(cloud))
    assert server(cloud, sid).locked
    lifecycle.unlock(cloud, sid, caller(cloud))
    assert not server(cloud, sid).locked
    merged = lifecycle.update_metadata(cloud, sid, {'a': 1})
    assert merged == {'HA_Enabled': 'True', 'a': '1'}
    lifecycle.delete_metadata_item(cloud, sid, 'a')
    with pytest.raises(errors.NotFound):
        lifecycle.delete_metadata_item(cloud, sid, 'a')


def test_boot_places_and_activates(cloud):
    flavor = flavors.find('m1.small')
    created = lifecycle.boot(cloud, caller(cloud), name='web',
                             flavor=flavor, image_id='img', count=2)
    assert [s.name for s in created] == ['web-1', 'web-2']
    assert all(s.vm_state == 'building' for s in created)
    assert len({s.host for s in created}) == 2  # spread
    assert cloud.wait_for_idle(2)
    assert all(s.vm_state == 'active' and s.power_state == 1
               for s in created)


def test_boot_forced_host_and_no_valid_host(cloud):
    flavor = flavors.find('m1.xlarge')  # 8 vCPUs: fits nowhere
    [forced] = lifecycle.boot(cloud, caller(cloud), name='f',
                              flavor=flavors.find('m1.tiny'),
                              image_id='img', forced_host='c2')
    [failed] = lifecycle.boot(cloud, caller(cloud), name='x',
                              flavor=flavor, image_id='img')
    assert cloud.wait_for_idle(2)
    assert forced.host == 'c2' and forced.vm_state == 'active'
    assert failed.vm_state == 'error' and failed.host is None
    assert failed.fault.message.startswith('No valid host')


def test_delete(cloud):
    sid = cloud.add_server('c1')
    lifecycle.delete(cloud, sid, caller(cloud))
    with pytest.raises(errors.NotFound):
        cloud.server_info(sid)
    assert cloud.host_info('c1')['vcpus_used'] == 0
    assert cloud.dump()['deleted_servers'] == [sid]
