"""Lists: limits, markers, sort order and filters."""

from masakari.conf import CONF
from masakari.tests.functional.api.fixtures import new_host
from masakari.tests.functional.api.fixtures import new_segment


def test_list_semantics(api):
    segments = [new_segment(api, 'seg%d' % i) for i in range(4)]
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
    segment = new_segment(api)
    new_host(api, segment, 'compute1', control_attributes='ipmi')
    new_host(api, segment, 'compute2')
    base = '/segments/%s/hosts' % segment['uuid']
    assert [h['name'] for h in api.get(
        base + '?name=compute2').json()['hosts']] == ['compute2']
    assert [h['name'] for h in api.get(
        base + '?control_attributes=ipmi').json()['hosts']] == ['compute1']
    host = api.get(base + '?name=compute1').json()['hosts'][0]
    assert host['failover_segment'] == api.get(
        '/segments/%s' % segment['uuid']).json()['segment']
