"""Payloads of the versioned notifications."""

import datetime

from masakari.db import models
from masakari import exception
from masakari.notifications import payloads


def test_segment_payload_from_values_and_rows():
    values = {'name': 's', 'recovery_method': 'auto',
              'service_type': 'COMPUTE', 'description': None,
              'enabled': True}
    payload = payloads.segment_payload(values)
    assert payload == {
        'masakari_object.name': 'SegmentApiPayload',
        'masakari_object.namespace': 'masakari',
        'masakari_object.version': '1.1',
        'masakari_object.data': dict(values, fault=None)}
    row = models.FailoverSegment(id=3, uuid='u', **values)
    data = payloads.segment_payload(row)['masakari_object.data']
    assert data['id'] == 3 and data['uuid'] == 'u'


def test_host_payload_nests_the_segment():
    segment = models.FailoverSegment(
        id=1, uuid='s-uuid', name='s', recovery_method='auto',
        service_type='C', enabled=True, description=None, deleted=0,
        created_at=datetime.datetime(2026, 1, 2, 3, 4, 5))
    payload = payloads.host_payload({'name': 'compute1', 'type': 'COMPUTE',
                                     'failover_segment': segment})
    data = payload['masakari_object.data']
    assert payload['masakari_object.name'] == 'HostApiPayload'
    assert data['failover_segment']['masakari_object.name'] == (
        'FailoverSegment')
    nested = data['failover_segment']['masakari_object.data']
    assert nested['created_at'] == '2026-01-02T03:04:05Z'
    assert nested['deleted'] is False


def test_fault_payload():
    try:
        raise exception.HostExists(name='compute1')
    except exception.HostExists as exc:
        fault = payloads.exception_payload(exc)
    data = fault['masakari_object.data']
    assert fault['masakari_object.name'] == 'ExceptionPayload'
    assert data['exception'] == 'HostExists'
    assert data['exception_message'] == (
        'Host with name compute1 already exists.')
    assert data['function_name'] == 'test_fault_payload'
    assert data['module_name'] == __name__
    assert 'Traceback' in data['traceback']
    # the engine may pass a message string
    assert payloads.exception_payload('boom')['masakari_object.data'][
        'exception'] == 'str'


def test_notification_payload_parses_stored_json():
    row = models.Notification(id=1, notification_uuid='n', type='VM',
                              payload='{"event": "LIFECYCLE"}',
                              status='new', source_host_uuid='h',
                              generated_time=datetime.datetime(2026, 1, 1))
    data = payloads.notification_payload(row)['masakari_object.data']
    assert data['payload'] == {'event': 'LIFECYCLE'}
    assert data['generated_time'] == '2026-01-01T00:00:00Z'
