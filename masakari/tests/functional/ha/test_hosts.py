"""masakari.ha.hosts against a real database: the API's rules and the
updates the engine makes while recovering."""

import pytest

from masakari.db import api as db_api
from masakari import exception
from masakari.ha import hosts
from masakari.tests.conftest import BACKENDS
from masakari.tests.functional.ha import rows

VALUES = {'name': 'compute2', 'type': 'COMPUTE', 'control_attributes': 'x',
          'reserved': False, 'on_maintenance': False}


def test_get_checks_segment_then_host(database, ctx):
    segment, other = rows.make_segment(), rows.make_segment('other')
    host = rows.make_host(segment)
    with pytest.raises(exception.FailoverSegmentNotFound):
        hosts.get(ctx, 'nope', host.uuid)
    with pytest.raises(exception.HostNotFound):
        hosts.get(ctx, segment.uuid, 'nope')
    with pytest.raises(exception.HostNotFoundUnderFailoverSegment):
        hosts.get(ctx, other.uuid, host.uuid)
    assert hosts.get(ctx, segment.uuid, host.uuid).name == 'compute1'


def test_create_only_for_a_compute_host_nova_knows(database, ctx, nova,
                                                   events):
    segment = rows.make_segment()
    with pytest.raises(exception.ComputeNotFoundByName):
        hosts.create(ctx, segment.uuid, dict(VALUES, name='stranger'))
    host = hosts.create(ctx, segment.uuid, VALUES)
    assert (host.failover_segment_id, host.failover_segment.name) == (
        segment.uuid, 'seg')
    assert nova.asked == ['stranger', 'compute2']
    assert events == [('host.create.start', None), ('host.create.end', None)]


def test_create_is_not_checked_for_recovery(database, ctx, nova):
    segment = rows.make_segment()
    rows.start_recovery(rows.make_host(segment))
    assert hosts.create(ctx, segment.uuid, VALUES).name == 'compute2'


def test_rename_asks_nova_other_updates_do_not(database, ctx, nova):
    segment = rows.make_segment()
    host = rows.make_host(segment)
    hosts.update(ctx, segment.uuid, host.uuid, {'reserved': True,
                                                'name': 'compute1'})
    assert nova.asked == []
    with pytest.raises(exception.ComputeNotFoundByName):
        hosts.update(ctx, segment.uuid, host.uuid, {'name': 'stranger'})
    assert hosts.update(ctx, segment.uuid, host.uuid,
                        {'name': 'compute3'}).name == 'compute3'
    assert nova.asked == ['stranger', 'compute3']


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_no_update_or_delete_under_recovery(database, ctx, nova, events):
    segment = rows.make_segment()
    host = rows.make_host(segment)
    other = rows.make_host(segment, 'compute2')
    notification = rows.start_recovery(other)

    # Refused before Nova is asked about the new name and before any event.
    with pytest.raises(exception.HostInUse) as info:
        hosts.update(ctx, segment.uuid, host.uuid, {'name': 'compute3'})
    assert "can't be updated" in info.value.format_message()
    assert (nova.asked, events) == ([], [])
    with pytest.raises(exception.HostInUse) as info:
        hosts.delete(ctx, segment.uuid, host.uuid)
    assert "can't be deleted" in info.value.format_message()
    assert events == [('host.delete.start', None),
                      ('host.delete.error', 'HostInUse')]
    assert db_api.host_get_by_uuid(host.uuid).name == 'compute1'

    rows.finish(notification)
    hosts.update(ctx, segment.uuid, host.uuid, {'name': 'compute3'})
    hosts.delete(ctx, segment.uuid, host.uuid)
    with pytest.raises(exception.HostNotFound):
        db_api.host_get_by_uuid(host.uuid)


def test_update_refused_when_recovery_starts_after_the_first_check(
        database, ctx, nova, events, monkeypatch):
    """The database checks again in the transaction that writes."""
    segment = rows.make_segment()
    host = rows.make_host(segment)
    monkeypatch.setattr(db_api, 'segment_under_recovery', lambda uuid: False)
    rows.start_recovery(host)
    with pytest.raises(exception.HostInUse):
        hosts.update(ctx, segment.uuid, host.uuid, {'reserved': True})
    assert db_api.host_get_by_uuid(host.uuid).reserved is False
    assert events == [('host.update.start', None),
                      ('host.update.error', 'HostInUse')]


# --- engine ----------------------------------------------------------------
@pytest.mark.parametrize('host_failure,reserved', [(True, False),
                                                    (False, True)])
def test_failed_host_put_on_maintenance_during_recovery(
        database, ctx, events, host_failure, reserved):
    host = rows.make_host(rows.make_segment(), reserved=True)
    rows.start_recovery(host)
    updated = hosts.put_failed_host_on_maintenance(ctx, host,
                                                   host_failure=host_failure)
    assert (updated.on_maintenance, updated.reserved) == (True, reserved)
    stored = db_api.host_get_by_uuid(host.uuid)
    assert (stored.on_maintenance, stored.reserved) == (True, reserved)
    assert events == []


def test_reserved_host_taken_into_use_during_recovery(database, ctx):
    segment = rows.make_segment()
    rows.start_recovery(rows.make_host(segment))
    spare = rows.make_host(segment, 'compute2', reserved=True)
    assert hosts.take_reserved_host_into_use(ctx, 'compute2').reserved is False
    assert db_api.host_get_by_uuid(spare.uuid).reserved is False
    with pytest.raises(exception.HostNotFoundByName):
        hosts.take_reserved_host_into_use(ctx, 'nowhere')


def test_reserved_hosts_for_evacuation(database, ctx):
    segment, other = rows.make_segment(), rows.make_segment('other')
    failed = rows.make_host(segment, 'failed', reserved=True)
    first = rows.make_host(segment, 'r1', reserved=True)
    rows.make_host(segment, 'busy', reserved=True, on_maintenance=True)
    rows.make_host(segment, 'plain')
    rows.make_host(other, 'elsewhere', reserved=True)
    second = rows.make_host(segment, 'r2', reserved=True)
    # The default list order: newest first (created_at desc, id desc).
    assert [h.name for h in hosts.reserved_hosts_for_evacuation(
        ctx, failed)] == [second.name, first.name]
