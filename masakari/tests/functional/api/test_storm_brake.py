"""The storm brake and recovery pauses through the API (microversion 1.6),
with the real engine and the Nova simulator behind it (the all-in-one
stack: the paste pipeline over HTTP, the engine on the fake transport).

Below 1.6 nothing changes: the routes do not exist and a held
notification shows upstream's status ``new`` with a message.
"""

import datetime
import time
import uuid

import pytest
import requests

from masakari import rpc
from masakari.tests.fixtures.assertions import assert_evacuated_once
from masakari.tests.functional.api import fixtures

V16 = '1.6'


@pytest.fixture
def stack(conf, tmp_path):
    from masakari.aio.stack import AllInOne

    options = {(None, 'periodic_enable'): False,
               (None, 'wait_period_after_service_update'): 5,
               (None, 'wait_period_after_evacuation'): 10,
               ('nova', 'call_retries'): 0,
               ('storm_brake', 'enabled'): True}
    with AllInOne(str(tmp_path / 'state'), api_port=0,
                  simulator_settings={'evacuate_duration': 0.05,
                                      'stop_duration': 0.02,
                                      'start_duration': 0.02},
                  engine_options=options) as running:
        yield running
    rpc.cleanup()


class Api:
    def __init__(self, url):
        self.v1 = url + '/v1'
        self.session = requests.Session()

    def call(self, method, path, body=None, version=V16, status=None):
        headers = {}
        if version:
            headers['OpenStack-API-Version'] = 'instance-ha %s' % version
        answer = self.session.request(method, self.v1 + path, json=body,
                                      headers=headers, timeout=30)
        if status is not None:
            assert answer.status_code == status, (method, path,
                                                  answer.text)
        return answer

    def notification(self, uuid_, version=V16):
        return self.call('GET', '/notifications/%s' % uuid_,
                         version=version, status=200).json()['notification']

    def wait(self, uuid_, until, timeout=30):
        """The notification once its status (at 1.6) is in ``until``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            body = self.notification(uuid_)
            if body['status'] in until:
                return body
            time.sleep(0.05)
        raise AssertionError('%s never became %s: %s' % (uuid_, until, body))

    def host_down(self, hostname):
        return self.call('POST', '/notifications', {'notification': {
            'type': 'COMPUTE_HOST', 'hostname': hostname,
            'generated_time': datetime.datetime.utcnow().isoformat(),
            'payload': {'event': 'STOPPED', 'host_status': 'NORMAL',
                        'cluster_status': 'OFFLINE'}}},
            status=202).json()['notification']['notification_uuid']


def _cloud(stack, names, servers=2):
    """A segment with compute hosts ``names``, each running HA servers."""
    api = Api(stack.api_url)
    sim = stack.simulator.state
    segment = api.call('POST', '/segments', {'segment': {
        'name': 'seg-%s' % uuid.uuid4().hex[:6], 'recovery_method': 'auto',
        'service_type': 'COMPUTE'}}, status=201).json()['segment']
    placed = {}
    for name in names:
        sim.add_host(name)
        api.call('POST', '/segments/%s/hosts' % segment['uuid'], {'host': {
            'name': name, 'type': 'COMPUTE', 'control_attributes': 'SSH'}},
            status=201)
        placed[name] = sim.add_servers(name, servers,
                                       metadata={'HA_Enabled': 'True'})
    return api, sim, segment, placed


def test_burst_is_held_at_the_limit_then_released_once(stack):
    api, sim, segment, placed = _cloud(stack, ['c1', 'c2', 'c3', 'c4',
                                               'c5', 'c6'])
    uuids = []
    for name in ('c1', 'c2', 'c3', 'c4'):
        sim.fail_host(name)
        uuids.append(api.host_down(name))
        api.wait(uuids[-1], ('finished', 'held', 'error'))

    statuses = [api.notification(u)['status'] for u in uuids]
    # Two hosts (max_failed_hosts) are recovered; the third trips it.
    assert statuses == ['finished', 'finished', 'held', 'held']
    for name in ('c3', 'c4'):
        for server in placed[name]:
            assert sim.host_of(server) == name
            assert sim.evacuation_count(server) == 0
    held = api.notification(uuids[2])
    assert held['held_by'] == 'storm_brake'
    # Old clients see upstream's status and why it waits.
    old = api.notification(uuids[2], version='1.5')
    assert old['status'] == 'new' and 'held_by' not in old
    assert 'storm brake' in old['message']
    assert [n['notification_uuid'] for n in api.call(
        'GET', '/notifications?status=held', status=200).json()[
        'notifications']] == sorted(uuids[2:], key=uuids.index)[::-1]
    assert api.call('GET', '/notifications?status=held', version='1.5',
                    status=200).json() == {'notifications': []}
    new_old = api.call('GET', '/notifications?status=new', version='1.0',
                       status=200).json()['notifications']
    assert {n['notification_uuid'] for n in new_old} == set(uuids[2:])
    assert api.call('GET', '/notifications?status=new',
                    status=200).json() == {'notifications': []}
    (brake,) = api.call('GET', '/storm_brakes',
                        status=200).json()['storm_brakes']
    assert brake['segment_uuid'] == segment['uuid']
    assert brake['hosts'] == ['c3', 'c4']

    answer = api.call('POST', '/storm_brakes/%s/action' % segment['uuid'],
                      {'release': {}}, status=202).json()['storm_brake']
    assert answer['action'] == 'release'
    assert sorted(n['notification_uuid'] for n in answer['notifications']) \
        == sorted(uuids[2:])
    for uuid_ in uuids[2:]:
        assert api.wait(uuid_, ('finished', 'error'))['status'] == 'finished'
    # (c1's servers may have moved to c2 before it failed too.)
    for name in ('c3', 'c4'):
        assert_evacuated_once([sim.server_info(s) for s in placed[name]],
                              name)
    assert api.call('GET', '/storm_brakes',
                    status=200).json() == {'storm_brakes': []}
    api.call('POST', '/storm_brakes/%s/action' % segment['uuid'],
             {'release': None}, status=409)


def test_cancel_ends_held_failures_without_nova(stack):
    api, sim, segment, placed = _cloud(stack, ['c1', 'c2', 'c3'])
    api.call('POST', '/recovery_pauses', {'recovery_pause': {
        'reason': 'gather the storm', 'segment_id': segment['uuid']}},
        status=201)
    # Paused: both are stored before the engine may judge them.
    uuids = []
    for name in ('c1', 'c2'):
        sim.fail_host(name)
        uuids.append(api.host_down(name))
        assert api.wait(uuids[-1], ('held',))['held_by'] == 'pause'
    (pause,) = api.call('GET', '/recovery_pauses',
                        status=200).json()['recovery_pauses']
    assert pause['held_notifications'] == 2
    api.call('DELETE', '/recovery_pauses/%s' % pause['id'], status=202)
    # On resume the engine judges them: 2 of 3 hosts is a storm.
    for uuid_ in uuids:
        assert api.wait(uuid_, ('held', 'finished'))['held_by'] == \
            'storm_brake'
    served = sim.requests_served

    api.call('POST', '/storm_brakes/%s/action' % segment['uuid'],
             {'cancel': {'reason': 'monitor fault'}}, status=200)

    for uuid_ in uuids:
        body = api.notification(uuid_)
        assert body['status'] == 'ignored' and body['held_by'] is None
        assert 'monitor fault' in body['message']
    assert sim.requests_served == served
    for name in ('c1', 'c2'):
        for server in placed[name]:
            assert sim.evacuation_count(server) == 0


def test_global_pause_and_resume(stack):
    api, sim, segment, placed = _cloud(stack, ['c1', 'c2', 'c3'])
    pause = api.call('POST', '/recovery_pauses', {'recovery_pause': {
        'reason': 'cloud upgrade'}}, status=201).json()['recovery_pause']
    assert pause['segment_id'] is None and pause['reason'] == 'cloud upgrade'
    api.call('POST', '/recovery_pauses', {'recovery_pause': {
        'reason': 'again'}}, status=409)
    sim.fail_host('c1')
    held = api.host_down('c1')
    assert api.wait(held, ('held',))['held_by'] == 'pause'
    assert api.notification(held, version='1.0')['status'] == 'new'
    assert sim.evacuation_count(placed['c1'][0]) == 0
    assert api.call('GET', '/recovery_pauses/%s' % pause['id'],
                    status=200).json()['recovery_pause'][
        'held_notifications'] == 1

    resumed = api.call('DELETE', '/recovery_pauses/%s' % pause['id'],
                       status=202).json()
    assert resumed == {'resumed_notifications': [held]}
    assert api.wait(held, ('finished', 'error'))['status'] == 'finished'
    assert_evacuated_once([sim.server_info(s) for s in placed['c1']], 'c1')
    api.call('DELETE', '/recovery_pauses/%s' % pause['id'], status=404)


def test_routes_do_not_exist_below_1_6_and_bad_input(stack):
    api, _sim, segment, _placed = _cloud(stack, ['c1'], servers=0)
    paths = [('GET', '/storm_brakes', None),
             ('POST', '/storm_brakes/%s/action' % segment['uuid'],
              {'release': {}}),
             ('GET', '/recovery_pauses', None),
             ('POST', '/recovery_pauses', {'recovery_pause': {
                 'reason': 'x'}}),
             ('GET', '/recovery_pauses/%s' % uuid.uuid4(), None),
             ('DELETE', '/recovery_pauses/%s' % uuid.uuid4(), None)]
    for version in (None, '1.4', '1.5'):
        for method, path, body in paths:
            api.call(method, path, body, version=version, status=404)
    action = '/storm_brakes/%s/action' % segment['uuid']
    for body in ({}, {'release': {}, 'cancel': {'reason': 'x'}},
                 {'cancel': {}}, {'cancel': {'reason': ''}},
                 {'release': {'notifications': ['nope']}}, {'stop': {}}):
        fault = api.call('POST', action, body, status=400).json()
        assert fault['badRequest']['code'] == 400
    api.call('POST', action, {'release': {}}, status=409)
    api.call('POST', '/storm_brakes/%s/action' % uuid.uuid4(),
             {'release': {}}, status=404)
    for body in ({}, {'recovery_pause': {}},
                 {'recovery_pause': {'reason': 'x', 'segment_id': 'nope'}},
                 {'recovery_pause': {'reason': 'x', 'extra': 1}}):
        api.call('POST', '/recovery_pauses', body, status=400)
    api.call('POST', '/recovery_pauses', {'recovery_pause': {
        'reason': 'x', 'segment_id': str(uuid.uuid4())}}, status=404)
    api.call('GET', '/recovery_pauses/%s' % uuid.uuid4(), status=404)
    api.call('PUT', '/recovery_pauses', {}, status=405)


def test_admin_only(keystone_api, nova):
    from masakari.db import api as db_api

    segment = db_api.segment_create({'name': 's', 'recovery_method': 'auto',
                                     'service_type': 'COMPUTE'})
    operations = [
        ('storm_brakes:index', 'GET', '/storm_brakes', None, 200),
        ('storm_brakes:action', 'POST',
         '/storm_brakes/%s/action' % segment.uuid, {'release': {}}, 409),
        ('recovery_pauses:index', 'GET', '/recovery_pauses', None, 200),
        ('recovery_pauses:create', 'POST', '/recovery_pauses',
         {'recovery_pause': {'reason': 'r'}}, 201),
    ]
    for token, member in ((fixtures.MEMBER_TOKEN, True),
                          (fixtures.READER_TOKEN, True),
                          (fixtures.ADMIN_TOKEN, False)):
        for name, method, path, body, admin_status in operations:
            answer = keystone_api.request(method, path, json_body=body,
                                          token=token, version=V16)
            if member:
                assert answer.status_code == 403, (name, answer.text)
                assert answer.json()['forbidden']['message'] == (
                    "Policy doesn't allow os_masakari_api:%s to be "
                    'performed.' % name)
            else:
                assert answer.status_code == admin_status, (name,
                                                            answer.text)
    (pause,) = db_api.pause_get_all()
    for token, status in ((fixtures.MEMBER_TOKEN, 403),
                          (fixtures.ADMIN_TOKEN, 200)):
        assert keystone_api.get('/recovery_pauses/%s' % pause.uuid,
                                token=token,
                                version=V16).status_code == status
    for token, status in ((fixtures.MEMBER_TOKEN, 403),
                          (fixtures.ADMIN_TOKEN, 202)):
        assert keystone_api.delete('/recovery_pauses/%s' % pause.uuid,
                                   token=token,
                                   version=V16).status_code == status
