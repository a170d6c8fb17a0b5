"""Build a recovery flow from the task names an operator configured.

Each ``[taskflow_driver_recovery_flows]`` option maps ``pre``, ``main`` and
``post`` to lists of ``masakari.task_flow.tasks`` entry point names. The
flow is a linear flow of three linear sub-flows (``pre_tasks``,
``main_tasks``, ``post_tasks``), each holding the named tasks in the
configured order. A third-party task is added by installing a package that
registers it in that namespace and naming it in the option.
"""

from oslo_log import log as logging
from stevedore import named
from taskflow import flow as tf_flow
from taskflow.patterns import linear_flow

from masakari.engine.tasks import base as task_base
from masakari import exception

LOG = logging.getLogger(__name__)

TASK_NAMESPACE = 'masakari.task_flow.tasks'
PHASES = ('pre', 'main', 'post')


def load_tasks(names, **task_kwargs):
    """Instantiate the named tasks, in order, as ``Task(**task_kwargs)``."""
    names = list(names or [])
    if not names:
        return []
    missing = []
    manager = named.NamedExtensionManager(
        TASK_NAMESPACE, names=names, name_order=True, invoke_on_load=True,
        invoke_kwds=task_kwargs, propagate_map_exceptions=True,
        on_missing_entrypoints_callback=missing.extend,
        on_load_failure_callback=_load_failed)
    if missing:
        raise exception.ConfigInvalid(
            reason='unknown recovery task(s) %s: no such entry point in %s'
                   % (', '.join(sorted(missing)), TASK_NAMESPACE))
    return [extension.obj for extension in manager]


def _load_failed(manager, entrypoint, exc):
    raise exception.ConfigInvalid(
        reason='recovery task %s (%s) failed to load: %s'
               % (entrypoint.name, entrypoint.value, exc))


def task_names(task_dict):
    """The configured names of every phase, in flow order."""
    return [name for phase in PHASES for name in (task_dict.get(phase) or [])]


def build_flow(flow_name, task_dict, main_retry=None, main_flow_name=None,
               **task_kwargs):
    """The linear flow ``flow_name`` of the pre/main/post phases.

    ``main_retry`` makes the main phase a retried sub-flow (named
    ``main_flow_name``) instead of the plain ``main_tasks``.
    """
    for phase in task_dict:
        if phase not in PHASES:
            raise exception.ConfigInvalid(
                reason="unknown phase '%s' in the task lists of %s (use "
                       'pre, main and post)' % (phase, flow_name))
    flow = linear_flow.Flow(flow_name)
    for phase in PHASES:
        tasks = load_tasks(task_dict.get(phase), **task_kwargs)
        if phase == 'main' and main_retry is not None:
            sub_flow = linear_flow.Flow(main_flow_name, retry=main_retry)
        else:
            sub_flow = linear_flow.Flow('%s_tasks' % phase)
        sub_flow.add(*tasks)
        flow.add(sub_flow)
    return flow


def attach_lease(flow, lease):
    """Give every masakari task of ``flow`` the engine's lease on the
    notification, so it stops once another engine has taken it over."""
    for item in flow:
        if isinstance(item, tf_flow.Flow):
            attach_lease(item, lease)
        elif isinstance(item, task_base.MasakariTask):
            item.lease = lease


def atom_names(flow):
    """Names of the tasks of ``flow``, in execution order."""
    names = []
    for item in flow:
        if isinstance(item, tf_flow.Flow):
            if item.retry is not None:
                names.append(item.retry.name)
            names.extend(atom_names(item))
        else:
            names.append(item.name)
    return names
