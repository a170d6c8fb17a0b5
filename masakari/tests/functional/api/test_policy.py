"""Who may call what: every API operation for four callers.

The API runs with ``auth_strategy = keystone``: keystonemiddleware's
``auth_token`` really runs, validating tokens over HTTP against a small
fake Keystone (``fixtures.FakeKeystone``) that implements the two calls it
makes: ``POST /v3/auth/tokens`` (its own service token, with a catalog
pointing back at the fake) and ``GET /v3/auth/tokens`` (validating the
caller's ``X-Subject-Token``). Tokens are fixed strings:

=====================  ==============================  =====================
caller                 roles                           expected answer
=====================  ==============================  =====================
admin                  admin, member, reader           the success code
project member         member, reader                  403 (200 on GET /v1)
reader                 reader                          403 (200 on GET /v1)
no token               -                               401 (keystonemiddleware)
=====================  ==============================  =====================

Every rule defaults to ``rule:admin_api`` (``is_admin:True``, i.e. the
``admin`` role) except version discovery, which is open to any
authenticated caller.
"""

import datetime

from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
import openstack
from openstack import exceptions as sdk_exc
import pytest

from masakari.db import api as db_api
from masakari.tests.functional.api import fixtures

PERSONAS = {
    'admin': fixtures.ADMIN_TOKEN,
    'member': fixtures.MEMBER_TOKEN,
    'reader': fixtures.READER_TOKEN,
    'anonymous': None,
}


def _world(nova):
    """Rows every operation needs, created through the DB API."""
    for name in ('compute5', 'compute6'):
        nova.state.add_host(name)

    def segment(name):
        return db_api.segment_create({'name': name, 'recovery_method': 'auto',
                                      'service_type': 'COMPUTE'})

    def host(segment, name):
        return db_api.host_create({'name': name, 'type': 'COMPUTE',
                                   'control_attributes': 'ssh',
                                   'failover_segment_id': segment.uuid})

    seg_a, seg_b, seg_del = segment('a'), segment('b'), segment('del')
    seg_n, seg_p = segment('n'), segment('p')
    host_a = host(seg_a, 'compute1')
    host_b = host(seg_b, 'compute2')
    host_n = host(seg_n, 'compute3')
    host(seg_p, 'compute4')
    notification = db_api.notification_create({
        'type': 'COMPUTE_HOST', 'payload': {'event': 'STOPPED'},
        'generated_time': datetime.datetime(2026, 1, 1),
        'source_host_uuid': host_n.uuid,
        'failover_segment_uuid': seg_n.uuid}, 180)
    (vmove,) = db_api.vmove_create_many([{
        'notification_uuid': notification.notification_uuid,
        'instance_uuid': 'b6c2b4b4-8e0f-4bd7-a0a0-9d3d1c8b4a11',
        'instance_name': 'vm', 'type': 'evacuation', 'status': 'pending'}])
    return {'seg_a': seg_a.uuid, 'seg_b': seg_b.uuid,
            'seg_del': seg_del.uuid, 'host_a': host_a.uuid,
            'host_b': host_b.uuid,
            'notification': notification.notification_uuid,
            'vmove': vmove.uuid}


def _operations(w):
    """(name, method, path, body, admin's status), in a safe order."""
    now = datetime.datetime.utcnow().isoformat()
    n = '/notifications/%s' % w['notification']
    return [
        ('versions:show', 'GET', '', None, 200),
        ('extensions:index', 'GET', '/extensions', None, 200),
        ('extensions:detail', 'GET', '/extensions/segments', None, 200),
        ('segments:index', 'GET', '/segments', None, 200),
        ('segments:detail', 'GET', '/segments/%s' % w['seg_a'], None, 200),
        ('os-hosts:index', 'GET', '/segments/%s/hosts' % w['seg_a'], None,
         200),
        ('os-hosts:detail', 'GET',
         '/segments/%s/hosts/%s' % (w['seg_a'], w['host_a']), None, 200),
        ('notifications:index', 'GET', '/notifications', None, 200),
        ('notifications:detail', 'GET', n, None, 200),
        ('vmoves:index', 'GET', n + '/vmoves', None, 200),
        ('vmoves:detail', 'GET', n + '/vmoves/%s' % w['vmove'], None, 200),
        ('segments:create', 'POST', '/segments',
         {'segment': {'name': 'new', 'recovery_method': 'auto',
                      'service_type': 'COMPUTE'}}, 201),
        ('segments:update', 'PUT', '/segments/%s' % w['seg_a'],
         {'segment': {'description': 'changed'}}, 200),
        ('os-hosts:create', 'POST', '/segments/%s/hosts' % w['seg_a'],
         {'host': {'name': 'compute5', 'type': 'COMPUTE',
                   'control_attributes': 'ssh'}}, 201),
        ('os-hosts:update', 'PUT',
         '/segments/%s/hosts/%s' % (w['seg_a'], w['host_a']),
         {'host': {'reserved': True}}, 200),
        ('os-hosts:delete', 'DELETE',
         '/segments/%s/hosts/%s' % (w['seg_b'], w['host_b']), None, 204),
        ('segments:delete', 'DELETE', '/segments/%s' % w['seg_del'], None,
         204),
        ('notifications:create', 'POST', '/notifications',
         {'notification': {'type': 'PROCESS', 'hostname': 'compute4',
                           'generated_time': now,
                           'payload': {'event': 'STOPPED',
                                       'process_name': 'nova-compute'}}},
         202),
    ]


def _expected(persona, name, admin_status):
    if persona == 'anonymous':
        return 401
    if persona == 'admin' or name.startswith('versions:'):
        return admin_status
    return 403


@pytest.mark.parametrize('persona', sorted(PERSONAS))
def test_policy_matrix(keystone_api, nova, persona):
    world = _world(nova)
    token = PERSONAS[persona]
    before = fixtures.dump_database()
    answers = {}
    for name, method, path, body, admin_status in _operations(world):
        response = keystone_api.request(method, path, json_body=body,
                                        token=token)
        answers[name] = response.status_code
        expected = _expected(persona, name, admin_status)
        assert response.status_code == expected, (
            name, persona, response.status_code, response.text)
        if expected == 403:
            rule = 'os_masakari_api:' + name
            assert response.json() == {'forbidden': {
                'code': 403,
                'message': "Policy doesn't allow %s to be performed." % rule}}
        if expected == 401:
            assert 'WWW-Authenticate' in response.headers
    if persona != 'admin':
        assert fixtures.dump_database() == before


def test_invalid_token_is_401(keystone_api):
    response = keystone_api.get('/segments', token='no-such-token')
    assert response.status_code == 401


def test_project_id_in_url(keystone_api, keystone):
    project = keystone.project_id
    response = keystone_api.get('/%s/segments' % project,
                                token=fixtures.ADMIN_TOKEN)
    assert response.status_code == 200
    assert response.json() == {'segments': []}
    response = keystone_api.get('/%s/segments' % keystone.other_project_id,
                                token=fixtures.ADMIN_TOKEN)
    assert response.status_code == 400
    message = response.json()['badRequest']['message']
    assert keystone.other_project_id in message and project in message
    # a project id must look like one; GET /v1/{project_id} is not routed
    assert keystone_api.get('/NotAProject/segments',
                            token=fixtures.ADMIN_TOKEN).status_code == 404
    assert keystone_api.get('/%s' % project,
                            token=fixtures.ADMIN_TOKEN).status_code == 404


def test_keystone_context_fields(keystone_api, keystone, engine):
    """The context built from auth_token's headers reaches the engine."""
    db_api.host_create({
        'name': 'compute1', 'type': 'COMPUTE', 'control_attributes': 'x',
        'failover_segment_id': db_api.segment_create({
            'name': 's', 'recovery_method': 'auto',
            'service_type': 'COMPUTE'}).uuid})
    response = keystone_api.post('/notifications', {'notification': {
        'type': 'VM', 'hostname': 'compute1',
        'generated_time': datetime.datetime.utcnow().isoformat(),
        'payload': {'event': 'LIFECYCLE',
                    'vir_domain_event': 'STOPPED_FAILED',
                    'instance_uuid': 'd1b2a8b5-0c0e-4a57-9f55-4a1d2e7b0c11'}}},
        token=fixtures.ADMIN_TOKEN)
    assert response.status_code == 202, response.text
    assert len(engine.wait_for_casts(1)) == 1
    contexts = engine.contexts
    assert contexts[0]['user'] == 'admin-user'
    assert contexts[0]['project_id'] == keystone.project_id
    assert contexts[0]['is_admin'] is True
    assert contexts[0]['request_id'] == response.headers[
        'x-openstack-request-id']
    assert [entry['type'] for entry in contexts[0]['service_catalog']] == [
        'identity']


def test_sdk_with_a_token_and_the_project_url(keystone_api, keystone):
    """The devstack endpoint form: ``.../v1/<project_id>`` and a token."""
    endpoint = '%s/%s' % (keystone_api.v1, keystone.project_id)
    session = ks_session.Session(
        auth=token_endpoint.Token(endpoint, fixtures.ADMIN_TOKEN))
    ha = openstack.connection.Connection(
        session=session, instance_ha_endpoint_override=endpoint,
        instance_ha_api_version='1.2').instance_ha
    segment = ha.create_segment(name='s', recovery_method='auto',
                                service_type='COMPUTE', is_enabled=False)
    assert segment.is_enabled is False
    assert [s.uuid for s in ha.segments()] == [segment.uuid]
    member = ks_session.Session(
        auth=token_endpoint.Token(endpoint, fixtures.MEMBER_TOKEN))
    with pytest.raises(sdk_exc.ForbiddenException):
        list(openstack.connection.Connection(
            session=member,
            instance_ha_endpoint_override=endpoint).instance_ha.segments())
