"""The database rules that must hold on every backend."""

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
def test_under_recovery_blocks_updates_until_final(database):
    segment = _segment()
    host = _host(segment)
    notification = _notification(host)
    with pytest.raises(exception.FailoverSegmentInUse):
        db_api.segment_update(segment.uuid, {'description': 'x'})
    with pytest.raises(exception.HostInUse):
        db_api.host_delete(host.uuid)
    db_api.notification_update(notification.notification_uuid,
                               {'status': 'finished'})
    assert db_api.segment_update(
        segment.uuid, {'description': 'x'}).description == 'x'


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_duplicate_window(database):
    host = _host(_segment())
    base = datetime.datetime(2026, 1, 1, 12, 0, 0)
    _notification(host, when=base)
    with pytest.raises(exception.DuplicateNotification):
        _notification(host, when=base + datetime.timedelta(seconds=179))
    # another payload, or outside the window, is not a duplicate
    _notification(host, payload={'event': 'STARTED'}, when=base)
    _notification(host, when=base + datetime.timedelta(seconds=181))


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_concurrent_duplicates_store_exactly_one(database):
    host = _host(_segment())
    when = datetime.datetime(2026, 1, 1, 12, 0, 0)

    def post(_):
        try:
            _notification(host, when=when)
            return 'stored'
        except exception.DuplicateNotification:
            return 'duplicate'

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
    vmoves = [db_api.vmove_create({'notification_uuid': 'n',
                                   'instance_uuid': 'i%d' % i,
                                   'instance_name': 'vm'}) for i in range(8)]

    def work(index):
        for step in range(10):
            db_api.vmove_update(vmoves[index].uuid, {'status': str(step)})
            db_api.host_update(hosts[index].uuid, {'reserved': step % 2 == 0},
                               check_recovery=False)

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(work, range(8)))
    assert {db_api.vmove_get_by_uuid(v.uuid).status for v in vmoves} == {'9'}
