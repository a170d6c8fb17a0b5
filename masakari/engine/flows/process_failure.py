"""The process failure flow: disable the compute service, confirm it.

Action ``process:recovery``, flow ``process_recovery_engine``.
"""

from masakari.conf import CONF
from masakari.engine.flows import base

ACTION = 'process:recovery'
FLOW_NAME = 'process_recovery_engine'


def task_dict():
    return CONF.taskflow_driver_recovery_flows.process_failure_recovery_tasks


def get_process_recovery_flow(context, novaclient):
    return base.build_flow(FLOW_NAME, task_dict(), context=context,
                           novaclient=novaclient)
