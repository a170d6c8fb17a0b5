"""Fixtures every test package shares: configuration and a migrated database.

``conf`` gives each test a clean global CONF whose state lives in a temporary
directory and whose RPC transport is in-process. ``database`` gives a fresh
database migrated to head: SQLite by default; tests marked or parametrized
with ``backend`` in ('postgresql', 'mysql') get a real server's database.
"""

import os
import shutil

import pytest

from masakari.conf import CONF
from masakari.db import api as db_api
from masakari.db import migration
from masakari.tests.fixtures.openstack_timings import (  # noqa: F401
    pytest_terminal_summary)
from masakari.tests.fixtures import servers

BACKENDS = ('sqlite', 'postgresql', 'mysql')
_SQLITE_TEMPLATE = {}


def pytest_configure(config):
    config.addinivalue_line(
        'markers', 'backends: run a database test on every backend')


@pytest.fixture
def conf(tmp_path):
    CONF([], project='masakari', default_config_files=[])
    CONF.set_override('state_path', str(tmp_path))
    CONF.set_override('transport_url', 'fake://')
    CONF.set_override('auth_strategy', 'noauth2')
    yield CONF
    db_api.dispose()
    CONF.reset()


def _sqlite_url(tmp_path):
    """Copy of a database migrated once per process: migrating is slow."""
    if 'path' not in _SQLITE_TEMPLATE:
        template_dir = tmp_path.parent / ('template-%d' % os.getpid())
        template_dir.mkdir(exist_ok=True)
        path = template_dir / 'masakari.sqlite'
        CONF.set_override('connection', 'sqlite:///%s' % path, 'database')
        migration.db_sync()
        db_api.dispose()
        _SQLITE_TEMPLATE['path'] = str(path)
    target = tmp_path / 'masakari.sqlite'
    shutil.copy(_SQLITE_TEMPLATE['path'], target)
    return 'sqlite:///%s' % target


def make_database(backend, tmp_path):
    """A migrated database on ``backend``; returns (url, cleanup)."""
    if backend == 'sqlite':
        return _sqlite_url(tmp_path), lambda: None
    create = {'postgresql': servers.create_postgresql_database,
              'mysql': servers.create_mysql_database}[backend]
    url, drop = create()
    CONF.set_override('connection', url, 'database')
    migration.db_sync()
    db_api.dispose()
    return url, drop


@pytest.fixture(params=['sqlite'])
def backend(request):
    """Parametrize with ``@pytest.mark.parametrize('backend', BACKENDS,
    indirect=True)`` to run a test on real PostgreSQL and MariaDB too."""
    return request.param


@pytest.fixture
def database(conf, backend, tmp_path):
    url, cleanup = make_database(backend, tmp_path)
    CONF.set_override('connection', url, 'database')
    db_api.dispose()
    yield url
    db_api.dispose()
    cleanup()
