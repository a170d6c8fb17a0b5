"""Leases without a server or a clock: confirmation against an injected
clock, a renewal that meets a database error, and the tasks' look at the
lease (SQLite). The heartbeat thread, the backends and the manager's use of
leases are in masakari/tests/functional/engine/test_heartbeat.py."""

from oslo_db import exception as db_exc
import pytest

from masakari.db import api as db_api
from masakari.engine import leases
from masakari.engine.tasks import base
from masakari.tests.fixtures.leases import lease_of
from masakari.tests.fixtures.leases import notifications


def test_confirm_trusts_a_fresh_renewal_and_checks_an_old_one(database,
                                                              conf):
    conf.set_override('notification_lease_seconds', 60)
    (uuid,) = notifications(1)
    db_api.notification_claim(uuid, 'engine-a', 60, ['new'])
    now = [1000.0]
    lease = leases.Lease(uuid, 'engine-a', clock=lambda: now[0])
    lease.confirm()
    renewed = lease_of(uuid)
    # Another engine's name in the row (impossible before expiry, which
    # is the point): a fresh renewal is trusted without a database write.
    db_api.notification_update(uuid, {'engine_host': 'engine-b'})
    now[0] += leases.confirm_freshness() - 0.5
    lease.confirm()
    assert lease_of(uuid) == renewed
    now[0] += 1.0
    with pytest.raises(leases.LeaseLost):
        lease.confirm()


def test_a_database_error_does_not_lose_the_lease(database, conf,
                                                  monkeypatch):
    (uuid,) = notifications(1)
    db_api.notification_claim(uuid, 'engine-a', 60, ['new'])
    heartbeat = leases.Heartbeat(interval=3600)
    lease = heartbeat.hold(uuid, 'engine-a')

    def unreachable(*args):
        raise db_exc.DBConnectionError('gone')
    monkeypatch.setattr(db_api, 'notification_renew_lease', unreachable)
    try:
        assert heartbeat.beat() == []
    finally:
        heartbeat.stop()

    assert not lease.lost
    assert heartbeat.held() == [lease]


    task = base.NoOpTask(context=None, novaclient=None)
    task.pre_execute()  # no lease: a task run outside an engine
    task.post_execute()
    task.lease = leases.Lease('n', 'engine-a')
    task.pre_execute()
    task.post_execute()
    task.lease.lose()
    with pytest.raises(leases.LeaseLost):
        task.pre_execute()
    task.pre_revert()  # reverting is still allowed

