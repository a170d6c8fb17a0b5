"""``[coordination]``: accepted for compatibility with upstream configs."""

from oslo_config import cfg

coordination_group = cfg.OptGroup('coordination', title='Coordination')

coordination_opts = [
    cfg.StrOpt('backend_url', secret=True,
               help='Accepted and ignored: duplicate detection and '
                    'notification ownership are decided by the database, '
                    'which needs no separate lock service.'),
]


def register_opts(conf):
    conf.register_group(coordination_group)
    conf.register_opts(coordination_opts, group=coordination_group)


def list_opts():
    return {coordination_group: coordination_opts}
