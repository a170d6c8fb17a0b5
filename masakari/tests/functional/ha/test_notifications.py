"""masakari.ha.notifications and masakari.ha.vmoves against a real
database."""

import datetime

import pytest

from masakari.db import api as db_api
from masakari import exception
from masakari.ha import notifications
from masakari.ha import vmoves
from masakari.tests.conftest import BACKENDS
from masakari.tests.functional.ha import rows

PAYLOAD = {'event': 'STOPPED', 'host_status': 'NORMAL'}


def _create(ctx, hostname='compute1', when=rows.WHEN, payload=PAYLOAD):
    return notifications.create(ctx, hostname, 'COMPUTE_HOST', when,
                                payload)


def test_stored_then_cast_to_the_engine(database, ctx, engine, events):
    host = rows.make_host(rows.make_segment())
    notification = _create(ctx)
    stored = db_api.notification_get_by_uuid(notification.notification_uuid)
    assert (stored.status, stored.source_host_uuid,
            stored.failover_segment_uuid) == ('new', host.uuid,
                                              host.failover_segment_id)
    assert engine.casts == [notification.notification_uuid]
    assert events == [('notification.create.start', None),
                      ('notification.create.end', None)]


def test_stored_even_when_the_engine_cannot_be_told(database, ctx, engine):
    rows.make_host(rows.make_segment())
    engine.fail = True
    notification = _create(ctx)
    assert notifications.get(
        ctx, notification.notification_uuid).status == 'new'


def test_unknown_host_name(database, ctx, engine):
    with pytest.raises(exception.HostNotFoundByName):
        _create(ctx, hostname='nowhere')


def test_host_on_maintenance_refused_before_any_event(database, ctx, engine,
                                                      events):
    rows.make_host(rows.make_segment(), on_maintenance=True)
    with pytest.raises(exception.HostOnMaintenanceError) as info:
        _create(ctx)
    assert 'compute1' in info.value.format_message()
    assert (db_api.notification_get_all(), engine.casts, events) == (
        [], [], [])


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_duplicate_within_the_window(database, ctx, engine, events, conf):
    conf.set_override('duplicate_notification_detection_interval', 180)
    rows.make_host(rows.make_segment())
    _create(ctx)
    del events[:]
    with pytest.raises(exception.DuplicateNotification) as info:
        _create(ctx, when=rows.WHEN + datetime.timedelta(seconds=179))
    assert 'compute1' in info.value.format_message()
    assert events == [('notification.create.start', None),
                      ('notification.create.error', 'DuplicateNotification')]
    assert len(engine.casts) == 1
    # Outside the window, or another payload: not a duplicate.
    _create(ctx, when=rows.WHEN + datetime.timedelta(seconds=181))
    _create(ctx, payload={'event': 'STARTED', 'host_status': 'NORMAL'})
    assert len(db_api.notification_get_all()) == 3


def test_no_duplicate_check_with_a_zero_window(database, ctx, engine, conf):
    conf.set_override('duplicate_notification_detection_interval', 0)
    rows.make_host(rows.make_segment())
    _create(ctx)
    _create(ctx, when=rows.WHEN + datetime.timedelta(seconds=1))
    assert len(db_api.notification_get_all()) == 2


def test_get_refuses_what_is_not_a_uuid(database, ctx):
    with pytest.raises(exception.NotificationNotFound):
        notifications.get(ctx, '42')


def test_only_a_host_notification_has_vmoves(database, ctx):
    host = rows.make_host(rows.make_segment())
    host_failure = rows.start_recovery(host)
    vm = db_api.notification_create({
        'type': 'VM', 'payload': {'event': 'LIFECYCLE'},
        'generated_time': rows.WHEN, 'source_host_uuid': host.uuid,
        'failover_segment_uuid': host.failover_segment_id}, 0)
    (move,) = db_api.vmove_create_many([{
        'notification_uuid': host_failure.notification_uuid,
        'instance_uuid': 'i', 'instance_name': 'vm', 'status': 'pending'}])

    with pytest.raises(exception.NotificationWithoutVMoves):
        vmoves.host_notification(ctx, vm.notification_uuid)
    with pytest.raises(exception.VMoveNotFound):
        vmoves.get(ctx, host_failure.notification_uuid, 'not-a-uuid')
    assert vmoves.get(ctx, host_failure.notification_uuid,
                      move.uuid).uuid == move.uuid
    notification = vmoves.host_notification(
        ctx, host_failure.notification_uuid)
    assert [v.uuid for v in vmoves.get_all(ctx, notification, {})] == [
        move.uuid]
    assert vmoves.get_all(ctx, notification, {'status': 'failed'}) == []
