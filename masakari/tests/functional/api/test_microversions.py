"""Microversions: the header, its answer on faults, and the fields and
routes each version shows."""

import pytest

from masakari.tests.functional.api.fixtures import VERSION_HEADER as V
from masakari.tests.functional.api.fixtures import new_host
from masakari.tests.functional.api.fixtures import new_segment
from masakari.tests.functional.api.fixtures import notify


@pytest.mark.parametrize('header,answered', [
    (None, '1.0'),
    ('instance-ha 1.1', '1.1'),
    ('instance-ha latest', '1.6'),
    ('instance-ha 1.4', '1.4'),
    ('instance-ha 1.5', '1.5'),
    ('instance-ha 1.6', '1.6'),
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
                                'Minimum is 1.0 and maximum is 1.6.'}}
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
    segment = new_segment(api, enabled=False)
    assert segment['enabled'] is False
    shown = api.get('/segments/%s' % segment['uuid'], version='1.0').json()
    assert shown['segment']['enabled'] is False


def test_recovery_workflow_details_from_1_1(api, engine):
    details = [{'name': 'StopInstanceTask', 'state': 'SUCCESS',
                'progress': 1.0, 'progress_details': [
                    {'timestamp': '2026-05-06 07:08:09.000000',
                     'message': 'Stopping instance', 'progress': '0.0'}]}]
    engine.workflow_details = details
    segment = new_segment(api)
    new_host(api, segment)
    created = notify(api, type_='VM', payload={
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
    segment = new_segment(api)
    new_host(api, segment)
    uuid = notify(api).json()['notification']['notification_uuid']
    for version in ('1.0', '1.3'):
        response = api.get('/notifications/%s/vmoves' % uuid,
                           version=version)
        assert response.status_code == 200
        assert response.json() == {'vmoves': []}
