"""``[database]`` comes from oslo.db; masakari only sets its default URL."""

from oslo_config import cfg
from oslo_db import options as oslo_db_options

_DEFAULT_SQL_CONNECTION = 'sqlite:///$state_path/masakari.sqlite'


def register_opts(conf):
    oslo_db_options.set_defaults(conf, connection=_DEFAULT_SQL_CONNECTION)


def list_opts():
    # oslo.db publishes its own options under the oslo.db namespace.
    return {}


__all__ = ['cfg', 'register_opts', 'list_opts']
