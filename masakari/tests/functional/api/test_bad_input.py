"""Malformed and refused requests: each gets a 4xx fault body and none
changes a single row of the database."""

import datetime
import json

import pytest

from masakari.db import api as db_api
from masakari.tests.functional.api import fixtures

FAULT_NAMES = {400: 'badRequest', 404: 'itemNotFound', 405: 'badMethod',
               406: 'masakariFault', 409: 'conflictingRequest',
               413: 'overLimit', 415: 'badMediaType'}

GENERATED = '2026-03-04T05:06:07.000000'
UNKNOWN_UUID = '3f1c2a9e-5d7b-4c8e-9a6f-0b1d2e3f4a5b'


@pytest.fixture
def world(api, nova):
    def segment(name):
        return db_api.segment_create({'name': name, 'recovery_method': 'auto',
                                      'service_type': 'COMPUTE'})

    def host(segment, name, **extra):
        return db_api.host_create(dict({
            'name': name, 'type': 'COMPUTE', 'control_attributes': 'ssh',
            'failover_segment_id': segment.uuid}, **extra))

    seg, other = segment('seg'), segment('other')
    compute1 = host(seg, 'compute1')
    host(other, 'compute2', on_maintenance=True)
    compute3 = host(other, 'compute3')
    notification = db_api.notification_create({
        'type': 'COMPUTE_HOST',
        'payload': {'event': 'STOPPED', 'host_status': 'NORMAL'},
        'generated_time': datetime.datetime(2026, 3, 4, 5, 6, 7),
        'source_host_uuid': compute1.uuid,
        'failover_segment_uuid': seg.uuid}, 180)
    # finished: the segment is not under recovery
    db_api.notification_update(notification.notification_uuid,
                               {'status': 'finished'})
    vm_notification = db_api.notification_create({
        'type': 'VM', 'payload': {'event': 'LIFECYCLE',
                                  'vir_domain_event': 'STOPPED_FAILED',
                                  'instance_uuid': UNKNOWN_UUID},
        'generated_time': datetime.datetime(2026, 3, 4, 5, 6, 7),
        'source_host_uuid': compute3.uuid,
        'failover_segment_uuid': other.uuid}, 180)
    db_api.notification_update(vm_notification.notification_uuid,
                               {'status': 'finished'})
    other_host_notification = db_api.notification_create({
        'type': 'COMPUTE_HOST', 'payload': {'event': 'STARTED'},
        'generated_time': datetime.datetime(2026, 3, 4, 5, 6, 7),
        'source_host_uuid': compute3.uuid,
        'failover_segment_uuid': other.uuid}, 180)
    db_api.notification_update(other_host_notification.notification_uuid,
                               {'status': 'finished'})
    (vmove,) = db_api.vmove_create_many([{
        'notification_uuid': notification.notification_uuid,
        'instance_uuid': UNKNOWN_UUID, 'instance_name': 'vm',
        'type': 'evacuation', 'status': 'succeeded'}])
    return {'seg': seg.uuid, 'other': other.uuid, 'host': compute1.uuid,
            'other_host': compute3.uuid,
            'notification': notification.notification_uuid,
            'vm_notification': vm_notification.notification_uuid,
            'other_notification': other_host_notification.notification_uuid,
            'vmove': vmove.uuid}


def _segment(**fields):
    body = {'name': 'new', 'recovery_method': 'auto',
            'service_type': 'COMPUTE'}
    body.update(fields)
    return {'segment': {k: v for k, v in body.items() if v is not DROP}}


def _host(**fields):
    body = {'name': 'compute4', 'type': 'COMPUTE',
            'control_attributes': 'ssh'}
    body.update(fields)
    return {'host': {k: v for k, v in body.items() if v is not DROP}}


def _notification(payload=None, **fields):
    body = {'type': 'COMPUTE_HOST', 'hostname': 'compute1',
            'generated_time': GENERATED,
            'payload': payload if payload is not None else {
                'event': 'STOPPED'}}
    body.update(fields)
    return {'notification': {k: v for k, v in body.items()
                             if v is not DROP}}


DROP = object()
V12 = {'OpenStack-API-Version': 'instance-ha 1.2'}


def _cases(w):
    """(description, method, path, json body | raw bytes, headers, code)."""
    seg = '/segments/%s' % w['seg']
    hosts = seg + '/hosts'
    host = hosts + '/%s' % w['host']
    notification = '/notifications/%s' % w['notification']
    vmoves = notification + '/vmoves'
    return [
        # --- segments: bodies
        ('no segment key', 'POST', '/segments', {}, None, 400),
        ('empty segment', 'POST', '/segments', {'segment': {}}, None, 400),
        ('unknown field', 'POST', '/segments', _segment(foo='bar'), None,
         400),
        ('unknown top-level key', 'POST', '/segments',
         dict(_segment(), extra=1), None, 400),
        ('name too long', 'POST', '/segments', _segment(name='n' * 256),
         None, 400),
        ('empty name', 'POST', '/segments', _segment(name=''), None, 400),
        ('name starts with a space', 'POST', '/segments',
         _segment(name=' lead'), None, 400),
        ('name ends with a tab', 'POST', '/segments',
         _segment(name='trail\t'), None, 400),
        ('control character in name', 'POST', '/segments',
         _segment(name='a\x01b'), None, 400),
        ('name not a string', 'POST', '/segments', _segment(name=123),
         None, 400),
        ('missing name', 'POST', '/segments', _segment(name=DROP), None,
         400),
        ('bad recovery_method', 'POST', '/segments',
         _segment(recovery_method='manual'), None, 400),
        ('null service_type', 'POST', '/segments',
         _segment(service_type=None), None, 400),
        ('service_type too long', 'POST', '/segments',
         _segment(service_type='s' * 256), None, 400),
        ('description not a string', 'POST', '/segments',
         _segment(description=5), None, 400),
        ('control character in description', 'POST', '/segments',
         _segment(description='bell\x07'), None, 400),
        ('enabled before 1.2', 'POST', '/segments',
         _segment(enabled=False), None, 400),
        ('enabled not a boolean', 'POST', '/segments',
         _segment(enabled='maybe'), V12, 400),
        ('enabled as an integer', 'POST', '/segments',
         _segment(enabled=1), V12, 400),
        ('body is a list', 'POST', '/segments', [_segment()], None, 400),
        ('body is a string', 'POST', '/segments', 'segment', None, 400),
        ('malformed JSON', 'POST', '/segments', b'{"segment": ', None, 400),
        ('empty body', 'POST', '/segments', b'', None, 400),
        ('XML content type', 'POST', '/segments', b'<segment/>',
         {'Content-Type': 'application/xml'}, 415),
        ('HTML content type', 'POST', '/segments',
         json.dumps(_segment()).encode(), {'Content-Type': 'text/html'},
         415),
        ('oversize body', 'POST', '/segments',
         json.dumps(_segment(description='x' * 120000)).encode(),
         {'Content-Type': 'application/json'}, 413),
        ('duplicate segment name', 'POST', '/segments',
         _segment(name='other'), None, 409),
        ('update with nothing', 'PUT', seg, {'segment': {}}, None, 400),
        ('update bad recovery_method', 'PUT', seg,
         {'segment': {'recovery_method': 'x'}}, None, 400),
        ('update null name', 'PUT', seg, {'segment': {'name': None}}, None,
         400),
        ('update enabled not a boolean', 'PUT', seg,
         {'segment': {'enabled': 'nah'}}, V12, 400),
        ('update enabled before 1.2', 'PUT', seg,
         {'segment': {'enabled': True}}, None, 400),
        ('update to a taken name', 'PUT', seg,
         {'segment': {'name': 'other'}}, None, 409),
        ('update unknown segment', 'PUT', '/segments/' + UNKNOWN_UUID,
         {'segment': {'name': 'x'}}, None, 404),
        ('segment id not a uuid', 'GET', '/segments/not-a-uuid', None,
         None, 404),
        ('delete unknown segment', 'DELETE', '/segments/' + UNKNOWN_UUID,
         None, None, 404),
        # --- lists
        ('negative limit', 'GET', '/segments?limit=-1', None, None, 400),
        ('limit not a number', 'GET', '/segments?limit=abc', None, None,
         400),
        ('page_size not a number', 'GET', '/segments?page_size=x', None,
         None, 400),
        ('unknown marker id', 'GET', '/segments?marker=999999', None, None,
         400),
        ('marker neither id nor uuid', 'GET', '/segments?marker=zzz', None,
         None, 400),
        ('unknown marker uuid', 'GET', '/segments?marker=' + UNKNOWN_UUID,
         None, None, 400),
        ('bad sort key', 'GET', '/segments?sort_key=nope', None, None, 400),
        ('bad sort direction', 'GET', '/segments?sort_dir=sideways', None,
         None, 400),
        ('more directions than keys', 'GET',
         '/segments?sort_key=name&sort_dir=asc&sort_dir=desc', None, None,
         400),
        ('enabled filter not a boolean', 'GET', '/segments?enabled=maybe',
         None, None, 400),
        # --- methods
        ('PATCH a collection', 'PATCH', '/segments', _segment(), None, 405),
        ('PUT a collection', 'PUT', '/segments', _segment(), None, 405),
        ('segment action', 'POST', seg + '/action', {'x': {}}, None, 405),
        # --- microversions
        ('version without minor', 'GET', '/segments', None,
         {'OpenStack-API-Version': 'instance-ha 1'}, 400),
        ('version with letters', 'GET', '/segments', None,
         {'OpenStack-API-Version': 'instance-ha 1.x'}, 400),
        ('version 0.9', 'GET', '/segments', None,
         {'OpenStack-API-Version': 'instance-ha 0.9'}, 400),
        ('version with leading zero', 'GET', '/segments', None,
         {'OpenStack-API-Version': 'instance-ha 1.01'}, 400),
        ('version 1.6', 'GET', '/segments', None,
         {'OpenStack-API-Version': 'instance-ha 1.6'}, 406),
        ('version 2.0', 'POST', '/segments', _segment(),
         {'OpenStack-API-Version': 'instance-ha 2.0'}, 406),
        # --- hosts
        ('host without control_attributes', 'POST', hosts,
         _host(control_attributes=DROP), None, 400),
        ('host type with underscore', 'POST', hosts,
         _host(type='COMPUTE_HOST'), None, 400),
        ('null host type', 'POST', hosts, _host(type=None), None, 400),
        ('null control_attributes', 'POST', hosts,
         _host(control_attributes=None), None, 400),
        ('reserved not a boolean', 'POST', hosts, _host(reserved='maybe'),
         None, 400),
        ('on_maintenance as an integer', 'POST', hosts,
         _host(on_maintenance=2), None, 400),
        ('unknown host field', 'POST', hosts,
         _host(failover_segment_id=w['other']), None, 400),
        ('host unknown to Nova', 'POST', hosts, _host(name='ghost'), None,
         400),
        ('host name taken in another segment', 'POST', hosts,
         _host(name='compute3'), None, 409),
        ('host in an unknown segment', 'POST',
         '/segments/%s/hosts' % UNKNOWN_UUID, _host(), None, 404),
        ('update host with nothing', 'PUT', host, {'host': {}}, None, 400),
        ('update host with null type', 'PUT', host, {'host': {'type': None}},
         None, 400),
        ('rename host to a name Nova lacks', 'PUT', host,
         {'host': {'name': 'ghost'}}, None, 400),
        ('rename host to a taken name', 'PUT', host,
         {'host': {'name': 'compute3'}}, None, 409),
        ('on_maintenance filter not a boolean', 'GET',
         hosts + '?on_maintenance=maybe', None, None, 400),
        ('reserved filter not a boolean', 'GET', hosts + '?reserved=2',
         None, None, 400),
        ('hosts sort key unknown', 'GET', hosts + '?sort_key=color', None,
         None, 400),
        ('host id not a uuid', 'GET', hosts + '/compute1', None, None, 404),
        ('host of another segment', 'GET',
         hosts + '/%s' % w['other_host'], None, None, 404),
        ('delete host of another segment', 'DELETE',
         hosts + '/%s' % w['other_host'], None, None, 404),
        ('hosts of an unknown segment', 'GET',
         '/segments/%s/hosts' % UNKNOWN_UUID, None, None, 404),
        # --- notifications
        ('notification without payload', 'POST', '/notifications',
         _notification(payload=DROP), None, 400),
        ('unknown notification type', 'POST', '/notifications',
         _notification(type='NODE'), None, 400),
        ('hostname with a space', 'POST', '/notifications',
         _notification(hostname='bad host'), None, 400),
        ('hostname too long', 'POST', '/notifications',
         _notification(hostname='h' * 256), None, 400),
        ('generated_time not a time', 'POST', '/notifications',
         _notification(generated_time='yesterday'), None, 400),
        ('generated_time a number', 'POST', '/notifications',
         _notification(generated_time=1700000000), None, 400),
        ('payload a list', 'POST', '/notifications',
         _notification(payload=['STOPPED']), None, 400),
        ('payload value not a string', 'POST', '/notifications',
         _notification(payload={'event': 1}), None, 400),
        ('payload value an object', 'POST', '/notifications',
         _notification(payload={'event': {'name': 'STOPPED'}}), None, 400),
        ('payload key with @', 'POST', '/notifications',
         _notification(payload={'ev@nt': 'STOPPED'}), None, 400),
        ('payload value too long', 'POST', '/notifications',
         _notification(payload={'event': 'S' * 256}), None, 400),
        ('unknown notification field', 'POST', '/notifications',
         dict(_notification(), extra=True), None, 400),
        ('lowercase event', 'POST', '/notifications',
         _notification(payload={'event': 'stopped'}), None, 400),
        ('compute host payload without event', 'POST', '/notifications',
         _notification(payload={'host_status': 'NORMAL'}), None, 400),
        ('compute host payload extra key', 'POST', '/notifications',
         _notification(payload={'event': 'STOPPED', 'reason': 'x'}), None,
         400),
        ('bad host_status', 'POST', '/notifications',
         _notification(payload={'event': 'STOPPED', 'host_status': 'DOWN'}),
         None, 400),
        ('bad cluster_status', 'POST', '/notifications',
         _notification(payload={'event': 'STOPPED',
                                'cluster_status': 'online'}), None, 400),
        ('process without process_name', 'POST', '/notifications',
         _notification(type='PROCESS', payload={'event': 'STOPPED'}), None,
         400),
        ('process lowercase event', 'POST', '/notifications',
         _notification(type='PROCESS', payload={
             'event': 'stopped', 'process_name': 'nova-compute'}), None,
         400),
        ('VM instance_uuid not a uuid', 'POST', '/notifications',
         _notification(type='VM', payload={
             'event': 'LIFECYCLE', 'vir_domain_event': 'STOPPED_FAILED',
             'instance_uuid': 'not-a-uuid'}), None, 400),
        ('VM without vir_domain_event', 'POST', '/notifications',
         _notification(type='VM', payload={
             'event': 'LIFECYCLE', 'instance_uuid': UNKNOWN_UUID}), None,
         400),
        ('hostname of no host', 'POST', '/notifications',
         _notification(hostname='compute9'), None, 400),
        ('host on maintenance', 'POST', '/notifications',
         _notification(hostname='compute2'), None, 409),
        ('duplicate notification', 'POST', '/notifications',
         _notification(payload={'event': 'STOPPED',
                                'host_status': 'NORMAL'}), None, 409),
        ('duplicate within the window', 'POST', '/notifications',
         _notification(payload={'event': 'STOPPED', 'host_status': 'NORMAL'},
                       generated_time='2026-03-04T05:08:00Z'), None, 409),
        ('generated-since not a time', 'GET',
         '/notifications?generated-since=garbage', None, None, 400),
        ('notifications limit not a number', 'GET',
         '/notifications?limit=ten', None, None, 400),
        ('notification sort key uuid', 'GET',
         '/notifications?sort_key=uuid', None, None, 400),
        ('notification id not a uuid', 'GET', '/notifications/nope', None,
         None, 404),
        ('unknown notification', 'GET', '/notifications/' + UNKNOWN_UUID,
         None, None, 404),
        ('PUT a notification', 'PUT', notification,
         {'notification': {'status': 'new'}}, None, 405),
        ('DELETE a notification', 'DELETE', notification, None, None, 405),
        # --- vmoves
        ('vmoves of a VM notification', 'GET',
         '/notifications/%s/vmoves' % w['vm_notification'], None, None,
         400),
        ('vmove of a VM notification', 'GET',
         '/notifications/%s/vmoves/%s' % (w['vm_notification'], w['vmove']),
         None, None, 400),
        ('vmoves of an unknown notification', 'GET',
         '/notifications/%s/vmoves' % UNKNOWN_UUID, None, None, 404),
        ('vmove of an unknown notification', 'GET',
         '/notifications/%s/vmoves/%s' % (UNKNOWN_UUID, w['vmove']), None,
         None, 404),
        ('vmove id not a uuid', 'GET', vmoves + '/1', None, None, 404),
        ('vmove of another notification', 'GET',
         '/notifications/%s/vmoves/%s' % (w['other_notification'],
                                          w['vmove']), None, None, 404),
        ('vmoves bad sort direction', 'GET', vmoves + '?sort_dir=up', None,
         None, 400),
        ('vmoves bad marker', 'GET', vmoves + '?marker=424242', None, None,
         400),
        # --- extensions
        ('unknown extension', 'GET', '/extensions/nope', None, None, 404),
    ]


def _send(api, method, path, body, headers):
    headers = dict(headers or {})
    if isinstance(body, bytes):
        headers.setdefault('Content-Type', 'application/json')
        return api.request(method, path, data=body, headers=headers)
    return api.request(method, path, json_body=body, headers=headers)


def test_bad_requests_answer_4xx_faults_and_change_nothing(api, world):
    cases = _cases(world)
    assert len(cases) >= 60
    before = fixtures.dump_database()
    problems = []
    for description, method, path, body, headers, code in cases:
        response = _send(api, method, path, body, headers)
        try:
            fault = response.json()
        except ValueError:
            fault = None
        name = FAULT_NAMES[code]
        ok = (response.status_code == code and isinstance(fault, dict) and
              list(fault) == [name] and fault[name]['code'] == code and
              isinstance(fault[name]['message'], str) and
              fault[name]['message'] and
              response.headers['Content-Type'].startswith(
                  'application/json'))
        if not ok:
            problems.append((description, method, path, code,
                             response.status_code, response.text[:300]))
    assert problems == []
    assert fixtures.dump_database() == before
