"""The Python admin API of CloudState."""

import pytest

from masakari.simulator import lifecycle
from masakari.simulator.state import CloudState
from masakari.tests.unit.simulator.helpers import caller, make_cloud


def test_add_host_and_servers():
    cloud = CloudState(seed=1)
    host = cloud.add_host('h1', vcpus=2, memory_mb=4096)
    assert host['state'] == 'up' and host['status'] == 'enabled'
    ids = cloud.add_servers('h1', 2, flavor='m1.small',
                            metadata={'HA_Enabled': True})
    assert cloud.host_info('h1')['vcpus_used'] == 2
    info = cloud.server_info(ids[0])
    assert info['metadata'] == {'HA_Enabled': 'True'}
    assert info['host'] == 'h1' and info['status'] == 'ACTIVE'
    with pytest.raises(ValueError):
        cloud.add_servers('h1', 1)  # full
    cloud.add_servers('h1', 1, check_capacity=False)
    with pytest.raises(ValueError):
        cloud.add_host('h1')
    with pytest.raises(ValueError):
        cloud.add_servers('nope')
    with pytest.raises(ValueError):
        cloud.add_servers('h1', vm_state='paused', check_capacity=False)


def test_disabled_host_and_custom_size():
    cloud = CloudState()
    cloud.add_host('h1', enabled=False, disabled_reason='reserved')
    info = cloud.host_info('h1')
    assert (info['status'], info['disabled_reason']) == ('disabled',
                                                         'reserved')
    sid = cloud.add_server('h1', name='db', vcpus=3, memory_mb=1000,
                           vm_state='stopped')
    info = cloud.server_info(sid)
    assert info['name'] == 'db' and info['flavor']['vcpus'] == 3
    assert (info['status'], info['power_state']) == ('SHUTOFF', 4)


def test_seed_makes_ids_reproducible():
    first, second = CloudState(seed=7), CloudState(seed=7)
    for cloud in (first, second):
        cloud.add_host('h1')
    assert first.host_info('h1')['service_id'] == \
        second.host_info('h1')['service_id']


def test_dump_and_reset():
    cloud = make_cloud()
    try:
        sid = cloud.add_server('c1')
        cloud.fail_host('c1')
        lifecycle.evacuate(cloud, sid, caller(cloud))
        assert cloud.wait_for_idle(2)
        dump = cloud.dump()
        assert {h['name'] for h in dump['hosts']} == {'c1', 'c2', 'c3'}
        [server] = dump['servers']
        assert server['evacuations'] == 1
        assert [a['action'] for a in server['actions']] == ['create',
                                                            'evacuate']
        assert dump['migrations'][0]['status'] == 'done'
        assert dump['settings']['evacuate_duration']['min'] == 0.06
        cloud.reset()
        assert cloud.dump()['hosts'] == []
    finally:
        cloud.stop()


def test_wait_for_predicate():
    cloud = CloudState()
    assert cloud.wait_for(lambda s: True, timeout=0.1)
    assert not cloud.wait_for(lambda s: False, timeout=0.05)
