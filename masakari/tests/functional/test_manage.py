"""masakari-manage and masakari-status, run as the operator runs them."""

import subprocess
import sys

from alembic import autogenerate
from alembic import migration as alembic_migration
import pytest
import sqlalchemy as sa

from masakari.db import models
from masakari.tests.conftest import BACKENDS
from masakari.tests.fixtures.bmc import bmcs  # noqa: F401
from masakari.tests.fixtures import servers
from masakari.tests.fixtures import upstream_schema

HEAD = 'a4d2c6e8f0b1'


def _manage(config_file, *args):
    return subprocess.run(
        [sys.executable, '-m', 'masakari.cmd.manage', '--config-file',
         str(config_file), *args], capture_output=True, text=True)


@pytest.fixture(params=BACKENDS)
def empty_db(request, tmp_path):
    """(url, config file) of an empty database on each backend."""
    if request.param == 'sqlite':
        url, drop = 'sqlite:///%s' % (tmp_path / 'm.sqlite'), lambda: None
    elif request.param == 'postgresql':
        url, drop = servers.create_postgresql_database()
    else:
        url, drop = servers.create_mysql_database()
    config = tmp_path / 'masakari.conf'
    config.write_text('[DEFAULT]\nstate_path = %s\n[database]\n'
                      'connection = %s\n' % (tmp_path, url))
    yield url, config
    drop()


def _schema_differences(url):
    """What alembic autogenerate sees between our models and the DB."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            context = alembic_migration.MigrationContext.configure(
                conn, opts={'compare_type': True})
            diffs = autogenerate.compare_metadata(context,
                                                  models.Base.metadata)
    finally:
        engine.dispose()
    # taskflow's tables and upstream's legacy bookkeeping are not ours.
    foreign = {'logbooks', 'flowdetails', 'atomdetails', 'alembic_version',
               'masakari_alembic_version', 'migrate_version'}

    def relevant(diff):
        item = diff[0] if isinstance(diff, list) else diff
        for part in item[1:]:
            table = getattr(part, 'table', part)
            name = getattr(table, 'name', table)
            if isinstance(name, str):
                return name not in foreign
        return True
    return [d for d in diffs if relevant(d)]


def test_db_sync_twice_then_version(empty_db):
    url, config = empty_db
    for _ in range(2):
        result = _manage(config, 'db', 'sync')
        assert result.returncode == 0, result.stderr
    version = _manage(config, 'db', 'version')
    assert version.stdout.strip() == HEAD
    assert _schema_differences(url) == []


@pytest.mark.parametrize('revision,legacy', [
    ('13adff5efb9a', None), ('8bdf5929c5a6', None),
    (None, 8), (None, 7)])
def test_takes_over_an_upstream_database(empty_db, revision, legacy):
    url, config = empty_db
    upstream_schema.create_upstream_database(url, alembic_revision=revision,
                                             legacy_version=legacy)
    result = _manage(config, 'db', 'sync')
    assert result.returncode == 0, result.stderr
    assert _manage(config, 'db', 'version').stdout.strip() == HEAD
    assert _schema_differences(url) == []
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        host = conn.execute(sa.text(
            'SELECT name, on_maintenance, failover_segment_id FROM hosts'
        )).one()
        notification = conn.execute(sa.text(
            'SELECT status, failover_segment_uuid FROM notifications')).one()
    engine.dispose()
    assert host == ('upstream-compute', True, upstream_schema.SEGMENT_UUID)
    assert notification == ('finished', None)


def test_refuses_an_unknown_legacy_version(tmp_path):
    url = 'sqlite:///%s' % (tmp_path / 'legacy.sqlite')
    upstream_schema.create_upstream_database(url, legacy_version=9)
    config = tmp_path / 'masakari.conf'
    config.write_text('[database]\nconnection = %s\n' % url)
    result = _manage(config, 'db', 'sync')
    assert result.returncode == 1
    assert 'legacy migration version 9' in result.stderr


@pytest.mark.parametrize('args,message', [
    (['--max_rows', '0'], 'greater than 0'),
    (['--age_in_days', '-1'], 'non-negative'),
    (['--age_in_days', '100000'], 'days since epoch'),
])
def test_purge_rejects_bad_arguments(tmp_path, args, message):
    config = tmp_path / 'masakari.conf'
    config.write_text('[DEFAULT]\nstate_path = %s\n' % tmp_path)
    result = _manage(config, 'db', 'purge', *args)
    assert result.returncode == 1
    assert message in result.stderr


def test_no_arguments_prints_usage():
    result = subprocess.run([sys.executable, '-m', 'masakari.cmd.manage'],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert 'usage' in result.stdout


def test_status_upgrade_check(tmp_path):
    config = tmp_path / 'masakari.conf'
    config.write_text('[DEFAULT]\nstate_path = %s\n' % tmp_path)
    status = [sys.executable, '-m', 'masakari.cmd.status', '--config-file',
              str(config), 'upgrade', 'check']
    before = subprocess.run(status, capture_output=True, text=True)
    # An empty database is not at head: a warning (exit code 1).
    assert before.returncode == 1, before.stdout + before.stderr
    assert 'masakari-manage db sync' in before.stdout
    assert _manage(config, 'db', 'sync').returncode == 0
    after = subprocess.run(status, capture_output=True, text=True)
    assert after.returncode == 0, after.stdout + after.stderr


def test_fencing_status_and_power_on_are_the_operators_to_ask(
        tmp_path, bmcs):  # noqa: F811
    """The engine only ever powers a fenced host off; bringing it back is
    an operator's explicit command."""
    bmc = bmcs.redfish('compute1', state='off')
    config = tmp_path / 'masakari.conf'
    config.write_text('[fencing]\nbmc_inventory_file = %s\n' % bmcs.path)

    status = _manage(config, 'fencing', 'status', 'compute1')
    assert (status.returncode, status.stdout) == (
        0, 'compute1: power off\n'), status.stderr
    assert bmc.power_on_requests == []

    power_on = _manage(config, 'fencing', 'power-on', 'compute1')
    assert power_on.returncode == 0, power_on.stderr
    assert len(bmc.power_on_requests) == 1
    assert power_on.stdout == ('compute1: power on requested; power on\n')

    unknown = _manage(config, 'fencing', 'status', 'compute9')
    assert unknown.returncode == 1
    assert 'compute9' in unknown.stderr
    assert bmc.inventory_entry()['password'] not in (
        status.stdout + power_on.stdout + unknown.stderr)
