"""Writes run again after a refused commit or a lost answer, on every
backend; and the host row lock leaves the host as it was.

A refused commit (Galera's certification failure, reported as deadlock
``DBDeadlock``) rolls the whole transaction back: running it again must
give what it would have given had it come second. A connection lost while
committing leaves unknown whether the commit happened: only
``notification_create`` is run again then, and it must find its own row
rather than call it a duplicate. The races themselves, on a real Galera
cluster, are in test_galera.py.
"""

import contextlib
import datetime

from oslo_db import exception as db_exc
import pytest

from masakari.db import api as db_api
from masakari.tests.conftest import BACKENDS


@pytest.fixture
def host(database):
    segment = db_api.segment_create({'name': 'seg', 'recovery_method': 'auto',
                                     'service_type': 'COMPUTE'})
    return db_api.host_create({
        'name': 'compute1', 'type': 'COMPUTE', 'control_attributes': 'ssh',
        'failover_segment_id': segment.uuid})


def _values(host):
    return {'type': 'COMPUTE_HOST', 'payload': {'event': 'STOPPED'},
            'generated_time': datetime.datetime(2026, 1, 1, 12, 0, 0),
            'source_host_uuid': host.uuid,
            'failover_segment_uuid': host.failover_segment_id}


def _failing_writes(monkeypatch, error, after_commit, times=1):
    """The next ``times`` write transactions raise ``error``: before they
    commit (rolled back) or after (committed, answer lost)."""
    real = db_api._writer
    left = [times]

    @contextlib.contextmanager
    def writer():
        if left[0] <= 0:
            with real() as session:
                yield session
            return
        left[0] -= 1
        with real() as session:
            yield session
            if not after_commit:
                raise error
        raise error
    monkeypatch.setattr(db_api, '_writer', writer)
    return left


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_claim_refused_at_commit_is_run_again(host, monkeypatch):
    uuid = db_api.notification_create(_values(host), 0).notification_uuid
    left = _failing_writes(monkeypatch, db_exc.DBDeadlock(), False)
    claimed = db_api.notification_claim(uuid, 'engine-1', 60, ['new'])
    assert left == [0]
    assert claimed.status == 'running' and claimed.engine_host == 'engine-1'


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_claim_refused_at_commit_after_another_won_is_none(host,
                                                           monkeypatch):
    """Run again, the claim sees the row another engine committed."""
    uuid = db_api.notification_create(_values(host), 0).notification_uuid
    real = db_api._writer

    @contextlib.contextmanager
    def writer():
        monkeypatch.setattr(db_api, '_writer', real)
        try:
            with real() as session:
                yield session
                raise db_exc.DBDeadlock()  # refused: rolled back
        finally:
            # Meanwhile the other engine's claim was committed.
            db_api.notification_claim(uuid, 'engine-2', 60, ['new'])
    monkeypatch.setattr(db_api, '_writer', writer)
    assert db_api.notification_claim(uuid, 'engine-1', 60, ['new']) is None
    assert db_api.notification_get_by_uuid(uuid).engine_host == 'engine-2'


def test_refused_until_the_retries_run_out_raises(host, monkeypatch):
    uuid = db_api.notification_create(_values(host), 0).notification_uuid
    monkeypatch.setattr(db_api, 'RETRY_INTERVAL', 0.001)
    _failing_writes(monkeypatch, db_exc.DBDeadlock(), False, times=100)
    with pytest.raises(db_exc.DBDeadlock):
        db_api.notification_renew_lease(uuid, 'engine-1', 60)


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_create_whose_answer_was_lost_returns_its_row(host, monkeypatch):
    """The commit happened, the connection broke before its answer: the
    next try returns the stored row, not DUPLICATE, and stores no other."""
    _failing_writes(monkeypatch, db_exc.DBConnectionError(), True)
    created = db_api.notification_create(_values(host), 180)
    assert created is not db_api.Refused.DUPLICATE
    rows = db_api.notification_get_all()
    assert [r.notification_uuid for r in rows] == [created.notification_uuid]
    # An equal notification posted again is still a duplicate.
    assert db_api.notification_create(_values(host), 180) is \
        db_api.Refused.DUPLICATE


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_create_refused_before_commit_stores_one(host, monkeypatch):
    _failing_writes(monkeypatch, db_exc.DBConnectionError(), False)
    created = db_api.notification_create(_values(host), 180)
    assert created is not db_api.Refused.DUPLICATE
    assert len(db_api.notification_get_all()) == 1


def test_other_writes_are_not_run_again_after_a_lost_connection(
        host, monkeypatch):
    """Whether a lost commit happened is unknown; a conditional UPDATE
    run again would misread its own write as another engine's."""
    uuid = db_api.notification_create(_values(host), 0).notification_uuid
    _failing_writes(monkeypatch, db_exc.DBConnectionError(), True)
    with pytest.raises(db_exc.DBConnectionError):
        db_api.notification_claim(uuid, 'engine-1', 60, ['new'])


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_host_row_lock_leaves_the_host_unchanged(host):
    before = db_api.host_get_by_uuid(host.uuid)
    db_api.notification_create(_values(host), 180)
    after = db_api.host_get_by_uuid(host.uuid)
    assert (after.deleted, after.updated_at, after.name) == \
        (before.deleted, before.updated_at, before.name) == \
        (0, host.updated_at, 'compute1')
