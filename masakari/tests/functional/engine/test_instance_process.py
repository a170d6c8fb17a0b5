"""Instance (VM) and process failure recovery."""

from masakari.db import api as db_api
from masakari.tests.functional.engine.conftest import notification


def _vm_event(cloud, host, server_id, event='LIFECYCLE',
              detail='STOPPED_FAILED'):
    return cloud.notify(host, 'VM', {'event': event,
                                     'instance_uuid': server_id,
                                     'vir_domain_event': detail})


def _actions(cloud, server_id):
    return [a['action'] for a in cloud.info(server_id)['actions']]


def _details(manager, ctx, uuid):
    return manager.get_notification_recovery_workflow_details(
        ctx, {'notification_uuid': uuid})


def test_instance_restarted(cloud, manager, ctx):
    segment = cloud.segment()
    host = cloud.host(segment, 'c1')
    server = cloud.servers('c1')[0]
    uuid = _vm_event(cloud, host, server)

    assert manager.process(ctx, uuid) == 'finished'

    info = cloud.info(server)
    assert (info['host'], info['vm_state']) == ('c1', 'active')
    assert _actions(cloud, server)[-2:] == ['stop', 'start']
    assert db_api.host_get_by_uuid(host.uuid).on_maintenance is False
    details = _details(manager, ctx, uuid)
    assert [d['name'] for d in details] == [
        'StopInstanceTask', 'StartInstanceTask', 'ConfirmInstanceActiveTask']
    assert {d['state'] for d in details} == {'SUCCESS'}
    assert details[0]['progress_details'][0]['message'] == (
        "Stopping instance: '%s'" % server)


def test_stopped_instance_is_started(cloud, manager, ctx):
    segment = cloud.segment()
    host = cloud.host(segment, 'c1')
    server = cloud.servers('c1', vm_state='stopped')[0]
    uuid = _vm_event(cloud, host, server, 'IO_ERROR', 'IO_ERROR_REPORT')

    assert manager.process(ctx, uuid) == 'finished'

    assert cloud.info(server)['vm_state'] == 'active'
    assert 'stop' not in _actions(cloud, server)


def test_not_ha_enabled_instance_is_skipped(cloud, manager, ctx):
    segment = cloud.segment()
    host = cloud.host(segment, 'c1')
    server = cloud.servers('c1', ha=False)[0]
    uuid = _vm_event(cloud, host, server, 'QEMU_GUEST_AGENT_ERROR')

    assert manager.process(ctx, uuid) == 'finished'

    assert 'not HA-enabled' in notification(uuid).message
    assert _actions(cloud, server) == ['create']


def test_process_all_instances(cloud, manager, ctx, engine_conf):
    engine_conf.set_override('process_all_instances', True,
                             'instance_failure')
    segment = cloud.segment()
    host = cloud.host(segment, 'c1')
    server = cloud.servers('c1', ha=None)[0]
    uuid = _vm_event(cloud, host, server)

    assert manager.process(ctx, uuid) == 'finished'

    assert _actions(cloud, server)[-2:] == ['stop', 'start']


def test_paused_instance_is_ignored(cloud, manager, ctx, simulator):
    segment = cloud.segment()
    host = cloud.host(segment, 'c1')
    server = cloud.servers('c1')[0]
    with simulator.state.lock:
        simulator.state.servers[server].vm_state = 'paused'
    uuid = _vm_event(cloud, host, server)

    assert manager.process(ctx, uuid) == 'ignored'

    assert 'paused' in notification(uuid).message
    assert _actions(cloud, server) == ['create']


def test_unrecoverable_vm_event_is_ignored(cloud, manager, ctx):
    segment = cloud.segment()
    host = cloud.host(segment, 'c1')
    server = cloud.servers('c1')[0]
    uuid = _vm_event(cloud, host, server, 'LIFECYCLE', 'STOPPED_SHUTDOWN')

    assert manager.process(ctx, uuid) == 'ignored'

    assert _actions(cloud, server) == ['create']
    assert _details(manager, ctx, uuid) == []


def test_instance_that_never_starts_is_an_error(cloud, manager, ctx,
                                                engine_conf, simulator):
    engine_conf.set_override('wait_period_after_power_on', 1)
    simulator.state.configure(start_duration=5)
    segment = cloud.segment()
    host = cloud.host(segment, 'c1')
    server = cloud.servers('c1')[0]
    uuid = _vm_event(cloud, host, server)

    assert manager.process(ctx, uuid) == 'error'

    assert 'did not reach vm_state active' in notification(uuid).message
    states = [d['state'] for d in _details(manager, ctx, uuid)]
    assert states[-1] in ('FAILURE', 'REVERTED')


def test_nova_compute_process_failure(cloud, manager, ctx):
    segment = cloud.segment()
    host = cloud.host(segment, 'c1')
    uuid = cloud.notify(host, 'PROCESS', {'event': 'STOPPED',
                                          'process_name': 'nova-compute'})

    assert manager.process(ctx, uuid) == 'finished'

    service = cloud.service('c1')
    assert service['status'] == 'disabled'
    assert service['disabled_reason'] == 'Masakari detected process failed.'
    assert db_api.host_get_by_uuid(host.uuid).on_maintenance is True
    details = _details(manager, ctx, uuid)
    assert [d['name'] for d in details] == [
        'DisableComputeNodeTask', 'ConfirmComputeNodeDisabledTask']
    assert {d['state'] for d in details} == {'SUCCESS'}


def test_other_process_failure_only_sets_maintenance(cloud, manager, ctx):
    segment = cloud.segment()
    host = cloud.host(segment, 'c1')
    uuid = cloud.notify(host, 'PROCESS', {'event': 'STOPPED',
                                          'process_name': 'libvirtd'})

    assert manager.process(ctx, uuid) == 'finished'

    assert cloud.service('c1')['status'] == 'enabled'
    assert db_api.host_get_by_uuid(host.uuid).on_maintenance is True
    assert _details(manager, ctx, uuid) == []


def test_started_events_finish_without_action(cloud, manager, ctx):
    segment = cloud.segment()
    host = cloud.host(segment, 'c1')
    server = cloud.servers('c1')[0]
    process = cloud.notify(host, 'PROCESS', {'event': 'STARTED',
                                             'process_name': 'nova-compute'})
    started = cloud.host_down(host, event='STARTED')

    assert manager.process(ctx, process) == 'finished'
    assert manager.process(ctx, started) == 'finished'

    assert cloud.service('c1')['status'] == 'enabled'
    assert cloud.evacuations(server) == 0
    assert db_api.host_get_by_uuid(host.uuid).on_maintenance is False


def test_unconfirmed_host_failures_are_ignored(cloud, manager, ctx):
    segment = cloud.segment()
    host = cloud.host(segment, 'c1')
    server = cloud.servers('c1')[0]
    cloud.fail('c1')
    unknown = cloud.host_down(host, host_status='UNKNOWN')
    missing = cloud.host_down(host, host_status=None,
                              generated_time=None)

    assert manager.process(ctx, unknown) == 'ignored'
    assert manager.process(ctx, missing) == 'ignored'

    assert "host_status is 'UNKNOWN'" in notification(unknown).message
    assert cloud.evacuations(server) == 0
    assert cloud.service('c1')['status'] == 'enabled'
    assert db_api.host_get_by_uuid(host.uuid).on_maintenance is False


def test_lower_case_host_event_is_recovered(cloud, manager, ctx):
    segment = cloud.segment()
    host = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    server = cloud.servers('c1')[0]
    cloud.fail('c1')
    uuid = cloud.host_down(host, event='stopped', host_status='normal')

    assert manager.process(ctx, uuid) == 'finished'

    assert cloud.where(server) == 'c2'


def test_disabled_segment_is_ignored(cloud, manager, ctx):
    segment = cloud.segment(enabled=False)
    host = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    server = cloud.servers('c1')[0]
    cloud.fail('c1')
    uuid = cloud.host_down(host)

    assert manager.process(ctx, uuid) == 'ignored'

    row = notification(uuid)
    assert row.message == 'Recovery aboart: the segment HA is disabled.'
    assert cloud.evacuations(server) == 0
    assert db_api.host_get_by_uuid(host.uuid).on_maintenance is False
