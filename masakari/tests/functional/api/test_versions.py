"""Version discovery: the version documents, the link prefix, the
healthcheck and the extension list."""

from masakari.conf import CONF
from masakari.tests.functional.api.fixtures import VERSION_HEADER as V


def test_version_documents(api):
    root = api.get(api.url + '/')
    assert root.status_code == 200
    assert root.json() == {'versions': [{
        'id': 'v1.0', 'status': 'CURRENT', 'version': '1.5',
        'min_version': '1.0', 'updated': '2016-07-01T11:33:21Z',
        'links': [{'rel': 'self', 'href': api.url + '/v1/'}]}]}
    # the root is not under microversion control
    root = api.get(api.url + '/', version='9.9')
    assert root.status_code == 200 and V not in root.headers

    for path in ('', '/'):
        v1 = api.get(api.v1 + path)
        assert v1.status_code == 200
        assert v1.json() == {'version': {
            'id': 'v1.0', 'status': 'CURRENT', 'version': '1.5',
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


def test_extensions(api):
    listed = api.get('/extensions').json()['extensions']
    assert sorted(e['alias'] for e in listed) == [
        'extensions', 'notifications', 'os-hosts', 'segments', 'versions',
        'vmoves']
    one = api.get('/extensions/os-hosts').json()['extension']
    assert one['alias'] == 'os-hosts' and one['links'] == []
