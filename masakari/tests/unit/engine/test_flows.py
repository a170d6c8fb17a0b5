"""Building recovery flows from [taskflow_driver_recovery_flows]."""

import pytest
from taskflow import retry

from masakari.engine.flows import base
from masakari.engine.flows import host_failure
from masakari.engine.flows import instance_failure
from masakari.engine.flows import process_failure
from masakari.engine.tasks import base as task_base
from masakari import exception
from masakari.tests.functional.engine import custom_tasks

GROUP = 'taskflow_driver_recovery_flows'


def _kwargs():
    return {'context': None, 'novaclient': None}


def test_default_flows(conf):
    auto = host_failure.get_auto_flow(None, None)
    assert auto.name == 'instance_evacuate_engine'
    assert [f.name for f in auto] == ['pre_tasks', 'main_tasks',
                                      'post_tasks']
    assert base.atom_names(auto) == [
        'FenceHostTask', 'DisableComputeServiceTask',
        'PrepareHAEnabledInstancesTask',
        'EvacuateInstancesTask']
    assert base.atom_names(
        instance_failure.get_instance_recovery_flow(None, None)) == [
        'StopInstanceTask', 'StartInstanceTask', 'ConfirmInstanceActiveTask']
    assert base.atom_names(
        process_failure.get_process_recovery_flow(None, None)) == [
        'DisableComputeNodeTask', 'ConfirmComputeNodeDisabledTask']


def test_reserved_host_flow_retries_its_main_phase(conf):
    flow = host_failure.get_rh_flow(None, None)
    main = list(flow)[1]
    assert main.name == 'retry_instance_evacuate_engine'
    assert isinstance(main.retry, retry.ParameterizedForEach)
    assert main.retry.name == 'retry_instance_evacuate_engine_retry'
    assert base.atom_names(flow) == [
        'FenceHostTask', 'DisableComputeServiceTask',
        'retry_instance_evacuate_engine_retry',
        'PrepareHAEnabledInstancesTask', 'EvacuateInstancesTask']


def test_tasks_get_the_driver_arguments(conf):
    flow = host_failure.get_auto_flow('ctx', 'nova')
    evacuate = list(list(flow)[2])[0]
    assert (evacuate.context, evacuate.novaclient) == ('ctx', 'nova')


def test_configured_order_and_the_no_op_task(conf):
    conf.set_override('process_failure_recovery_tasks',
                      {'pre': ['no_op', 'disable_compute_node_task'],
                       'main': [], 'post': ['confirm_compute_node_'
                                            'disabled_task']}, GROUP)
    flow = process_failure.get_process_recovery_flow(None, None)
    assert base.atom_names(flow) == [
        'NoOpTask', 'DisableComputeNodeTask',
        'ConfirmComputeNodeDisabledTask']


def test_third_party_task_from_an_entry_point(conf, tmp_path, monkeypatch):
    custom_tasks.register_tasks(
        tmp_path, {'record_task': 'masakari.tests.functional.engine.'
                                  'custom_tasks:RecordingTask'}, monkeypatch)
    tasks = base.load_tasks(['record_task', 'no_op'], **_kwargs())
    assert [type(t).__name__ for t in tasks] == ['RecordingTask', 'NoOpTask']
    assert isinstance(tasks[0], task_base.MasakariTask)
    assert tasks[0].requires == {'host_name', 'notification_uuid'}


def test_unknown_task_name(conf):
    with pytest.raises(exception.ConfigInvalid) as exc:
        base.load_tasks(['no_op', 'nope'], **_kwargs())
    assert 'nope' in exc.value.message


def test_unknown_phase(conf):
    with pytest.raises(exception.ConfigInvalid):
        base.build_flow('f', {'pre': [], 'during': ['no_op']}, **_kwargs())


def test_ini_form_of_the_option(conf, tmp_path):
    path = tmp_path / 'custom.conf'
    path.write_text('[%s]\ninstance_failure_recovery_tasks = '
                    "pre:['stop_instance_task'],main:['no_op'],"
                    "post:['confirm_instance_active_task']\n" % GROUP)
    conf([], project='masakari', default_config_files=[str(path)])
    flow = instance_failure.get_instance_recovery_flow(None, None)
    assert base.atom_names(flow) == [
        'StopInstanceTask', 'NoOpTask', 'ConfirmInstanceActiveTask']


def test_shipped_sample_matches_the_defaults(conf):
    import os
    sample = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..',
                          'etc', 'masakari',
                          'masakari-custom-recovery-methods.conf')
    if not os.path.exists(sample):
        pytest.skip('sample not in this tree')
    defaults = {name: conf.taskflow_driver_recovery_flows[name]
                for name in conf.taskflow_driver_recovery_flows}
    conf([], project='masakari', default_config_files=[sample])
    for name, value in defaults.items():
        assert conf.taskflow_driver_recovery_flows[name] == value
