"""Schema migrations: alembic for masakari's tables, taskflow's for its own.

Also takes over databases left by upstream's legacy sqlalchemy-migrate
repository, by stamping the matching alembic revision.
"""

import contextlib
import os

from alembic import command as alembic_command
from alembic import config as alembic_config
from alembic import migration as alembic_migration
import sqlalchemy as sa

from masakari.conf import CONF
from masakari.db import api as db_api
from masakari import exception

_MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), 'migrations')
VERSION_TABLE = 'masakari_alembic_version'
# Legacy sqlalchemy-migrate versions and the alembic revision that matches.
_LEGACY_STAMPS = {7: '8f848eb45d03', 8: '8bdf5929c5a6'}


def _alembic_config(connection):
    config = alembic_config.Config(os.path.join(_MIGRATIONS_DIR,
                                                'alembic.ini'))
    config.set_main_option('script_location', _MIGRATIONS_DIR)
    config.attributes['connection'] = connection
    return config


def _legacy_version(connection):
    if not sa.inspect(connection).has_table('migrate_version'):
        return None
    return connection.execute(
        sa.text('SELECT version FROM migrate_version')).scalar()


def _current_revision(connection):
    context = alembic_migration.MigrationContext.configure(
        connection, opts={'version_table': VERSION_TABLE})
    return context.get_current_revision()


def _stamp_legacy(connection, config):
    legacy = _legacy_version(connection)
    if legacy is None or _current_revision(connection) is not None:
        return
    if legacy > 8 and os.environ.get('FORCE_MASAKARI_DB_SYNC'):
        legacy = 8
    if legacy not in _LEGACY_STAMPS:
        raise exception.ConfigInvalid(
            reason='the database is at legacy migration version %s; only '
                   'versions 7 and 8 can be taken over' % legacy)
    alembic_command.stamp(config, _LEGACY_STAMPS[legacy])


def db_sync(engine=None):
    """Upgrade our schema to head, then taskflow's persistence schema."""
    engine = engine or db_api.get_engine()
    with engine.begin() as connection:
        config = _alembic_config(connection)
        _stamp_legacy(connection, config)
        alembic_command.upgrade(config, 'head')
    taskflow_sync()


def db_version(engine=None):
    engine = engine or db_api.get_engine()
    with engine.connect() as connection:
        return _current_revision(connection)


def taskflow_connection():
    """``[taskflow] connection``, falling back to ``[database] connection``."""
    return CONF.taskflow.connection or CONF.database.connection


def taskflow_sync():
    # Imported here: taskflow is heavy and only the engine and manage need it.
    from taskflow.persistence import backends

    backend = backends.fetch({'connection': taskflow_connection()})
    with contextlib.closing(backend.get_connection()) as connection:
        connection.upgrade()
