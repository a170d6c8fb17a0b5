"""Service updates and aggregates, with Nova's validation."""

import pytest

from masakari.simulator import errors
from masakari.simulator import inventory
from masakari.simulator import lifecycle
from masakari.tests.unit.simulator.helpers import caller, make_cloud


@pytest.fixture
def cloud():
    state = make_cloud()
    yield state
    state.stop()


def service_id(cloud, host):
    return cloud.hosts[host].service_uuid


def test_disable_with_reason_and_enable(cloud):
    sid = service_id(cloud, 'c1')
    host, delay = inventory.update_service(
        cloud, sid, {'status': 'disabled', 'disabled_reason': 'ha'})
    assert (host.disabled, host.disabled_reason, delay) == (True, 'ha', 0)
    inventory.update_service(cloud, sid, {'status': 'enabled'})
    assert (host.disabled, host.disabled_reason) == (False, None)


@pytest.mark.parametrize('body, message', [
    ({'status': 'enabled', 'disabled_reason': 'x'},
     "Specifying 'disabled_reason' with status other than 'disabled' is "
     "not allowed."),
    ({}, "No updates were requested. Fields 'status' or 'forced_down' "
         "should be specified."),
])
def test_update_validation(cloud, body, message):
    with pytest.raises(errors.BadRequest) as info:
        inventory.update_service(cloud, service_id(cloud, 'c1'), body)
    assert info.value.message == message


def test_update_unknown_and_invalid_ids(cloud):
    with pytest.raises(errors.BadRequest) as info:
        inventory.update_service(cloud, 'abc', {'status': 'enabled'})
    assert info.value.message == 'Invalid uuid abc'
    missing = '00000000-0000-4000-8000-000000000000'
    with pytest.raises(errors.NotFound) as info:
        inventory.update_service(cloud, missing, {'status': 'enabled'})
    assert info.value.message == 'Service %s could not be found.' % missing


def test_control_services_cannot_be_updated(cloud):
    scheduler = cloud.control_services[0]
    with pytest.raises(errors.BadRequest) as info:
        inventory.update_service(cloud, scheduler.uuid,
                                 {'status': 'disabled'})
    assert 'Only nova-compute services can be updated' in info.value.message


def test_force_up_refused_until_compute_restarts(cloud):
    server_id = cloud.add_server('c1')
    sid = service_id(cloud, 'c1')
    inventory.update_service(cloud, sid, {'forced_down': True})
    lifecycle.evacuate(cloud, server_id, caller(cloud))
    assert cloud.wait_for_idle(2)
    with pytest.raises(errors.BadRequest) as info:
        inventory.update_service(cloud, sid, {'forced_down': False})
    assert "'done' evacuation migration records remain" in info.value.message
    cloud.recover_host('c1')
    assert cloud.evacuations(server_id)[0]['status'] == 'completed'
    host, _ = inventory.update_service(cloud, sid, {'forced_down': False})
    assert not host.forced_down


def test_disabling_a_dead_compute_still_up_waits_for_rpc(cloud):
    cloud.configure(service_down_time=30, rpc_response_timeout=7)
    cloud.fail_host('c1')
    sid = service_id(cloud, 'c1')
    host, delay = inventory.update_service(cloud, sid,
                                           {'status': 'disabled'})
    assert host.disabled and delay == 7
    inventory.update_service(cloud, sid, {'forced_down': True})
    _, delay = inventory.update_service(cloud, sid, {'status': 'disabled'})
    assert delay == 0


def test_legacy_service_actions(cloud):
    out, _ = inventory.update_service_legacy(
        cloud, 'disable-log-reason',
        {'host': 'c1', 'binary': 'nova-compute', 'disabled_reason': 'r'})
    assert out == {'host': 'c1', 'binary': 'nova-compute',
                   'status': 'disabled', 'disabled_reason': 'r'}
    out, _ = inventory.update_service_legacy(
        cloud, 'force-down',
        {'host': 'c1', 'binary': 'nova-compute', 'forced_down': True})
    assert out['forced_down'] is True
    with pytest.raises(errors.NotFound):
        inventory.update_service_legacy(
            cloud, 'enable', {'host': 'zz', 'binary': 'nova-compute'})


def test_aggregate_membership(cloud):
    agg = inventory.create_aggregate(cloud, 'ha-segment')
    with pytest.raises(errors.Conflict):
        inventory.create_aggregate(cloud, 'ha-segment')
    inventory.add_host(cloud, agg.id, 'c1')
    with pytest.raises(errors.Conflict) as info:
        inventory.add_host(cloud, agg.id, 'c1')
    assert info.value.message == 'Aggregate %s already has host c1.' % agg.id
    with pytest.raises(errors.NotFound) as info:
        inventory.add_host(cloud, agg.id, 'nope')
    assert info.value.message == 'Compute host nope could not be found.'
    with pytest.raises(errors.NotFound):
        inventory.add_host(cloud, 999, 'c1')
    with pytest.raises(errors.BadRequest):
        inventory.delete_aggregate(cloud, agg.id)
    inventory.remove_host(cloud, agg.id, 'c1')
    with pytest.raises(errors.NotFound) as info:
        inventory.remove_host(cloud, agg.id, 'c1')
    assert info.value.message == 'Aggregate %s has no host c1.' % agg.id
    inventory.delete_aggregate(cloud, agg.id)
    assert cloud.aggregates == {}


def test_aggregate_availability_zone_rules(cloud):
    cloud.add_server('c1')
    zone_a = inventory.create_aggregate(cloud, 'a', zone='az-a')
    zone_b = inventory.create_aggregate(cloud, 'b', zone='az-b')
    with pytest.raises(errors.Conflict) as info:
        inventory.add_host(cloud, zone_a.id, 'c1')  # has instances
    assert 'contain instances' in info.value.message
    inventory.add_host(cloud, zone_a.id, 'c2')
    assert cloud.host_zone('c2') == 'az-a'
    with pytest.raises(errors.Conflict) as info:
        inventory.add_host(cloud, zone_b.id, 'c2')
    assert 'already in availability zone' in info.value.message
    plain = inventory.create_aggregate(cloud, 'plain')
    inventory.add_host(cloud, plain.id, 'c1')  # no AZ: always fine
    inventory.set_metadata(cloud, plain.id, {'k': 'v'})
    inventory.set_metadata(cloud, plain.id, {'k': None})
    assert plain.metadata == {}
