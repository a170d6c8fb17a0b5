"""Injected faults: failing or stuck evacuations, dead hosts, HTTP faults."""

import pytest

from masakari.simulator import lifecycle
from masakari.simulator.faults import HttpFaults
from masakari.tests.unit.simulator.helpers import caller, make_cloud


@pytest.fixture
def cloud():
    state = make_cloud()
    yield state
    state.stop()


def _evacuate_with_fault(cloud, mode, count=1):
    """Evacuate a server of failed c1 that meets fault ``mode``; its id
    and its state once the simulator is idle."""
    sid = cloud.add_server('c1')
    cloud.inject_evacuation_fault(sid, mode, count=count)
    cloud.fail_host('c1')
    lifecycle.evacuate(cloud, sid, caller(cloud))
    assert cloud.wait_for_idle(2)
    return sid, cloud.server_info(sid)


def test_failed_evacuation_ends_in_error(cloud):
    sid, info = _evacuate_with_fault(cloud, 'fail')
    assert (info['vm_state'], info['task_state'], info['host']) == (
        'error', None, 'c1')
    assert 'fault injected' in info['fault']['message']
    assert info['actions'][-1]['message'] == 'Error'
    assert cloud.evacuations(sid)[0]['status'] == 'failed'
    assert cloud.host_info('c2')['vcpus_used'] == 0
    # count=1: a retry after resetting the state succeeds
    lifecycle.reset_state(cloud, sid, 'error')
    lifecycle.evacuate(cloud, sid, caller(cloud))
    assert cloud.wait_for_idle(2)
    assert cloud.server_info(sid)['vm_state'] == 'active'
    assert cloud.evacuation_count(sid) == 2


def test_rolled_back_evacuation_keeps_the_server_as_it_was(cloud):
    """A failed claim on the target: only the record tells."""
    sid, info = _evacuate_with_fault(cloud, 'rollback')
    assert (info['vm_state'], info['task_state'], info['host']) == (
        'active', None, 'c1')
    assert not info.get('fault')
    assert cloud.evacuations(sid)[0]['status'] == 'failed'


def test_stuck_evacuation_never_finishes(cloud):
    sid, info = _evacuate_with_fault(cloud, 'stuck', count=None)
    assert (info['task_state'], info['host'], info['status']) == (
        'rebuild_spawning', 'c1', 'REBUILD')
    assert sid in cloud.dump()['evacuation_faults']


def test_evacuation_fault_validation(cloud):
    sid = cloud.add_server('c1')
    with pytest.raises(ValueError):
        cloud.inject_evacuation_fault(sid, 'explode')
    with pytest.raises(ValueError):
        cloud.inject_evacuation_fault(sid, 'fail', count=0)
    cloud.inject_evacuation_fault(sid, 'fail')
    cloud.clear_evacuation_faults()
    assert cloud.dump()['evacuation_faults'] == {}


def test_failed_host_keeps_its_servers(cloud):
    ids = cloud.add_servers('c1', 2, vm_state='active')
    cloud.fail_host('c1')
    info = cloud.host_info('c1')
    assert (info['state'], info['failed']) == ('down', True)
    assert sorted(info['servers']) == sorted(ids)
    for sid in ids:
        server = cloud.server_info(sid)
        assert (server['vm_state'], server['power_state']) == ('active', 1)
    cloud.recover_host('c1')
    assert cloud.host_info('c1')['state'] == 'up'


def test_target_dying_mid_evacuation_leaves_it_stuck(cloud):
    cloud.configure(evacuate_duration=0.1)
    sid = cloud.add_server('c1')
    cloud.fail_host('c1')
    lifecycle.evacuate(cloud, sid, caller(cloud), host='c2')
    cloud.fail_host('c2')
    assert cloud.wait_for_idle(2)
    assert cloud.server_info(sid)['task_state'] == 'rebuild_spawning'


def test_http_fault_matching_and_count():
    faults = HttpFaults()
    first = faults.add(r'/os-services', status=503, count=2)
    faults.add(r'/servers/.*/action', status=500, action='evacuate',
               method='POST', count=None)
    assert [f.id for f in faults.fire('GET', '/v2.1/os-services',
                                      None)] == [first]
    assert faults.fire('POST', '/v2.1/servers/x/action', 'os-stop') == []
    assert faults.fire('GET', '/v2.1/servers/x/action', 'evacuate') == []
    hit = faults.fire('POST', '/v2.1/servers/x/action', 'evacuate')
    assert hit[0].status == 500
    faults.fire('GET', '/v2.1/os-services', None)
    assert faults.fire('GET', '/v2.1/os-services', None) == []  # used up
    assert len(faults.list()) == 1
    faults.clear()
    assert faults.list() == []


@pytest.mark.parametrize('kwargs', [
    {'status': 200}, {'latency': -1, 'status': 500}, {},
    {'status': 500, 'count': 0},
])
def test_http_fault_validation(kwargs):
    with pytest.raises(ValueError):
        HttpFaults().add('/x', **kwargs)


def test_http_fault_bad_pattern():
    with pytest.raises(ValueError):
        HttpFaults().add('(', status=500)
