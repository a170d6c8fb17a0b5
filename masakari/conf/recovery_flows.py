"""``[taskflow_driver_recovery_flows]``: the task names of each workflow.

Each option maps the phases ``pre``, ``main`` and ``post`` to lists of
``masakari.task_flow.tasks`` entry point names, so an operator can add a task
of their own to a flow by configuration alone.
"""

import ast

from oslo_config import cfg
from oslo_config import types

recovery_flows_group = cfg.OptGroup(
    'taskflow_driver_recovery_flows',
    title='Task lists of the recovery workflows')

class _Phases(types.Dict):
    """``pre:[...],main:[...],post:[...]`` or a ``{...}`` dict literal."""

    def __init__(self):
        super().__init__(value_type=types.List(
            bounds=True, item_type=types.String(quotes=True)))

    def __call__(self, value):
        if isinstance(value, str) and value.strip().startswith('{'):
            try:
                value = ast.literal_eval(value.strip())
            except (SyntaxError, ValueError) as exc:
                raise ValueError('invalid task list %r: %s' % (value, exc))
        if isinstance(value, dict):
            return {str(phase): [str(task) for task in tasks]
                    for phase, tasks in value.items()}
        return super().__call__(value)


_PHASES = _Phases()


def _flow_opt(name, pre, main, post, help_text):
    return cfg.Opt(name, type=_PHASES,
                   default={'pre': pre, 'main': main, 'post': post},
                   help=help_text)


recovery_flow_opts = [
    _flow_opt('host_auto_failure_recovery_tasks',
              ['fence_host_task', 'disable_compute_service_task'],
              ['prepare_HA_enabled_instances_task'],
              ['evacuate_instances_task'],
              'Tasks of the host failure flow for the auto recovery '
              'method.'),
    _flow_opt('host_rh_failure_recovery_tasks',
              ['fence_host_task', 'disable_compute_service_task'],
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
