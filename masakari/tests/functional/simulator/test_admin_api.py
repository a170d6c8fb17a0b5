"""The ``/simulator`` admin API over HTTP, as an out-of-process runner."""

import pytest
import requests

from masakari.tests.functional.simulator.base import fresh
from masakari.tests.functional.simulator.base import novaclient
from masakari.tests.functional.simulator.base import start_simulator


@pytest.fixture(scope='module')
def running():
    simulator = start_simulator(hosts=())
    yield simulator
    simulator.stop()


@pytest.fixture
def admin(running):
    fresh(running, hosts=())

    def request(method, path, **kwargs):
        resp = requests.request(method, running.admin_url + path,
                                timeout=5, **kwargs)
        return resp.status_code, resp.json()

    request.sim = running
    return request


def test_build_break_and_check_a_cloud(admin):
    for name in ('a', 'b'):
        status, host = admin('POST', '/hosts', json={
            'name': name, 'vcpus': 4, 'memory_mb': 8192})
        assert status == 201 and host['state'] == 'up'
    status, body = admin('POST', '/servers', json={
        'host': 'a', 'count': 2, 'metadata': {'HA_Enabled': 'True'}})
    assert status == 201
    ids = [s['id'] for s in body['servers']]
    assert admin('POST', '/hosts/a/fail')[1]['state'] == 'down'
    nova = novaclient(admin.sim)
    for sid in ids:
        nova.servers.evacuate(sid)
    assert admin('POST', '/wait-idle', json={'timeout': 5})[1] == {
        'idle': True}
    dump = admin('GET', '/state')[1]
    for server in dump['servers']:
        assert server['host'] == 'b' and server['status'] == 'ACTIVE'
        assert server['evacuations'] == 1
    assert [m['status'] for m in admin('GET', '/migrations')[1][
        'migrations']] == ['done', 'done']
    assert admin('POST', '/hosts/a/recover')[1]['state'] == 'up'
    assert admin('GET', '/servers?host=b')[1]['servers'][0]['host'] == 'b'


def test_settings_and_faults(admin):
    status, settings = admin('PUT', '/settings', json={
        'evacuate_duration': '0.1:0.2', 'service_down_time': 3})
    assert status == 200
    assert settings['evacuate_duration'] == {'min': 0.1, 'max': 0.2}
    assert admin('GET', '/settings')[1]['service_down_time'] == 3
    assert admin('PUT', '/settings', json={'nope': 1})[0] == 400
    admin('POST', '/hosts', json={'name': 'a'})
    sid = admin('POST', '/servers', json={'host': 'a'})[1]['servers'][0][
        'id']
    status, body = admin('POST', '/faults/http', json={
        'pattern': '/os-services', 'status': 503, 'count': 2})
    assert status == 201
    fault_id = body['id']
    assert admin('POST', '/faults/evacuation', json={
        'server_id': sid, 'mode': 'stuck'})[0] == 201
    faults = admin('GET', '/faults')[1]
    assert faults['http'][0]['status'] == 503
    assert faults['evacuation'] == {sid: {'mode': 'stuck', 'count': 1}}
    assert admin('DELETE', '/faults/http/%d' % fault_id)[0] == 200
    assert admin('DELETE', '/faults/http/%d' % fault_id)[0] == 404
    assert admin('DELETE', '/faults')[1] == {'http': [], 'evacuation': {}}


def test_admin_errors(admin):
    assert admin('POST', '/hosts', json={})[1]['error']['message'] == \
        "missing field 'name'"
    assert admin('GET', '/hosts/zz')[0] == 404
    assert admin('POST', '/servers', json={'host': 'zz'})[0] == 400
    assert admin('GET', '/nothing')[0] == 404
    status, body = admin('PUT', '/state')
    assert status == 405
