"""Updates of segments and hosts: locked while a notification of the
segment is being processed; booleans read strictly."""

from masakari.db import api as db_api
from masakari.tests.functional.api.fixtures import new_host
from masakari.tests.functional.api.fixtures import new_segment
from masakari.tests.functional.api.fixtures import notify


def test_segment_under_recovery(api):
    segment = new_segment(api)
    host = new_host(api, segment)
    uuid = notify(api).json()['notification']['notification_uuid']
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
    new_host(api, segment, 'compute2')
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
    segment = new_segment(api)
    host = new_host(api, segment, reserved=True)
    seg_path = '/segments/%s' % segment['uuid']
    response = api.put(seg_path, {'segment': {'enabled': 'false'}},
                       version='1.2')
    assert response.json()['segment']['enabled'] is False
    response = api.put(seg_path + '/hosts/%s' % host['uuid'],
                       {'host': {'reserved': 'False', 'on_maintenance': 'on'}})
    assert response.json()['host']['reserved'] is False
    assert response.json()['host']['on_maintenance'] is True
