"""``[taskflow_driver_recovery_flows]``: the task names of each workflow.

Each option maps the phases ``pre``, ``main`` and ``post`` to lists of
``masakari.task_flow.tasks`` entry point names, so an operator can add a task
of their own to a flow by configuration alone.
"""

from oslo_config import cfg
from oslo_config import types

recovery_flows_group = cfg.OptGroup(
    'taskflow_driver_recovery_flows',
    title='Task lists of the recovery workflows')

_PHASES = types.Dict(bounds=False, value_type=types.List(bounds=True,
                                                          item_type=types.String(quotes=True)))


def _flow_opt(name, pre, main, post, help_text):
    return cfg.Opt(name, type=_PHASES,
                   default={'pre': pre, 'main': main, 'post': post},
                   help=help_text)


recovery_flow_opts = [
    _flow_opt('host_auto_failure_recovery_tasks',
              ['disable_compute_service_task'],
              ['prepare_HA_enabled_instances_task'],
              ['evacuate_instances_task'],
              'Tasks of the host failure flow for the auto recovery '
              'method.'),
    _flow_opt('host_rh_failure_recovery_tasks',
              ['disable_compute_service_task'],
              ['prepare_HA_enabled_instances_task',
               'evacuate_instances_task'],
              [],
              'Tasks of the host failure flow for the reserved_host '
              'recovery method.'),
    _flow_opt('instance_failure_recovery_tasks',
              ['stop_instance_task'],
              ['start_instance_task'],
              ['confirm_instance_active_task'],
              'Tasks of the instance failure flow.'),
    _flow_opt('process_failure_recovery_tasks',
              ['disable_compute_node_task'],
              ['confirm_compute_node_disabled_task'],
              [],
              'Tasks of the process failure flow.'),
]


def register_opts(conf):
    conf.register_group(recovery_flows_group)
    conf.register_opts(recovery_flow_opts, group=recovery_flows_group)


def list_opts():
    return {recovery_flows_group: recovery_flow_opts}
