"""``[taskflow]``: where recovery flows keep their progress."""

from oslo_config import cfg

taskflow_group = cfg.OptGroup('taskflow', title='Taskflow persistence')

taskflow_opts = [
    cfg.StrOpt('connection', secret=True,
               help='SQLAlchemy URL of the taskflow persistence database. '
                    'Defaults to [database] connection when unset.'),
]


def register_opts(conf):
    conf.register_group(taskflow_group)
    conf.register_opts(taskflow_opts, group=taskflow_group)


def list_opts():
    return {taskflow_group: taskflow_opts}
