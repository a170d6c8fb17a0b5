"""masakari-manage: database schema, housekeeping and fencing commands."""

import datetime
import sys

from oslo_config import cfg

from masakari.common import config
from masakari.conf import CONF
from masakari.db import api as db_api
from masakari.db import migration
from masakari.fencing import api as fencing
from masakari import version

_MAX_INT = 2 ** 31 - 1


class DbCommands:
    """``db sync``, ``db version`` and ``db purge``."""

    def sync(self):
        """Upgrade the schema to head; safe to run again."""
        migration.db_sync()
        print('Database is at revision %s' % migration.db_version())

    def version(self):
        print(migration.db_version())

    def purge(self, age_in_days, max_rows):
        """Hard-delete soft-deleted rows and final notifications."""
        if max_rows == 0:
            raise ValueError('Must supply value greater than 0 for max_rows.')
        if max_rows < -1 or max_rows > _MAX_INT:
            raise ValueError('max_rows must be -1 (no limit) or between 1 '
                             'and %d.' % _MAX_INT)
        if age_in_days < 0:
            raise ValueError('Must supply a non-negative value for '
                             'age_in_days.')
        epoch_days = (datetime.datetime.utcnow() -
                      datetime.datetime(1970, 1, 1)).days
        if age_in_days >= epoch_days:
            raise ValueError('Maximal age is count of days since epoch.')
        deleted = db_api.purge_deleted_rows(age_in_days, max_rows)
        print('Purged %d rows older than %d days.' % (deleted, age_in_days))


class FencingCommands:
    """``fencing status HOST`` and ``fencing power-on HOST``: the
    operator's hand on a host's BMC (the engine powers hosts off, never
    on)."""

    def status(self, host):
        print('%s: power %s' % (host, fencing.power_state(host)))

    def power_on(self, host):
        fencing.power_on(host)
        print('%s: power on requested; power %s'
              % (host, fencing.power_state(host)))


def _add_command_parsers(subparsers):
    db_parser = subparsers.add_parser('db', help='database commands')
    actions = db_parser.add_subparsers(dest='action')
    actions.required = True
    actions.add_parser('sync', help='upgrade the schema to head')
    actions.add_parser('version', help='print the schema revision')
    purge = actions.add_parser('purge', help='delete old rows for good')
    purge.add_argument('--age_in_days', type=int, default=30,
                       help='purge rows older than this many days')
    purge.add_argument('--max_rows', type=int, default=-1,
                       help='stop after this many rows (-1: no limit)')
    fencing_parser = subparsers.add_parser(
        'fencing', help="a host's power, through its BMC")
    actions = fencing_parser.add_subparsers(dest='action')
    actions.required = True
    for action, text in (('status', 'print the power state'),
                         ('power-on', 'power the host on (after repair)')):
        actions.add_parser(action, help=text).add_argument(
            'host_name', metavar='HOST',
            help='the host name, as in the BMC inventory file')


_category_opt = cfg.SubCommandOpt('category', title='Command categories',
                                  handler=_add_command_parsers)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    CONF.register_cli_opt(_category_opt)
    if not argv:
        print('masakari-manage %s' % version.version_string())
        print('usage: masakari-manage [--config-file FILE] db '
              '{sync,version,purge}')
        print('       masakari-manage [--config-file FILE] fencing '
              '{status,power-on} HOST')
        return 2
    try:
        config.parse_args(argv, setup_logging=False)
    except cfg.Error as exc:
        print(exc, file=sys.stderr)
        return 2
    action = CONF.category.action
    try:
        if CONF.category.name == 'fencing':
            getattr(FencingCommands(), action.replace('-', '_'))(
                CONF.category.host_name)
        elif action == 'purge':
            DbCommands().purge(CONF.category.age_in_days,
                               CONF.category.max_rows)
        else:
            getattr(DbCommands(), action)()
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 1
    except Exception as exc:  # an operator wants a line, not a traceback
        print('%s failed: %s' % (action, exc), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
