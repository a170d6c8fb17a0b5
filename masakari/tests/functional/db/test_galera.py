"""The atomic guards of masakari/db/api.py on a multi-writer Galera cluster.

Two writers on two nodes race for the same row: both UPDATEs succeed
locally, and Galera refuses the transaction certified second at commit
(deadlock 1213). Run again, it must see the winner's row: one claim wins,
one of two equal notifications is stored, a renewal and a take-over do not
both succeed. Each race runs many times; the retries the conflicts caused
are counted, so the test shows that the conflicts happened.

The threads of a test reach different nodes through their own
transaction context (``get_context_manager`` is per thread here).
"""

import concurrent.futures
import datetime
import logging
import threading

from oslo_db.sqlalchemy import enginefacade
import pytest

from masakari.db import api as db_api
from masakari.db import migration
from masakari.tests.fixtures import galera
from masakari.tests.fixtures import servers

ROUNDS = 30
# More rounds, when none of the first ROUNDS met a conflict (a loaded
# machine can serialise the two threads by chance).
MAX_ROUNDS = 150


@pytest.fixture(scope='module')
def cluster():
    try:
        started = galera.GaleraCluster().start()
    except servers.NotInstalled as exc:
        servers._missing(exc.what)
    yield started
    started.destroy()


@pytest.fixture
def nodes(cluster, conf, tmp_path, monkeypatch):
    """Migrated database; returns ``on(index)``, which routes the calling
    thread's queries to node ``index``."""
    name = 'masakari_%s' % tmp_path.name.replace('-', '_')[-24:]
    cluster.nodes[0].sql('CREATE DATABASE %s CHARACTER SET utf8mb4' % name)
    conf.set_override('connection', cluster.nodes[0].url(name), 'database')
    migration.db_sync()
    db_api.dispose()
    managers = []
    for node in cluster.nodes:
        manager = enginefacade.transaction_context()
        manager.configure(connection=node.url(name), expire_on_commit=False,
                          mysql_wsrep_sync_wait=1)
        managers.append(manager)
    local = threading.local()
    monkeypatch.setattr(db_api, 'get_context_manager',
                        lambda: managers[getattr(local, 'node', 0)])

    def on(index):
        local.node = index
    yield on
    for manager in managers:
        manager.writer.get_engine().dispose()


@pytest.fixture
def retries(caplog):
    """How many times oslo.db ran a transaction again."""
    caplog.set_level(logging.DEBUG, logger='oslo_db.api')
    return lambda: sum('Performing DB retry' in r.getMessage()
                       for r in caplog.records)


def _rounds(retries):
    """Round numbers: ROUNDS of them, then more until one of them made
    Galera refuse a commit (the case these tests are about)."""
    for index in range(MAX_ROUNDS):
        if index >= ROUNDS and retries() > 0:
            return
        yield index


def _race(on, *calls):
    """Run each ``(node, function, args)`` at once on its own thread; the
    results in order (an exception fails the test)."""
    barrier = threading.Barrier(len(calls))

    def run(node, function, args):
        on(node)
        barrier.wait()
        return function(*args)
    with concurrent.futures.ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(run, *call) for call in calls]
        return [future.result() for future in futures]


def _host():
    segment = db_api.segment_create({'name': 'seg', 'recovery_method': 'auto',
                                     'service_type': 'COMPUTE'})
    return db_api.host_create({
        'name': 'compute1', 'type': 'COMPUTE', 'control_attributes': 'ssh',
        'failover_segment_id': segment.uuid})


def _values(host, index):
    return {'type': 'COMPUTE_HOST', 'payload': {'event': 'STOPPED'},
            'generated_time': datetime.datetime(2026, 1, 1, 12, 0, index),
            'source_host_uuid': host.uuid,
            'failover_segment_uuid': host.failover_segment_id}


def test_two_nodes_claim_one_notification_one_wins(nodes, retries):
    host = _host()
    for index in _rounds(retries):
        uuid = db_api.notification_create(_values(host, index), 0)
        uuid = uuid.notification_uuid
        results = _race(nodes, *[
            (node, db_api.notification_claim,
             (uuid, 'engine-%d' % node, 60, ['new'])) for node in (1, 2)])
        winners = [r.engine_host for r in results if r is not None]
        assert len(winners) == 1, results
        nodes(0)
        assert db_api.notification_get_by_uuid(uuid).engine_host == \
            winners[0]
    assert retries() > 0


def test_equal_notifications_through_two_nodes_stored_once(nodes, retries):
    host = _host()
    rounds = 0
    for index in _rounds(retries):
        rounds += 1
        values = _values(host, index)
        results = _race(nodes, *[
            (node, db_api.notification_create, (values, 0))
            for node in (1, 2)])
        stored = [r for r in results if r is not db_api.Refused.DUPLICATE]
        assert len(stored) == 1, results
    nodes(0)
    assert len(db_api.notification_get_all()) == rounds
    assert retries() > 0


def test_renewal_and_take_over_do_not_both_succeed(nodes, retries):
    host = _host()
    for index in _rounds(retries):
        uuid = db_api.notification_create(
            _values(host, index), 0).notification_uuid
        # Claimed with a lease that has expired already.
        db_api.notification_claim(uuid, 'owner', 0, ['new'])
        renewed, taken = _race(
            nodes, (1, db_api.notification_renew_lease, (uuid, 'owner', 60)),
            (2, db_api.notification_take_over, (uuid, 'other', 60)))
        assert renewed != (taken is not None), (renewed, taken)
        nodes(0)
        row = db_api.notification_get_by_uuid(uuid)
        assert row.engine_host == ('owner' if renewed else 'other')
    assert retries() > 0


def test_mysql_wsrep_sync_wait_reaches_the_engine(conf):
    """``[database] mysql_wsrep_sync_wait`` is passed to oslo.db, which sets
    it on every connection (causal reads: the engine reads what the API
    committed on another node)."""
    conf.set_override('mysql_wsrep_sync_wait', 1, 'database')
    assert db_api._database_options()['mysql_wsrep_sync_wait'] == 1


def test_causal_reads_are_on_with_the_option(cluster, conf):
    conf.set_override('connection', cluster.nodes[1].url('mysql'),
                      'database')
    conf.set_override('mysql_wsrep_sync_wait', 1, 'database')
    db_api.dispose()
    engine = db_api.get_engine()
    with engine.connect() as connection:
        value = connection.exec_driver_sql(
            'SELECT @@SESSION.wsrep_sync_wait').scalar()
    assert int(value) == 1
