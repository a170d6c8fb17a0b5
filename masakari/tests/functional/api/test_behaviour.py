"""What the API promises beyond CRUD: version documents, microversions,
headers, CORS, routing, the notification rules, and how failures of the
database, the engine RPC and Nova are answered."""

import datetime
import re

from oslo_middleware import cors
import pytest

from masakari.conf import CONF
from masakari.db import api as db_api
from masakari.tests.functional.api import fixtures

V = 'OpenStack-API-Version'
NOW = datetime.datetime(2026, 5, 6, 7, 8, 9)


def _segment(api, name='seg', **fields):
    body = dict({'name': name, 'recovery_method': 'auto',
                 'service_type': 'COMPUTE'}, **fields)
    response = api.post('/segments', {'segment': body},
                        version='1.2' if 'enabled' in fields else None)
    assert response.status_code == 201, response.text
    return response.json()['segment']


def _host(api, segment, name='compute1', **fields):
    body = dict({'name': name, 'type': 'COMPUTE',
                 'control_attributes': 'ssh'}, **fields)
    response = api.post('/segments/%s/hosts' % segment['uuid'],
                        {'host': body})
    assert response.status_code == 201, response.text
    return response.json()['host']


def _notify(api, hostname='compute1', type_='COMPUTE_HOST', payload=None,
            generated_time=None):
    return api.post('/notifications', {'notification': {
        'type': type_, 'hostname': hostname,
        'generated_time': generated_time or NOW.isoformat(),
        'payload': payload or {'event': 'STOPPED',
                               'host_status': 'NORMAL'}}})


# --- version documents -------------------------------------------------------
def test_version_documents(api):
    root = api.get(api.url + '/')
    assert root.status_code == 200
    assert root.json() == {'versions': [{
        'id': 'v1.0', 'status': 'CURRENT', 'version': '1.3',
        'min_version': '1.0', 'updated': '2016-07-01T11:33:21Z',
        'links': [{'rel': 'self', 'href': api.url + '/v1/'}]}]}
    # the root is not under microversion control
    root = api.get(api.url + '/', version='9.9')
    assert root.status_code == 200 and V not in root.headers

    for path in ('', '/'):
        v1 = api.get(api.v1 + path)
        assert v1.status_code == 200
        assert v1.json() == {'version': {
            'id': 'v1.0', 'status': 'CURRENT', 'version': '1.3',
            'min_version': '1.0', 'updated': '2016-07-01T11:33:21Z',
            'links': [{'rel': 'self', 'href': api.url + '/v1/'},
                      {'rel': 'describedby', 'type': 'text/html',
                       'href': 'https://docs.openstack.org/'}],
            'media-types': [{
                'base': 'application/json',
                'type': 'application/vnd.openstack.masakari+json;'
                        'version=1'}]}}

    choices = api.get(api.url + '/foo/bar')
    assert choices.status_code == 300
    assert choices.json() == {'choices': [{
        'id': 'v1.0', 'status': 'CURRENT',
        'links': [{'rel': 'self', 'href': api.url + '/v1/foo/bar'}],
        'media-types': [{
            'base': 'application/json',
            'type': 'application/vnd.openstack.masakari+json;version=1'}]}]}


def test_link_prefix(api):
    CONF.set_override('osapi_masakari_link_prefix',
                      'https://ha.example.com/instance-ha')
    root = api.get(api.url + '/').json()
    assert root['versions'][0]['links'][0]['href'] == (
        'https://ha.example.com/instance-ha/v1/')
    v1 = api.get('').json()
    assert v1['version']['links'][0]['href'] == (
        'https://ha.example.com/instance-ha/v1/')


def test_healthcheck(api):
    response = api.get(api.url + '/healthcheck')
    assert response.status_code == 200
    assert response.text == 'OK'


# --- microversions -----------------------------------------------------------
@pytest.mark.parametrize('header,answered', [
    (None, '1.0'),
    ('instance-ha 1.1', '1.1'),
    ('instance-ha latest', '1.3'),
    ('INSTANCE-HA 1.2', '1.2'),
    ('compute 2.1, instance-ha 1.2', '1.2'),
    ('instance-ha 1.1, instance-ha 1.3', '1.3'),
    ('compute 2.90', '1.0'),
])
def test_microversion_header(api, header, answered):
    headers = {V: header} if header else {}
    response = api.get('/segments', headers=headers)
    assert response.status_code == 200
    assert response.headers[V] == 'instance-ha ' + answered
    assert 'OpenStack-API-Version' in response.headers['Vary']


def test_microversion_on_faults_and_errors(api):
    response = api.get('/segments/not-a-uuid', version='1.2')
    assert response.status_code == 404
    assert response.headers[V] == 'instance-ha 1.2'
    assert response.headers['Vary'] == V

    response = api.get('/segments', version='1.9')
    assert response.status_code == 406
    assert response.json() == {'masakariFault': {
        'code': 406, 'message': 'Version 1.9 is not supported by the API. '
                                'Minimum is 1.0 and maximum is 1.3.'}}
    response = api.get('/segments', version='one')
    assert response.status_code == 400
    assert response.json()['badRequest']['message'] == (
        'API Version String one is of invalid format. Must be of format '
        'MajorNum.MinorNum.')
    # there is no legacy header
    response = api.get('/segments', headers={
        'X-OpenStack-Masakari-API-Version': '1.9'})
    assert response.status_code == 200
    assert response.headers[V] == 'instance-ha 1.0'


def test_enabled_returned_at_every_version(api):
    segment = _segment(api, enabled=False)
    assert segment['enabled'] is False
    shown = api.get('/segments/%s' % segment['uuid'], version='1.0').json()
    assert shown['segment']['enabled'] is False


def test_recovery_workflow_details_from_1_1(api, engine):
    details = [{'name': 'StopInstanceTask', 'state': 'SUCCESS',
                'progress': 1.0, 'progress_details': [
                    {'timestamp': '2026-05-06 07:08:09.000000',
                     'message': 'Stopping instance', 'progress': '0.0'}]}]
    engine.workflow_details = details
    segment = _segment(api)
    _host(api, segment)
    created = _notify(api, type_='VM', payload={
        'event': 'LIFECYCLE', 'vir_domain_event': 'STOPPED_FAILED',
        'instance_uuid': 'a3a3a3a3-1111-4222-8333-444455556666'})
    assert created.status_code == 202
    assert 'recovery_workflow_details' not in created.json()['notification']
    uuid = created.json()['notification']['notification_uuid']
    at_1_0 = api.get('/notifications/%s' % uuid).json()['notification']
    assert 'recovery_workflow_details' not in at_1_0
    at_1_1 = api.get('/notifications/%s' % uuid,
                     version='1.1').json()['notification']
    assert at_1_1['recovery_workflow_details'] == details
    listed = api.get('/notifications', version='1.3').json()
    assert 'recovery_workflow_details' not in listed['notifications'][0]


def test_vmoves_not_gated(api):
    segment = _segment(api)
    _host(api, segment)
    uuid = _notify(api).json()['notification']['notification_uuid']
    for version in ('1.0', '1.3'):
        response = api.get('/notifications/%s/vmoves' % uuid,
                           version=version)
        assert response.status_code == 200
        assert response.json() == {'vmoves': []}


# --- headers, content, routing -----------------------------------------------
def test_request_id_header(api):
    for response in (api.get('/segments'), api.get('/segments/x'),
                     api.post('/segments', {})):
        assert re.match(r'^req-[0-9a-f-]{36}$',
                        response.headers['x-openstack-request-id'])


def test_cors(database, nova, engine):
    CONF.register_opts(cors.CORS_OPTS, 'cors')
    CONF.set_override('allowed_origin', ['https://dashboard.example.com'],
                      'cors')
    server = fixtures.ApiServer()
    try:
        origin = {'Origin': 'https://dashboard.example.com'}
        preflight = server.request('OPTIONS', '/segments', headers=dict(
            origin, **{'Access-Control-Request-Method': 'POST',
                       'Access-Control-Request-Headers':
                           'X-Auth-Token,X-Openstack-Request-Id'}))
        assert preflight.status_code == 200
        assert preflight.headers['Access-Control-Allow-Origin'] == (
            'https://dashboard.example.com')
        allowed = preflight.headers['Access-Control-Allow-Methods']
        assert 'POST' in allowed
        assert set(preflight.headers['Access-Control-Allow-Headers'].lower()
                   .replace(' ', '').split(',')) >= {
            'x-auth-token', 'x-openstack-request-id'}
        actual = server.get('/segments', headers=origin)
        exposed = actual.headers['Access-Control-Expose-Headers']
        for name in ('X-Auth-Token', 'X-Openstack-Request-Id',
                     'X-Subject-Token', 'X-Service-Token'):
            assert name in exposed
        other = server.request('OPTIONS', '/segments', headers={
            'Origin': 'https://evil.example.com',
            'Access-Control-Request-Method': 'POST'})
        assert 'Access-Control-Allow-Origin' not in other.headers
    finally:
        server.stop()


def test_json_suffix_and_content_types(api):
    segment = _segment(api)
    response = api.get('/segments.json')
    assert response.status_code == 200
    assert response.headers['Content-Type'] == 'application/json'
    assert api.get('/segments/%s.json' % segment['uuid']).json()[
        'segment']['uuid'] == segment['uuid']
    vnd = 'application/vnd.openstack.masakari+json'
    response = api.get('/segments', headers={'Accept': vnd})
    assert response.headers['Content-Type'] == vnd
    # no Content-Type, or text/plain, is read as JSON
    for headers in ({'Content-Type': 'text/plain'},
                    {'Content-Type': vnd + '; charset=UTF-8'}):
        response = api.request(
            'POST', '/segments', headers=headers,
            data=b'{"segment": {"name": "s-%d", "recovery_method": "auto",'
                 b' "service_type": "C"}}' % len(headers['Content-Type']))
        assert response.status_code == 201, response.text


def test_routing_errors(api):
    response = api.get('/nothing-here')
    assert response.status_code == 404
    assert not response.headers['Content-Type'].startswith(
        'application/json')
    response = api.request('PATCH', '/segments')
    assert response.status_code == 405
    assert response.headers['Allow'] == 'GET, POST'
    assert response.json()['badMethod']['code'] == 405
    segment = _segment(api)
    response = api.post('/segments/%s/action' % segment['uuid'], {'a': {}})
    assert response.status_code == 405


def test_project_id_in_url_noauth2(api):
    project = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
    ok = api.get('/%s/segments' % project, headers={'X-Project-Id': project})
    assert ok.status_code == 200
    mismatch = api.get('/%s/segments' % project,
                       headers={'X-Project-Id': 'ffff'})
    assert mismatch.status_code == 400
    assert 'project_id' in mismatch.json()['badRequest']['message']


def test_list_semantics(api):
    segments = [_segment(api, 'seg%d' % i) for i in range(4)]
    assert api.get('/segments?limit=0').json() == {'segments': []}
    CONF.set_override('osapi_max_limit', 2)
    assert len(api.get('/segments').json()['segments']) == 2
    assert len(api.get('/segments?limit=3').json()['segments']) == 2
    CONF.clear_override('osapi_max_limit')
    # default order: created_at desc, id desc; a marker by id or by uuid
    names = [s['name'] for s in api.get('/segments').json()['segments']]
    assert names == ['seg3', 'seg2', 'seg1', 'seg0']
    for marker in (segments[2]['id'], segments[2]['uuid']):
        page = api.get('/segments?marker=%s' % marker).json()['segments']
        assert [s['name'] for s in page] == ['seg1', 'seg0']
    page = api.get('/segments?sort_key=name&sort_dir=asc&limit=2&'
                   'page_size=7').json()['segments']
    assert [s['name'] for s in page] == ['seg0', 'seg1']
    # a recovery_method outside the enum matches nothing
    assert api.get('/segments?recovery_method=bogus').json() == {
        'segments': []}
    assert api.get('/notifications?status=bogus').json() == {
        'notifications': []}


def test_host_filters(api):
    segment = _segment(api)
    _host(api, segment, 'compute1', control_attributes='ipmi')
    _host(api, segment, 'compute2')
    base = '/segments/%s/hosts' % segment['uuid']
    assert [h['name'] for h in api.get(
        base + '?name=compute2').json()['hosts']] == ['compute2']
    assert [h['name'] for h in api.get(
        base + '?control_attributes=ipmi').json()['hosts']] == ['compute1']
    host = api.get(base + '?name=compute1').json()['hosts'][0]
    assert host['failover_segment'] == api.get(
        '/segments/%s' % segment['uuid']).json()['segment']


# --- notifications -----------------------------------------------------------
def test_notification_create(api, engine):
    segment = _segment(api)
    host = _host(api, segment)
    response = _notify(api, generated_time='2026-05-06T09:08:09.5+02:00')
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

    duplicate = _notify(api, generated_time='2026-05-06T07:10:00')
    assert duplicate.status_code == 409
    assert duplicate.json()['conflictingRequest']['message'] == (
        'Notification received from host compute1 of type COMPUTE_HOST is '
        'duplicate.')
    # outside the window, or another payload: not a duplicate
    assert _notify(api, generated_time='2026-05-06T07:12:00').status_code \
        == 202
    assert _notify(api, payload={'event': 'STARTED'}).status_code == 202
    since = api.get('/notifications?generated-since=2026-05-06T07:11:00')
    assert len(since.json()['notifications']) == 1

    unknown = _notify(api, hostname='compute4')
    assert unknown.status_code == 400
    assert unknown.json()['badRequest']['message'] == (
        'Host with name compute4 could not be found.')


def test_notification_from_host_on_maintenance(api):
    segment = _segment(api)
    _host(api, segment, on_maintenance=True)
    for event in ('STOPPED', 'STARTED'):
        response = _notify(api, payload={'event': event})
        assert response.status_code == 409
        assert 'under maintenance' in response.json()[
            'conflictingRequest']['message']
    assert api.get('/notifications').json() == {'notifications': []}


def test_notification_of_disabled_segment_is_accepted(api):
    segment = _segment(api, enabled=False)
    _host(api, segment)
    assert _notify(api).status_code == 202


def test_notification_stored_even_if_cast_fails(api):
    segment = _segment(api)
    _host(api, segment)
    CONF.set_override('transport_url', 'nope://')
    response = _notify(api)
    assert response.status_code == 202
    uuid = response.json()['notification']['notification_uuid']
    assert db_api.notification_get_by_uuid(uuid).status == 'new'


def test_segment_under_recovery(api):
    segment = _segment(api)
    host = _host(api, segment)
    uuid = _notify(api).json()['notification']['notification_uuid']
    seg_path = '/segments/%s' % segment['uuid']
    host_path = seg_path + '/hosts/%s' % host['uuid']
    for response in (api.put(seg_path, {'segment': {'name': 'x'}}),
                     api.delete(seg_path),
                     api.put(host_path, {'host': {'reserved': True}}),
                     api.delete(host_path)):
        assert response.status_code == 409
        assert 'in-use to process notifications' in response.json()[
            'conflictingRequest']['message']
    # host create is not checked
    _host(api, segment, 'compute2')
    for status in ('running', 'error'):
        db_api.notification_update(uuid, {'status': status})
        assert api.put(host_path, {'host': {'reserved': True}}
                       ).status_code == 409
    db_api.notification_update(uuid, {'status': 'finished'})
    assert api.put(host_path, {'host': {'reserved': True}}).status_code == 200
    assert api.delete(seg_path).status_code == 204
    # the segment's hosts went with it
    assert db_api.host_get_all(filters={'failover_segment_id':
                                        segment['uuid']}) == []


def test_strict_booleans_on_update(api):
    segment = _segment(api)
    host = _host(api, segment, reserved=True)
    seg_path = '/segments/%s' % segment['uuid']
    response = api.put(seg_path, {'segment': {'enabled': 'false'}},
                       version='1.2')
    assert response.json()['segment']['enabled'] is False
    response = api.put(seg_path + '/hosts/%s' % host['uuid'],
                       {'host': {'reserved': 'False', 'on_maintenance': 'on'}})
    assert response.json()['host']['reserved'] is False
    assert response.json()['host']['on_maintenance'] is True


def test_extensions(api):
    listed = api.get('/extensions').json()['extensions']
    assert sorted(e['alias'] for e in listed) == [
        'extensions', 'notifications', 'os-hosts', 'segments', 'versions',
        'vmoves']
    one = api.get('/extensions/os-hosts').json()['extension']
    assert one['alias'] == 'os-hosts' and one['links'] == []


# --- failures of what the API depends on -------------------------------------
def test_unexpected_error_is_500(api, engine):
    def broken(context, notification):
        raise ValueError('the engine broke')

    segment = _segment(api)
    _host(api, segment)
    uuid = _notify(api).json()['notification']['notification_uuid']
    engine.server.dispatcher.endpoints[0] \
        .get_notification_recovery_workflow_details = broken
    response = api.get('/notifications/%s' % uuid, version='1.1')
    assert response.status_code == 500
    message = response.json()['masakariFault']['message']
    assert message.startswith(
        'Unexpected API Error. Please report this at '
        'https://bugs.launchpad.net/masakari/ and attach the Masakari API '
        'log if possible.\n<class ')
    assert 'Traceback' not in response.text


@pytest.mark.parametrize('connection', [
    'postgresql+psycopg2://nobody:x@127.0.0.1:1/none',
    'mysql+pymysql://nobody:x@127.0.0.1:1/none',
    'sqlite:////nonexistent-dir/masakari.sqlite',
])
def test_database_down_is_503(api, connection):
    CONF.set_override('connection', connection, 'database')
    CONF.set_override('max_retries', 0, 'database')
    db_api.dispose()
    for response in (api.get('/segments'),
                     api.post('/segments', {'segment': {
                         'name': 's', 'recovery_method': 'auto',
                         'service_type': 'C'}})):
        assert response.status_code == 503
        assert list(response.json()) == ['serviceUnavailable']
        assert 'Traceback' not in response.text


def test_nova_unavailable_is_503(api, nova):
    segment = _segment(api)
    nova.stop()
    response = api.post('/segments/%s/hosts' % segment['uuid'], {'host': {
        'name': 'compute1', 'type': 'COMPUTE', 'control_attributes': 'x'}})
    assert response.status_code == 503
    assert list(response.json()) == ['serviceUnavailable']


# --- versioned notifications -------------------------------------------------
def test_versioned_notifications(api):
    CONF.set_override('driver', ['messagingv2'],
                      'oslo_messaging_notifications')
    listener = fixtures.NotificationListener()
    try:
        segment = _segment(api)
        host = _host(api, segment)
        api.put('/segments/%s' % segment['uuid'],
                {'segment': {'description': 'd'}})
        api.put('/segments/%s/hosts/%s' % (segment['uuid'], host['uuid']),
                {'host': {'reserved': True}})
        notification = _notify(api).json()['notification']
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
        _segment(api)
        assert listener.wait_for(1, timeout=0.5) == []
    finally:
        listener.stop()
