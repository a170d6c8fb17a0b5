"""Operator-defined tasks inserted through [taskflow_driver_recovery_flows]."""

from masakari.tests.functional.engine import custom_tasks
from masakari.tests.functional.engine.conftest import notification

MODULE = 'masakari.tests.functional.engine.custom_tasks'


def test_custom_task_runs_in_the_configured_place(cloud, manager, ctx,
                                                  engine_conf, tmp_path,
                                                  monkeypatch):
    custom_tasks.register_tasks(
        tmp_path, {'record_task': MODULE + ':RecordingTask'}, monkeypatch)
    engine_conf.set_override(
        'host_auto_failure_recovery_tasks',
        {'pre': ['disable_compute_service_task', 'record_task'],
         'main': ['prepare_HA_enabled_instances_task'],
         'post': ['evacuate_instances_task', 'no_op']},
        'taskflow_driver_recovery_flows')
    segment = cloud.segment()
    host = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    server = cloud.servers('c1')[0]
    cloud.fail('c1')
    uuid = cloud.host_down(host)

    assert manager.process(ctx, uuid) == 'finished'

    assert (('c1', uuid) in custom_tasks.CALLS)
    assert cloud.where(server) == 'c2'
    details = manager.get_notification_recovery_workflow_details(
        ctx, {'notification_uuid': uuid})
    assert [d['name'] for d in details] == [
        'DisableComputeServiceTask', 'RecordingTask',
        'PrepareHAEnabledInstancesTask', 'EvacuateInstancesTask',
        'NoOpTask']
    assert details[1]['progress_details'][-1]['message'] == (
        'Custom task finished')


def test_failing_custom_task_is_an_error(cloud, manager, ctx, engine_conf,
                                         tmp_path, monkeypatch):
    custom_tasks.register_tasks(
        tmp_path, {'failing_task': MODULE + ':FailingTask'}, monkeypatch)
    engine_conf.set_override(
        'process_failure_recovery_tasks',
        {'pre': ['disable_compute_node_task'], 'main': ['failing_task'],
         'post': []}, 'taskflow_driver_recovery_flows')
    segment = cloud.segment()
    host = cloud.host(segment, 'c1')
    uuid = cloud.notify(host, 'PROCESS', {'event': 'STOPPED',
                                          'process_name': 'nova-compute'})

    assert manager.process(ctx, uuid) == 'error'

    assert 'custom task failed' in notification(uuid).message


def test_unknown_task_name_is_an_error(cloud, manager, ctx, engine_conf):
    engine_conf.set_override(
        'instance_failure_recovery_tasks',
        {'pre': ['no_such_task'], 'main': [], 'post': []},
        'taskflow_driver_recovery_flows')
    segment = cloud.segment()
    host = cloud.host(segment, 'c1')
    server = cloud.servers('c1')[0]
    uuid = cloud.notify(host, 'VM', {'event': 'LIFECYCLE',
                                     'instance_uuid': server,
                                     'vir_domain_event': 'STOPPED_FAILED'})

    assert manager.process(ctx, uuid) == 'error'

    assert 'no_such_task' in notification(uuid).message
