"""The database queries, and their atomic guards, on every backend.

The rules the guards serve (and the errors they raise) are tested with
``masakari.ha`` in masakari/tests/functional/ha/.
"""

import concurrent.futures
import datetime

import pytest

from masakari.db import api as db_api
from masakari import exception
from masakari.tests.conftest import BACKENDS


def _segment(name='seg'):
    return db_api.segment_create({'name': name, 'recovery_method': 'auto',
                                  'service_type': 'COMPUTE'})


def _host(segment, name='compute1', **extra):
    values = {'name': name, 'type': 'COMPUTE', 'control_attributes': 'ssh',
              'failover_segment_id': segment.uuid}
    values.update(extra)
    return db_api.host_create(values)


def _notification(host, payload=None, when=None):
    return db_api.notification_create(
        {'type': 'COMPUTE_HOST', 'payload': payload or {'event': 'STOPPED'},
         'generated_time': when or datetime.datetime(2026, 1, 1, 12, 0, 0),
         'source_host_uuid': host.uuid,
         'failover_segment_uuid': host.failover_segment_id}, 180)


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_names_unique_among_live_rows(database):
    segment = _segment()
    with pytest.raises(exception.FailoverSegmentExists):
        _segment()
    _host(segment)
    other = _segment('other')
    with pytest.raises(exception.HostExists):
        _host(other)
    db_api.segment_delete(other.uuid)
    assert _segment('other').name == 'other'


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_segment_delete_cascades_to_hosts(database):
    segment = _segment()
    host = _host(segment)
    db_api.segment_delete(segment.uuid)
    with pytest.raises(exception.HostNotFound):
        db_api.host_get_by_uuid(host.uuid)
    # the name is free again once the host is soft-deleted
    _host(_segment('again'))


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_under_recovery_guard_writes_nothing_until_final(database):
    segment = _segment()
    host = _host(segment)
    notification = _notification(host)
    refused = db_api.Refused.UNDER_RECOVERY
    assert db_api.segment_under_recovery(segment.uuid)
    assert db_api.segment_update(segment.uuid,
                                 {'description': 'x'}) is refused
    assert db_api.host_update(host.uuid, {'reserved': True}) is refused
    assert db_api.host_delete(host.uuid) is refused
    assert db_api.segment_delete(segment.uuid) is refused
    stored = db_api.host_get_by_uuid(host.uuid)
    assert (stored.reserved, stored.failover_segment.description) == (
        False, None)
    # The engine, which is the one recovering, writes past the guard.
    assert db_api.host_update(host.uuid, {'reserved': True},
                              check_recovery=False).reserved is True
    db_api.notification_update(notification.notification_uuid,
                               {'status': 'finished'})
    assert not db_api.segment_under_recovery(segment.uuid)
    assert db_api.segment_update(
        segment.uuid, {'description': 'x'}).description == 'x'


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_duplicate_window(database):
    host = _host(_segment())
    base = datetime.datetime(2026, 1, 1, 12, 0, 0)
    _notification(host, when=base)
    assert _notification(host, when=base + datetime.timedelta(
        seconds=179)) is db_api.Refused.DUPLICATE
    assert len(db_api.notification_get_all()) == 1
    # another payload, or outside the window, is not a duplicate
    _notification(host, payload={'event': 'STARTED'}, when=base)
    _notification(host, when=base + datetime.timedelta(seconds=181))


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_concurrent_duplicates_store_exactly_one(database):
    host = _host(_segment())
    when = datetime.datetime(2026, 1, 1, 12, 0, 0)

    def post(_):
        if _notification(host, when=when) is db_api.Refused.DUPLICATE:
            return 'duplicate'
        return 'stored'

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(post, range(8)))
    assert outcomes.count('stored') == 1
    assert outcomes.count('duplicate') == 7
    assert len(db_api.notification_get_all()) == 1


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_conditional_status_update_claims_once(database):
    notification = _notification(_host(_segment()))
    uuid = notification.notification_uuid
    claimed = db_api.notification_update(uuid, {'status': 'running'},
                                         expected_statuses=['new'])
    assert claimed.status == 'running'
    assert db_api.notification_update(uuid, {'status': 'running'},
                                      expected_statuses=['new']) is None


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_pagination_by_integer_or_uuid_marker(database):
    segments = [_segment('s%d' % i) for i in range(5)]
    by_id = sorted(segments, key=lambda s: s.id)
    page = db_api.segment_get_all(limit=2, sort_keys=['id'],
                                  sort_dirs=['asc'])
    assert [s.id for s in page] == [s.id for s in by_id[:2]]
    for marker in (page[-1].id, str(page[-1].id), page[-1].uuid):
        nxt = db_api.segment_get_all(limit=2, marker=marker,
                                     sort_keys=['id'], sort_dirs=['asc'])
        assert [s.id for s in nxt] == [s.id for s in by_id[2:4]]
    with pytest.raises(exception.MarkerNotFound):
        db_api.segment_get_all(marker=99999)
    with pytest.raises(exception.InvalidSortKey):
        db_api.segment_get_all(sort_keys=['nope'])


def test_sort_tie_breakers_keep_pages_stable(database):
    """Rows equal on the requested key come by created_at then id, in the
    first requested direction."""
    segments = [_segment('s%d' % i) for i in range(6)]
    for direction in ('asc', 'desc'):
        pages, marker = [], None
        while True:
            page = db_api.segment_get_all(
                limit=2, marker=marker, sort_keys=['service_type'],
                sort_dirs=[direction])
            if not page:
                break
            pages.extend(s.id for s in page)
            marker = page[-1].id
        ids = sorted(s.id for s in segments)
        assert pages == (ids if direction == 'asc' else ids[::-1])


def test_purge_only_old_deleted_or_final(database):
    segment = _segment()
    db_api.segment_delete(segment.uuid)
    live = _segment('live')
    assert db_api.purge_deleted_rows(age_in_days=1, max_rows=-1) == 0
    assert db_api.purge_deleted_rows(age_in_days=-1, max_rows=-1) == 1
    assert db_api.segment_get_by_uuid(live.uuid).name == 'live'


def test_parallel_read_then_write_updates_on_sqlite(database):
    """Engine threads update vmoves and hosts at once: none may fail with
    "database is locked" (SQLite upgrades a read lock to a write lock)."""
    segment = _segment()
    hosts = [_host(segment, 'h%d' % i) for i in range(8)]
    vmoves = db_api.vmove_create_many([{'notification_uuid': 'n',
                                        'instance_uuid': 'i%d' % i,
                                        'instance_name': 'vm'}
                                       for i in range(8)])

    def work(index):
        for step in range(10):
            db_api.vmove_update(vmoves[index].uuid, {'status': str(step)})
            db_api.host_update(hosts[index].uuid, {'reserved': step % 2 == 0},
                               check_recovery=False)

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(work, range(8)))
    assert {db_api.vmove_get_by_uuid(v.uuid).status for v in vmoves} == {'9'}


# --- engine ownership: claim, renew, expire, take over, finish ---
def _expire(uuid):
    db_api.notification_update(uuid, {
        'lease_expires_at': datetime.datetime(2000, 1, 1)})


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_claim_sets_owner_and_a_lease_from_the_database_clock(database):
    uuid = _notification(_host(_segment())).notification_uuid
    before = datetime.datetime.utcnow()

    row = db_api.notification_claim(uuid, 'engine-a', 60, ['new'],
                                    message='mine')
    after = datetime.datetime.utcnow()

    assert (row.status, row.engine_host, row.message) == (
        'running', 'engine-a', 'mine')
    # UTC, a minute after the claim however long the claim took (a second
    # either way: MySQL keeps whole seconds).
    second = datetime.timedelta(seconds=1)
    assert (before + 59 * second <= row.lease_expires_at <=
            after + 61 * second), (before, row.lease_expires_at, after)
    assert db_api.notification_claim(uuid, 'engine-b', 60, ['new']) is None
    assert db_api.notification_take_over(uuid, 'engine-b', 60) is None
    assert db_api.notifications_with_expired_lease() == []
    assert [n.notification_uuid for n in
            db_api.notifications_held_by('engine-a')] == [uuid]
    assert db_api.notifications_held_by('engine-b') == []


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_concurrent_claims_have_one_winner(database):
    uuid = _notification(_host(_segment())).notification_uuid

    def claim(index):
        return db_api.notification_claim(uuid, 'engine-%d' % index, 60,
                                         ['new'])

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(claim, range(8)))

    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    owner = db_api.notification_get_by_uuid(uuid).engine_host
    assert owner == winners[0].engine_host


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_renew_only_by_the_owner(database):
    uuid = _notification(_host(_segment())).notification_uuid
    db_api.notification_claim(uuid, 'engine-a', 1, ['new'])
    first = db_api.notification_get_by_uuid(uuid).lease_expires_at

    assert db_api.notification_renew_lease(uuid, 'engine-a', 300)
    assert not db_api.notification_renew_lease(uuid, 'engine-b', 300)

    renewed = db_api.notification_get_by_uuid(uuid).lease_expires_at
    assert (renewed - first).total_seconds() >= 290
    # A renewal keeps a lapsed lease alive while nobody took it over.
    _expire(uuid)
    assert db_api.notification_renew_lease(uuid, 'engine-a', 300)
    assert db_api.notifications_with_expired_lease() == []


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_expired_lease_is_taken_over_once(database):
    host = _host(_segment())
    uuid = _notification(host).notification_uuid
    live = _notification(host, payload={'event': 'other'}).notification_uuid
    db_api.notification_claim(uuid, 'engine-a', 60, ['new'])
    db_api.notification_claim(live, 'engine-a', 60, ['new'])
    _expire(uuid)

    assert [n.notification_uuid for n in
            db_api.notifications_with_expired_lease()] == [uuid]

    def take(index):
        return db_api.notification_take_over(uuid, 'engine-%s' % index, 60,
                                             message='taken')

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = [r for r in pool.map(take, 'bcde') if r is not None]

    assert len(results) == 1
    row = db_api.notification_get_by_uuid(uuid)
    assert (row.status, row.engine_host, row.message) == (
        'running', results[0].engine_host, 'taken')
    assert row.lease_expires_at > datetime.datetime.utcnow()
    # The old owner lost it: no renewal, no outcome of its own.
    assert not db_api.notification_renew_lease(uuid, 'engine-a', 60)
    assert db_api.notification_finish(uuid, 'engine-a',
                                      {'status': 'error'}) is None
    # The live one is nobody else's to take.
    assert db_api.notification_take_over(live, 'engine-b', 60) is None
    assert db_api.notifications_with_expired_lease() == []


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_own_notification_taken_back_at_once(database):
    uuid = _notification(_host(_segment())).notification_uuid
    db_api.notification_claim(uuid, 'engine-a', 60, ['new'])

    assert db_api.notification_take_over(uuid, 'engine-b', 60,
                                         own=True) is None
    row = db_api.notification_take_over(uuid, 'engine-a', 60, own=True)

    assert (row.status, row.engine_host) == ('running', 'engine-a')


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_release_expires_the_lease_now(database):
    uuid = _notification(_host(_segment())).notification_uuid
    db_api.notification_claim(uuid, 'engine-a', 600, ['new'])

    assert db_api.notification_release(uuid, 'engine-b') is None
    row = db_api.notification_release(uuid, 'engine-a', {'message': 'bye'})

    assert (row.status, row.message) == ('running', 'bye')
    assert [n.notification_uuid for n in
            db_api.notifications_with_expired_lease()] == [uuid]
    assert db_api.notification_take_over(uuid, 'engine-b',
                                         60).engine_host == 'engine-b'


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_finish_by_the_owner_clears_the_lease(database):
    host = _host(_segment())
    uuid = _notification(host).notification_uuid
    legacy = _notification(host, payload={'event': 'x'}).notification_uuid
    db_api.notification_claim(uuid, 'engine-a', 60, ['new'])
    # Running without a lease: left by an engine that keeps none (upstream's).
    db_api.notification_update(legacy, {'status': 'running'})

    row = db_api.notification_finish(uuid, 'engine-a', {
        'status': 'finished', 'message': 'done'})

    assert (row.status, row.message, row.engine_host,
            row.lease_expires_at) == ('finished', 'done', None, None)
    assert db_api.notification_finish(uuid, 'engine-a',
                                      {'status': 'error'}) is None
    assert not db_api.notification_renew_lease(uuid, 'engine-a', 60)
    assert db_api.notification_take_over(uuid, 'engine-a', 60,
                                         own=True) is None
    assert db_api.notifications_with_expired_lease() == []
    assert db_api.notification_take_over(legacy, 'engine-a', 60) is None


def test_vmove_create_many_in_one_go(database):
    values = [{'notification_uuid': 'n', 'instance_uuid': 'i%d' % i,
               'instance_name': 'vm%d' % i, 'status': 'pending'}
              for i in range(5)]
    created = db_api.vmove_create_many(values)
    assert len({vmove.uuid for vmove in created}) == 5
    stored = db_api.vmove_get_all(filters={'notification_uuid': 'n'})
    assert sorted(v.instance_uuid for v in stored) == [
        'i%d' % i for i in range(5)]
    assert db_api.vmove_create_many([]) == []


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_vmove_update_changes_only_its_live_row(database):
    first, second = db_api.vmove_create_many(
        [{'notification_uuid': 'n', 'instance_uuid': 'i%d' % i,
          'instance_name': 'vm', 'status': 'pending'} for i in range(2)])
    values = {'status': 'succeeded', 'dest_host': 'c2'}
    db_api.vmove_update(first.uuid, values)
    # The same values again still find the row (MySQL counts matched
    # rows, not changed ones, for oslo.db's connections).
    db_api.vmove_update(first.uuid, values)
    stored = db_api.vmove_get_by_uuid(first.uuid)
    assert (stored.status, stored.dest_host) == ('succeeded', 'c2')
    assert stored.updated_at is not None
    assert db_api.vmove_get_by_uuid(second.uuid).status == 'pending'
    with pytest.raises(exception.VMoveNotFound):
        db_api.vmove_update('no-such-vmove', values)
