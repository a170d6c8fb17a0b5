"""The instance failure flow: stop, start, confirm active.

Action ``instance:recovery``, flow ``instance_recovery_engine``.
"""

from masakari.conf import CONF
from masakari.engine.flows import base

ACTION = 'instance:recovery'
FLOW_NAME = 'instance_recovery_engine'


def task_dict():
    return CONF.taskflow_driver_recovery_flows.instance_failure_recovery_tasks


def get_instance_recovery_flow(context, novaclient):
    return base.build_flow(FLOW_NAME, task_dict(), context=context,
                           novaclient=novaclient)
