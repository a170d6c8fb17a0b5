"""Creating notifications: the stored row and the cast to the engine,
duplicates, hosts on maintenance, disabled segments, a failed cast."""

from masakari.conf import CONF
from masakari.db import api as db_api
from masakari.tests.functional.api.fixtures import new_host
from masakari.tests.functional.api.fixtures import new_segment
from masakari.tests.functional.api.fixtures import notify


def test_notification_create(api, engine):
    segment = new_segment(api)
    host = new_host(api, segment)
    response = notify(api, generated_time='2026-05-06T09:08:09.5+02:00')
    assert response.status_code == 202, response.text
    notification = response.json()['notification']
    assert notification['status'] == 'new'
    assert notification['source_host_uuid'] == host['uuid']
    assert notification['failover_segment_uuid'] == segment['uuid']
    assert notification['generated_time'] == '2026-05-06T07:08:09.500000'
    assert notification['message'] is None
    assert 'hostname' not in notification
    casts = engine.wait_for_casts(1)
    assert [c['notification_uuid'] for c in casts] == [
        notification['notification_uuid']]
    assert casts[0]['status'] == 'new'

    duplicate = notify(api, generated_time='2026-05-06T07:10:00')
    assert duplicate.status_code == 409
    assert duplicate.json()['conflictingRequest']['message'] == (
        'Notification received from host compute1 of type COMPUTE_HOST is '
        'duplicate.')
    # outside the window, or another payload: not a duplicate
    assert notify(api, generated_time='2026-05-06T07:12:00').status_code \
        == 202
    assert notify(api, payload={'event': 'STARTED'}).status_code == 202
    since = api.get('/notifications?generated-since=2026-05-06T07:11:00')
    assert len(since.json()['notifications']) == 1

    unknown = notify(api, hostname='compute4')
    assert unknown.status_code == 400
    assert unknown.json()['badRequest']['message'] == (
        'Host with name compute4 could not be found.')


def test_notification_from_host_on_maintenance(api):
    segment = new_segment(api)
    new_host(api, segment, on_maintenance=True)
    for event in ('STOPPED', 'STARTED'):
        response = notify(api, payload={'event': event})
        assert response.status_code == 409
        assert 'under maintenance' in response.json()[
            'conflictingRequest']['message']
    assert api.get('/notifications').json() == {'notifications': []}


def test_notification_of_disabled_segment_is_accepted(api):
    segment = new_segment(api, enabled=False)
    new_host(api, segment)
    assert notify(api).status_code == 202


def test_notification_stored_even_if_cast_fails(api):
    segment = new_segment(api)
    new_host(api, segment)
    CONF.set_override('transport_url', 'nope://')
    response = notify(api)
    assert response.status_code == 202
    uuid = response.json()['notification']['notification_uuid']
    assert db_api.notification_get_by_uuid(uuid).status == 'new'
