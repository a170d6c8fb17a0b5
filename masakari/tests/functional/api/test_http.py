"""HTTP beyond the resources: request ids, CORS, content types and the
``.json`` suffix, routing errors, the project id in the URL."""

import re

from oslo_middleware import cors

from masakari.conf import CONF
from masakari.tests.functional.api import fixtures
from masakari.tests.functional.api.fixtures import new_segment


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
    segment = new_segment(api)
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
    segment = new_segment(api)
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
