"""Leases and the heartbeat, and the manager's use of them, on a real
database (no Nova: the driver is a stand-in). Real time passes here: the
heartbeat thread renews a lease of a few seconds, the manager's recovery
threads block until released."""

import datetime
import threading
import time

from oslo_db import exception as db_exc
import pytest

from masakari import context as masakari_context
from masakari.db import api as db_api
from masakari.engine import leases
from masakari.engine import manager as engine_manager
from masakari.engine import periodic
from masakari.engine import recovery
from masakari.tests.conftest import BACKENDS
from masakari.tests.fixtures.leases import lease_of
from masakari.tests.fixtures.leases import notifications


def _expire(uuid):
    db_api.notification_update(uuid, {
        'lease_expires_at': datetime.datetime(2000, 1, 1)})


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_beat_renews_and_finds_the_leases_taken_over(database, conf):
    conf.set_override('notification_lease_seconds', 600)
    kept, taken = notifications(2)
    for uuid in (kept, taken):
        db_api.notification_claim(uuid, 'engine-a', 5, ['new'])
    heartbeat = leases.Heartbeat(interval=3600)
    kept_lease = heartbeat.hold(kept, 'engine-a')
    taken_lease = heartbeat.hold(taken, 'engine-a')
    db_api.notification_update(taken, {'engine_host': 'engine-b'})
    try:
        assert heartbeat.beat() == [taken_lease]
    finally:
        heartbeat.stop()

    assert taken_lease.lost and not kept_lease.lost
    assert heartbeat.held() == [kept_lease]
    remaining = lease_of(kept) - datetime.datetime.utcnow()
    assert remaining.total_seconds() > 500
    with pytest.raises(leases.LeaseLost):
        taken_lease.check()
    with pytest.raises(leases.LeaseLost):
        taken_lease.confirm()
    kept_lease.confirm()
    assert db_api.notification_get_by_uuid(taken).engine_host == 'engine-b'


def test_the_heartbeat_thread_outlives_the_lease(database, conf):
    conf.set_override('notification_lease_seconds', 3)
    conf.set_override('notification_heartbeat_interval', 1)
    (uuid,) = notifications(1)
    db_api.notification_claim(uuid, 'engine-a', 3, ['new'])
    first_expiry = lease_of(uuid)
    heartbeat = leases.Heartbeat()
    lease = heartbeat.hold(uuid, 'engine-a')
    try:
        time.sleep(4.5)  # past the end of the lease as first claimed
        assert lease_of(uuid) > first_expiry
        assert db_api.notifications_with_expired_lease() == []
        assert not lease.lost
    finally:
        heartbeat.stop()
    # Stopped (a crash, for the others): the lease runs out, within its
    # length of the last renewal.
    _wait(lambda: [n.notification_uuid for n in
                   db_api.notifications_with_expired_lease()] == [uuid],
          timeout=15)



class BlockingDriver:
    """Host recoveries that last until ``release`` is set."""

    def __init__(self):
        self.release = threading.Event()
        self.started = []
        self._guard = threading.Lock()

    def execute_host_failure(self, context, host_name, method, uuid,
                             reserved_host_list=None, lease=None):
        with self._guard:
            self.started.append((uuid, lease))
        while not self.release.wait(0.05):
            lease.check()


@pytest.fixture
def blocking():
    return BlockingDriver()


@pytest.fixture
def engine(database, conf, blocking):
    manager = engine_manager.MasakariManager(driver=blocking, max_workers=2,
                                             host='engine-b')
    yield manager
    blocking.release.set()
    manager.stop(timeout=5)


def _wait(predicate, timeout=10):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_sweep_takes_no_more_than_the_free_workers(engine, blocking):
    ctx = masakari_context.get_admin_context()
    uuids = notifications(3)
    for uuid in uuids:
        db_api.notification_claim(uuid, 'engine-dead', 60, ['new'])
        _expire(uuid)

    first = periodic.take_over_expired(engine, ctx)

    assert len(first) == 2
    _wait(lambda: len(blocking.started) == 2)
    assert periodic.take_over_expired(engine, ctx) == []
    owners = {uuid: db_api.notification_get_by_uuid(uuid).engine_host
              for uuid in uuids}
    assert sorted(owners.values()) == ['engine-b', 'engine-b', 'engine-dead']
    blocking.release.set()
    assert [f.result(10) for f in first] == ['finished', 'finished']
    (last,) = periodic.take_over_expired(engine, ctx)
    assert last.result(10) == 'finished'
    for uuid in uuids:
        row = db_api.notification_get_by_uuid(uuid)
        assert (row.status, row.engine_host, row.lease_expires_at) == (
            'finished', None, None)


def test_a_lost_lease_records_no_outcome(engine, blocking):
    ctx = masakari_context.get_admin_context()
    (uuid,) = notifications(1)

    future = engine.submit(ctx, uuid)
    _wait(lambda: blocking.started)
    (_, lease), = blocking.started
    assert lease.owner == 'engine-b'
    db_api.notification_update(uuid, {'engine_host': 'engine-c'})
    engine.heartbeat.beat()

    assert future.result(10) is None
    row = db_api.notification_get_by_uuid(uuid)
    assert (row.status, row.engine_host) == ('running', 'engine-c')


def test_stop_releases_what_did_not_finish(engine, blocking):
    ctx = masakari_context.get_admin_context()
    (uuid,) = notifications(1)
    future = engine.submit(ctx, uuid)
    _wait(lambda: blocking.started)

    engine.stop(timeout=0.2)

    row = db_api.notification_get_by_uuid(uuid)
    assert row.status == 'running'
    assert row.engine_host == 'engine-b'
    assert row.message == engine_manager.STOPPED_MESSAGE % 'engine-b'
    assert [n.notification_uuid for n in
            db_api.notifications_with_expired_lease()] == [uuid]
    # The recovery thread stops at its next look at the lease.
    assert future.result(10) is None
    assert db_api.notification_get_by_uuid(uuid).status == 'running'


def test_the_outcome_waits_for_the_database_to_come_back(engine, blocking,
                                                         monkeypatch):
    """A database away at the end of a recovery delays its outcome but does
    not leave it ``running`` until the lease expires."""
    monkeypatch.setattr(recovery, 'OUTCOME_RETRY_FIRST_DELAY', 0.01)
    ctx = masakari_context.get_admin_context()
    (uuid,) = notifications(1)
    finish = db_api.notification_finish
    attempts = []

    def away_twice(*args, **kwargs):
        attempts.append(args)
        if len(attempts) <= 2:
            raise db_exc.DBConnectionError('the database restarts')
        return finish(*args, **kwargs)

    monkeypatch.setattr(db_api, 'notification_finish', away_twice)
    future = engine.submit(ctx, uuid)
    _wait(lambda: blocking.started)
    blocking.release.set()

    assert future.result(10) == 'finished'
    assert len(attempts) == 3
    row = db_api.notification_get_by_uuid(uuid)
    assert (row.status, row.engine_host) == ('finished', None)
