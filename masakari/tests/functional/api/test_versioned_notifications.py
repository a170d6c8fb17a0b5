"""Versioned notifications the API emits (``messagingv2``), and none
without a driver."""

from masakari.conf import CONF
from masakari.db import api as db_api
from masakari.tests.functional.api import fixtures
from masakari.tests.functional.api.fixtures import new_host
from masakari.tests.functional.api.fixtures import new_segment
from masakari.tests.functional.api.fixtures import notify


def test_versioned_notifications(api):
    CONF.set_override('driver', ['messagingv2'],
                      'oslo_messaging_notifications')
    listener = fixtures.NotificationListener()
    try:
        segment = new_segment(api)
        host = new_host(api, segment)
        api.put('/segments/%s' % segment['uuid'],
                {'segment': {'description': 'd'}})
        api.put('/segments/%s/hosts/%s' % (segment['uuid'], host['uuid']),
                {'host': {'reserved': True}})
        notification = notify(api).json()['notification']
        db_api.notification_update(notification['notification_uuid'],
                                   {'status': 'finished'})
        assert api.post('/segments', {'segment': {
            'name': 'seg', 'recovery_method': 'auto',
            'service_type': 'C'}}).status_code == 409
        api.delete('/segments/%s/hosts/%s' % (segment['uuid'],
                                              host['uuid']))
        api.delete('/segments/%s' % segment['uuid'])
        events = listener.wait_for(16)
    finally:
        listener.stop()
    # INFO and ERROR go to two queues: the order holds within each
    assert [e['event_type'] for e in events if e['priority'] == 'INFO'] == [
        'segment.create.start', 'segment.create.end',
        'host.create.start', 'host.create.end',
        'segment.update.start', 'segment.update.end',
        'host.update.start', 'host.update.end',
        'notification.create.start', 'notification.create.end',
        'segment.create.start',
        'host.delete.start', 'host.delete.end',
        'segment.delete.start', 'segment.delete.end']
    assert [e['event_type'] for e in events if e['priority'] == 'ERROR'] == [
        'segment.create.error']
    assert {e['publisher_id'] for e in events} == {
        'masakari-api:%s' % CONF.host}
    by_type = {e['event_type']: e for e in events}
    payload = by_type['segment.create.end']['payload']
    assert payload['masakari_object.name'] == 'SegmentApiPayload'
    assert payload['masakari_object.namespace'] == 'masakari'
    assert payload['masakari_object.version'] == '1.1'
    assert payload['masakari_object.data'] == {
        'id': segment['id'], 'uuid': segment['uuid'], 'name': 'seg',
        'service_type': 'COMPUTE', 'description': None,
        'recovery_method': 'auto', 'enabled': True, 'fault': None}
    error = [e for e in events if e['event_type'] == 'segment.create.error']
    assert error[0]['priority'] == 'ERROR'
    fault = error[0]['payload']['masakari_object.data']['fault']
    assert fault['masakari_object.name'] == 'ExceptionPayload'
    assert fault['masakari_object.data']['exception'] == (
        'FailoverSegmentExists')
    host_data = by_type['host.create.end']['payload'][
        'masakari_object.data']
    assert host_data['name'] == 'compute1'
    assert host_data['failover_segment']['masakari_object.name'] == (
        'FailoverSegment')
    assert host_data['failover_segment']['masakari_object.data'][
        'uuid'] == segment['uuid']
    notification_data = by_type['notification.create.end']['payload'][
        'masakari_object.data']
    assert notification_data['notification_uuid'] == notification[
        'notification_uuid']
    assert notification_data['payload'] == {'event': 'STOPPED',
                                            'host_status': 'NORMAL'}
    assert notification_data['status'] == 'new'


def test_no_notifications_without_a_driver(api):
    listener = fixtures.NotificationListener()
    try:
        new_segment(api)
        assert listener.wait_for(1, timeout=0.5) == []
    finally:
        listener.stop()
