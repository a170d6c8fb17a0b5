"""The host failure flows: ``auto`` and ``reserved_host``.

Action ``instance:evacuate``, flow ``instance_evacuate_engine``. The
reserved-host flow runs its main phase under a ParameterizedForEach retry
over ``reserved_host_list``: when the main phase fails it is reverted and
run again with the next reserved host as ``reserved_host``.
"""

from taskflow import retry

from masakari.conf import CONF
from masakari.engine.flows import base
from masakari.engine import leases
from masakari import exception

ACTION = 'instance:evacuate'
FLOW_NAME = 'instance_evacuate_engine'
RETRY_FLOW_NAME = 'retry_%s' % FLOW_NAME


class ReservedHostRetry(retry.ParameterizedForEach):
    """Next reserved host on failure, but not when recovery was skipped
    (no instance to evacuate is no reason to try another spare) nor when
    another engine took the notification over."""

    def on_failure(self, values, history, *args, **kwargs):
        if (history.caused_by(exception.SkipRecovery, index=-1) or
                history.caused_by(leases.LeaseLost, index=-1)):
            return retry.REVERT
        return super().on_failure(values, history, *args, **kwargs)


def _flows_conf():
    return CONF.taskflow_driver_recovery_flows


def auto_task_dict():
    return _flows_conf().host_auto_failure_recovery_tasks


def rh_task_dict():
    return _flows_conf().host_rh_failure_recovery_tasks


def get_auto_flow(context, novaclient):
    """Nova's scheduler picks where each instance goes."""
    return base.build_flow(FLOW_NAME, auto_task_dict(), context=context,
                           novaclient=novaclient)


def get_rh_flow(context, novaclient):
    """Instances go to a reserved host, the next one on failure."""
    return base.build_flow(
        FLOW_NAME, rh_task_dict(),
        main_retry=ReservedHostRetry(rebind=['reserved_host_list'],
                                     provides='reserved_host'),
        main_flow_name=RETRY_FLOW_NAME, context=context,
        novaclient=novaclient)
