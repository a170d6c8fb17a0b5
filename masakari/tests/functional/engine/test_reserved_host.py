"""reserved_host, auto_priority and rh_priority recovery methods."""

import pytest

from masakari.db import api as db_api
from masakari.tests.conftest import BACKENDS
from masakari.tests.fixtures import assertions
from masakari.tests.functional.engine.conftest import notification
from masakari.tests.functional.engine.conftest import vmoves


def _details(manager, ctx, uuid):
    return manager.get_notification_recovery_workflow_details(
        ctx, {'notification_uuid': uuid})


def test_reserved_host_takes_every_instance(cloud, manager, ctx):
    segment = cloud.segment('reserved_host')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    spare = cloud.host(segment, 'r1', reserved=True)
    servers = cloud.servers('c1', 3)
    cloud.fail('c1')
    uuid = cloud.host_down(failed)

    assert manager.process(ctx, uuid) == 'finished', notification(
        uuid).message

    assertions.assert_evacuated_once(map(cloud.info, servers), 'c1')
    assert {cloud.where(server_id) for server_id in servers} == {'r1'}
    assert cloud.service('r1')['status'] == 'enabled'
    assert db_api.host_get_by_uuid(spare.uuid).reserved is False
    assert {m.dest_host for m in vmoves(uuid)} == {'r1'}
    names = [d['name'] for d in _details(manager, ctx, uuid)]
    assert names == ['DisableComputeServiceTask',
                     'PrepareHAEnabledInstancesTask', 'EvacuateInstancesTask']


def test_failed_reserved_host_itself_loses_its_flag(cloud, manager, ctx):
    segment = cloud.segment('auto')
    failed = cloud.host(segment, 'r0', reserved=True)
    cloud.host(segment, 'c2')
    uuid = cloud.host_down(failed)
    cloud.fail('r0')

    assert manager.process(ctx, uuid) == 'finished'

    host = db_api.host_get_by_uuid(failed.uuid)
    assert (host.reserved, host.on_maintenance) == (False, True)


def test_reserved_host_added_to_the_failed_hosts_aggregates(
        cloud, manager, ctx, engine_conf, simulator):
    engine_conf.set_override('add_reserved_host_to_aggregate', True,
                             'host_failure')
    segment = cloud.segment('reserved_host')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'r1', reserved=True)
    cloud.host(segment, 'c3')
    from masakari.simulator import inventory
    with simulator.state.lock:
        agg = inventory.create_aggregate(simulator.state, 'fast-disks')
        other = inventory.create_aggregate(simulator.state, 'other')
        inventory.add_host(simulator.state, agg.id, 'c1')
        inventory.add_host(simulator.state, other.id, 'c3')
    server = cloud.servers('c1')[0]
    cloud.fail('c1')
    uuid = cloud.host_down(failed)

    assert manager.process(ctx, uuid) == 'finished'

    with simulator.state.lock:
        assert simulator.state.aggregates[agg.id].hosts == ['c1', 'r1']
        assert simulator.state.aggregates[other.id].hosts == ['c3']
    assert cloud.where(server) == 'r1'


def test_next_reserved_host_when_the_first_fails(cloud, manager, ctx):
    segment = cloud.segment('reserved_host')
    failed = cloud.host(segment, 'c1')
    # Listed newest first: r2 is tried before r1.
    cloud.host(segment, 'r1', reserved=True)
    cloud.host(segment, 'r2', reserved=True)
    server, other = cloud.servers('c1', 2)
    cloud.state.inject_evacuation_fault(server, 'fail', count=1)
    cloud.fail('c1')
    uuid = cloud.host_down(failed)

    assert manager.process(ctx, uuid) == 'finished', notification(
        uuid).message

    assert cloud.where(other) == 'r2'
    assert cloud.evacuations(other) == 1
    # The failed evacuation (to r2) was retried on r1; no duplicate rows.
    assert cloud.evacuations(server) == 2
    assert cloud.where(server) == 'r1'
    moves = vmoves(uuid)
    assert len(moves) == 2
    assert {m.status for m in moves} == {'succeeded'}
    evacuate = _details(manager, ctx, uuid)[-1]
    assert evacuate['state'] == 'SUCCESS'


def test_reserved_hosts_exhausted_is_an_error(cloud, manager, ctx):
    segment = cloud.segment('reserved_host')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'r1', reserved=True)
    cloud.host(segment, 'r2', reserved=True)
    server = cloud.servers('c1')[0]
    cloud.state.inject_evacuation_fault(server, 'fail', count=None)
    cloud.fail('c1')
    uuid = cloud.host_down(failed)

    assert manager.process(ctx, uuid) == 'error'

    assert 'Failed to evacuate instances' in notification(uuid).message
    assert cloud.evacuations(server) == 2
    assert cloud.where(server) == 'c1'
    assert len(vmoves(uuid)) == 1


def test_no_reserved_host_is_an_error(cloud, manager, ctx):
    segment = cloud.segment('reserved_host')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    cloud.host(segment, 'r1', reserved=True, on_maintenance=True)
    server = cloud.servers('c1')[0]
    cloud.fail('c1')
    uuid = cloud.host_down(failed)

    assert manager.process(ctx, uuid) == 'error'

    assert notification(uuid).message == (
        'No reserved_hosts available for evacuation.')
    assert cloud.evacuations(server) == 0
    assert db_api.host_get_by_uuid(failed.uuid).on_maintenance is True


def test_rh_priority_falls_back_to_auto(cloud, manager, ctx):
    segment = cloud.segment('rh_priority')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    server = cloud.servers('c1')[0]
    cloud.fail('c1')
    uuid = cloud.host_down(failed)

    assert manager.process(ctx, uuid) == 'finished'

    assert cloud.where(server) == 'c2'
    details = _details(manager, ctx, uuid)
    assert [d['name'] for d in details] == [
        'DisableComputeServiceTask', 'PrepareHAEnabledInstancesTask',
        'EvacuateInstancesTask']


def test_rh_priority_prefers_the_reserved_host(cloud, manager, ctx):
    segment = cloud.segment('rh_priority')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    cloud.host(segment, 'r1', reserved=True)
    server = cloud.servers('c1')[0]
    cloud.fail('c1')
    uuid = cloud.host_down(failed)

    assert manager.process(ctx, uuid) == 'finished'

    assert cloud.where(server) == 'r1'


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_auto_priority_falls_back_to_reserved_host(cloud, manager, ctx):
    segment = cloud.segment('auto_priority')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    cloud.host(segment, 'r1', reserved=True)
    bad, good = cloud.servers('c1', 2)
    cloud.state.inject_evacuation_fault(bad, 'fail', count=1)
    cloud.fail('c1')
    uuid = cloud.host_down(failed)

    assert manager.process(ctx, uuid) == 'finished', notification(
        uuid).message

    assert cloud.where(good) == 'c2'
    assert cloud.evacuations(good) == 1
    assert cloud.where(bad) == 'r1'
    assert cloud.evacuations(bad) == 2
    assert len(vmoves(uuid)) == 2
    details = _details(manager, ctx, uuid)
    # The auto flow, then the reserved-host flow that completed it.
    assert [d['name'] for d in details] == [
        'DisableComputeServiceTask', 'PrepareHAEnabledInstancesTask',
        'EvacuateInstancesTask'] * 2
    assert details[2]['state'] == 'REVERTED'
    assert {d['state'] for d in details[3:]} == {'SUCCESS'}


def test_nothing_to_evacuate_leaves_the_reserved_hosts_alone(cloud, manager,
                                                             ctx):
    segment = cloud.segment('reserved_host')
    failed = cloud.host(segment, 'c1')
    spares = [cloud.host(segment, name, reserved=True)
              for name in ('r1', 'r2')]
    cloud.fail('c1')
    uuid = cloud.host_down(failed)

    assert manager.process(ctx, uuid) == 'finished'

    assert 'no instances to evacuate' in notification(uuid).message
    for spare in spares:
        assert db_api.host_get_by_uuid(spare.uuid).reserved is True
        assert cloud.service(spare.name)['status'] == 'disabled'
    prepare = _details(manager, ctx, uuid)[1]
    # Tried once, not once per reserved host.
    assert sum(d['message'].startswith('Preparing instances')
               for d in prepare['progress_details']) == 1
