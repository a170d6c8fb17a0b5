"""Faults around a multi-process deployment: broker, database, Nova.

The tests that stop RabbitMQ or PostgreSQL run their own node or cluster
(own port and data), so tests running beside them are not disturbed. Each
test checks in the Nova simulator's state that every HA instance was
recovered exactly once wherever a recovery happened.
"""

import concurrent.futures
import datetime
import threading
import time

import pytest
import requests

from masakari.tests.e2e.conftest import Deployment
from masakari.tests.e2e.conftest import wait_until
from masakari.tests.fixtures import assertions
from masakari.tests import figures

COMPUTES = ('compute1', 'compute2', 'compute3')
# The periodic task re-dispatches lost ``new`` notifications and retries
# ``error`` ones every 2 s.
QUICK_RETRY = {'DEFAULT': {'process_unfinished_notifications_interval': 2,
                           'retry_notification_new_status_interval': 2}}

pytestmark = pytest.mark.filterwarnings(
    'ignore::openstack.warnings.RemovedInSDK50Warning')


def now():
    return datetime.datetime.utcnow().isoformat()


@pytest.fixture
def make_deployment(processes, tmp_path, exchange):
    """Deployments on servers of the test's own; stopped (all processes at
    once) before those servers are."""
    made = []

    def make(rabbit_url, db_url, options=None):
        made.append(Deployment(processes, tmp_path, rabbit_url, exchange,
                               db_url, options=options))
        return made[-1]

    yield make
    for deployment in made:
        deployment.stop()


def host_down_body(hostname, generated_time=None):
    return {'notification': {
        'type': 'COMPUTE_HOST', 'hostname': hostname,
        'generated_time': generated_time or now(),
        'payload': {'event': 'STOPPED', 'host_status': 'NORMAL',
                    'cluster_status': 'OFFLINE'}}}


def build_cloud(deployment, ha_per_host=None):
    """compute1-3 in Nova and in one auto segment; HA servers seeded."""
    for name in COMPUTES:
        deployment.sim.add_host(name, vcpus=64, memory_mb=131072)
    servers = {host: deployment.sim.add_servers(
        host, count, name_prefix='ha-%s' % host,
        metadata={'HA_Enabled': 'True'})
        for host, count in (ha_per_host or {}).items()}
    return servers


def register(deployment, name='e2e-faults'):
    conn = deployment.connect()
    segment = conn.instance_ha.create_segment(
        name=name, recovery_method='auto', service_type='COMPUTE')
    for host in COMPUTES:
        conn.instance_ha.create_host(segment.uuid, name=host, type='COMPUTE',
                                     control_attributes='SSH')
    return conn, segment


def assert_evacuated_once(sim, server_ids, source):
    assertions.assert_evacuated_once(map(sim.server, server_ids), source)


def emit_nova_fault(sim, ha_ids, faults, reached=1):
    """Figures of one notification that met ``faults`` Nova faults."""
    figures.emit_outcome(
        'nova_faults', faults=faults, posted=1, accepted=1, reached=reached,
        recoveries=[sim.server(i)['evacuations'] for i in ha_ids])


def assert_fault_body(response, code, name):
    """An OpenStack fault body, never a traceback."""
    assert response.status_code == code, response.text
    assert response.headers['Content-Type'].startswith('application/json')
    body = response.json()
    assert list(body) == [name], body
    assert body[name]['code'] == code
    assert 'Traceback' not in response.text
    return body[name]['message']


# --- RabbitMQ ----------------------------------------------------------------
def test_broker_down_post_still_answers_202(
        private_rabbitmq, postgresql_url, make_deployment):
    """Broker down: the monitor still gets 202 for a stored notification."""
    broker = private_rabbitmq.start()
    deployment = make_deployment(broker.url, postgresql_url)
    deployment.start_simulator()
    build_cloud(deployment)
    deployment.start(engines=())
    register(deployment)
    broker.stop()

    response = requests.post(
        deployment.api_url + '/v1/notifications',
        json=host_down_body('compute1'), timeout=10)
    assert response.status_code == 202, response.text
    assert response.json()['notification']['status'] == 'new'


def test_broker_down_notification_recovered_by_periodic_task(
        private_rabbitmq, postgresql_url, make_deployment):
    """Broker down while a host fails: the notification the monitor posted
    is stored, the engines' periodic task (which needs no broker) picks it
    up, exactly one of the two engines recovers it, and once the broker is
    back the RPC path works again."""
    broker = private_rabbitmq.start()
    deployment = make_deployment(broker.url, postgresql_url, QUICK_RETRY)
    deployment.start_simulator()
    servers = build_cloud(deployment, {'compute1': 4, 'compute2': 1})
    deployment.start()
    register(deployment)

    deployment.sim.fail_host('compute1')
    broker.stop()
    answered = requests.post(deployment.api_url + '/v1/notifications',
                             json=host_down_body('compute1'), timeout=60)
    # The cast fails after bounded retries; the row is stored all the same.
    assert answered.status_code == 202, answered.text
    rows = deployment.request('GET', '/notifications').json()[
        'notifications']
    assert len(rows) == 1, rows
    uuid = rows[0]['notification_uuid']

    deployment.wait_notification(uuid, timeout=90)
    assert_evacuated_once(deployment.sim, servers['compute1'], 'compute1')
    assert len(deployment.engines_that_processed(uuid)) == 1
    assert any('Dispatching new notification %s' % uuid in engine.log()
               for engine in deployment.engines.values())

    # The broker comes back: the engines consume again, casts get through.
    broker.start()
    for host in deployment.engines:
        deployment.wait_engine(host)
    crashed = servers['compute2'][0]
    response = deployment.request('POST', '/notifications', {
        'notification': {
            'type': 'VM', 'hostname': 'compute2', 'generated_time': now(),
            'payload': {'event': 'LIFECYCLE', 'instance_uuid': crashed,
                        'vir_domain_event': 'STOPPED_FAILED'}}})
    assert response.status_code == 202, response.text
    deployment.wait_notification(
        response.json()['notification']['notification_uuid'])
    info = deployment.sim.server(crashed)
    assert (info['host'], info['status']) == ('compute2', 'ACTIVE')
    assert [a['action'] for a in info['actions']].count('start') == 1
    assert all(engine.alive() for engine in deployment.engines.values())


# --- the database ------------------------------------------------------------
def test_database_down_503_then_recovers(
        private_postgresql, rabbit_url, make_deployment):
    """Database down: the API answers 503 with a fault body (never a
    traceback), the engines survive, and both work again by themselves
    once the database is back."""
    deployment = make_deployment(rabbit_url, private_postgresql.url,
                                 QUICK_RETRY)
    deployment.start_simulator()
    servers = build_cloud(deployment, {'compute1': 3})
    deployment.start()
    conn, segment = register(deployment)

    private_postgresql.stop()
    for _ in range(4):  # both gunicorn workers, pooled connections or not
        assert_fault_body(deployment.request('GET', '/segments'), 503,
                          'serviceUnavailable')
    assert_fault_body(deployment.request('GET', '/segments/%s/hosts'
                                         % segment.uuid),
                      503, 'serviceUnavailable')
    message = assert_fault_body(
        deployment.request('POST', '/notifications',
                           host_down_body('compute1')),
        503, 'serviceUnavailable')
    assert 'database' in message
    # What needs no database still answers.
    assert requests.get(deployment.api_url + '/', timeout=10).status_code \
        == 200
    assert requests.get(deployment.api_url + '/healthcheck',
                        timeout=10).status_code == 200
    time.sleep(3)  # a few failed runs of the periodic tasks
    assert all(engine.alive() for engine in deployment.engines.values())

    private_postgresql.start()
    wait_until(lambda: all(
        deployment.request('GET', '/segments').status_code == 200
        for _ in range(4)), 30, what='the API to reach the database')
    deployment.sim.fail_host('compute1')
    response = deployment.request('POST', '/notifications',
                                  host_down_body('compute1'))
    assert response.status_code == 202, response.text
    uuid = response.json()['notification']['notification_uuid']
    deployment.wait_notification(uuid)
    assert_evacuated_once(deployment.sim, servers['compute1'], 'compute1')


# --- tests sharing one deployment --------------------------------------------
@pytest.fixture(scope='module')
def shared(module_deployment):
    """One running deployment (quick periodic retries) for the tests
    below; each adds its own hosts and segment."""
    module_deployment.options = QUICK_RETRY
    module_deployment.start_simulator()
    module_deployment.start()
    return module_deployment


@pytest.fixture
def cloud(shared, module_deployment_logs):
    """The shared deployment; the faults a test injects end with it."""
    yield shared
    shared.sim.clear_faults()


def new_segment(deployment, name, hosts):
    """Hosts (Nova and masakari) and an auto segment of a test's own."""
    for host in hosts:
        deployment.sim.add_host(host, vcpus=64, memory_mb=131072)
    conn = deployment.connect()
    segment = conn.instance_ha.create_segment(
        name=name, recovery_method='auto', service_type='COMPUTE')
    made = {host: conn.instance_ha.create_host(
        segment.uuid, name=host, type='COMPUTE', control_attributes='SSH')
        for host in hosts}
    return conn, segment, made


def logged(deployment, pattern):
    """How many lines of all engine logs contain ``pattern``."""
    return sum(engine.log().count(pattern)
               for engine in deployment.engines.values())


def test_duplicate_notifications_from_many_monitors(cloud):
    """Ten host monitors report the same host failure, and ten instance
    monitors the same crashed instance, all at once, to two API workers:
    one notification of each is stored (202), the others get 409, and the
    recovery of each happens once."""
    conn, _segment, hosts = new_segment(cloud, 'dup',
                                        ('dup-a', 'dup-b', 'dup-c'))
    ha_ids = cloud.sim.add_servers('dup-a', 3,
                                        metadata={'HA_Enabled': 'True'})
    crashed = cloud.sim.add_servers('dup-b', 1,
                                         metadata={'HA_Enabled': 'True'})[0]
    cloud.sim.fail_host('dup-a')
    monitors = 10
    barrier = threading.Barrier(2 * monitors)
    base = datetime.datetime.utcnow()

    def host_monitor(index):
        # Monitors on different nodes see the failure at slightly
        # different times: still duplicates within the window.
        generated = (base + datetime.timedelta(milliseconds=index))
        return post(host_down_body('dup-a', generated.isoformat()))

    def instance_monitor(index):
        return post({'notification': {
            'type': 'VM', 'hostname': 'dup-b',
            'generated_time': base.isoformat(),
            'payload': {'event': 'LIFECYCLE', 'instance_uuid': crashed,
                        'vir_domain_event': 'STOPPED_FAILED'}}})

    def post(body):
        session = requests.Session()
        barrier.wait()
        return session.post(cloud.api_url + '/v1/notifications',
                            json=body, timeout=60)

    with concurrent.futures.ThreadPoolExecutor(2 * monitors) as pool:
        host_posts = [pool.submit(host_monitor, i) for i in range(monitors)]
        vm_posts = [pool.submit(instance_monitor, i)
                    for i in range(monitors)]
        host_responses = [f.result() for f in host_posts]
        vm_responses = [f.result() for f in vm_posts]

    for responses, hostname in ((host_responses, 'dup-a'),
                                (vm_responses, 'dup-b')):
        codes = sorted(r.status_code for r in responses)
        assert codes == [202] + [409] * (monitors - 1), [
            r.text for r in responses]
        for response in responses:
            if response.status_code == 409:
                message = assert_fault_body(response, 409,
                                            'conflictingRequest')
                # Once the engine has the host on maintenance, that is
                # why later host-down reports are refused.
                assert 'is duplicate' in message or (
                    hostname == 'dup-a' and 'under maintenance' in message)
        stored = cloud.request('GET', '/notifications', params={
            'source_host_uuid': hosts[hostname].uuid}).json()[
                'notifications']
        assert len(stored) == 1
        cloud.wait_notification(stored[0]['notification_uuid'])
    assert_evacuated_once(cloud.sim, ha_ids, 'dup-a')
    actions = [a['action'] for a in cloud.sim.server(crashed)['actions']]
    assert (actions.count('stop'), actions.count('start')) == (1, 1)
    responses = host_responses + vm_responses
    figures.emit_outcome(
        'duplicates', faults=2, posted=len(responses),
        accepted=sum(r.status_code == 202 for r in responses), reached=2,
        recoveries=[cloud.sim.server(i)['evacuations'] for i in ha_ids] +
        [actions.count('start')],
        refused_409=sum(r.status_code == 409 for r in responses))


def test_nova_500_on_evacuate_then_retried(cloud):
    """Nova answers 500 to one evacuation: the notification ends error, the
    periodic task retries it once, the retry evacuates only what is left
    and it ends finished. Every instance is evacuated exactly once and has
    one vmove."""
    conn, _segment, _hosts = new_segment(cloud, 'n500',
                                         ('n500-a', 'n500-b'))
    ha_ids = cloud.sim.add_servers('n500-a', 3,
                                        metadata={'HA_Enabled': 'True'})
    victim = ha_ids[1]
    cloud.sim.add_http_fault('/servers/%s/action' % victim,
                                  action='evacuate', status=500, count=1)
    cloud.sim.fail_host('n500-a')
    uuid = conn.instance_ha.create_notification(
        type='COMPUTE_HOST', hostname='n500-a', generated_time=now(),
        payload={'event': 'STOPPED', 'host_status': 'NORMAL'}
    ).notification_uuid

    row = cloud.wait_notification(uuid)
    assert_evacuated_once(cloud.sim, ha_ids, 'n500-a')
    assert logged(cloud, 'Notification %s is error' % uuid) == 1
    assert logged(cloud, 'Dispatching error notification %s again'
                  % uuid) >= 1
    assert logged(cloud, 'Notification %s is finished' % uuid) == 1
    assert row['message'].startswith("Host 'n500-a' recovered")
    vmoves = list(conn.instance_ha.vmoves(uuid))
    assert sorted(v.server_id for v in vmoves) == sorted(ha_ids)
    assert {v.status for v in vmoves} == {'succeeded'}
    assert cloud.sim.faults()['http'] == []  # the fault fired
    emit_nova_fault(cloud.sim, ha_ids, faults=1)


def test_nova_timeout_on_evacuate_retried_not_repeated(cloud):
    """Nova takes an evacuation only after [nova] call_timeout (5 s): the
    engine sees no evacuation under way, so that instance's vmove fails
    and the notification ends error. The periodic retry evacuates it (or
    finds it evacuated by then) and ends finished; whichever of the late
    request and the retry comes second is refused by Nova, so every
    instance is evacuated exactly once."""
    conn, _segment, _hosts = new_segment(cloud, 'slow',
                                         ('slow-a', 'slow-b'))
    ha_ids = cloud.sim.add_servers('slow-a', 2,
                                        metadata={'HA_Enabled': 'True'})
    cloud.sim.add_http_fault('/servers/%s/action' % ha_ids[0],
                                  action='evacuate', latency=7, count=1)
    cloud.sim.fail_host('slow-a')
    uuid = conn.instance_ha.create_notification(
        type='COMPUTE_HOST', hostname='slow-a', generated_time=now(),
        payload={'event': 'STOPPED', 'host_status': 'NORMAL'}
    ).notification_uuid

    cloud.wait_notification(uuid)
    assert_evacuated_once(cloud.sim, ha_ids, 'slow-a')
    assert logged(cloud, 'Nova did not answer within') >= 1
    assert logged(cloud, 'Notification %s is error' % uuid) == 1
    vmoves = list(conn.instance_ha.vmoves(uuid))
    assert sorted(v.server_id for v in vmoves) == sorted(ha_ids)
    assert {v.status for v in vmoves} == {'succeeded'}
    emit_nova_fault(cloud.sim, ha_ids, faults=1)


def test_nova_answer_lost_after_evacuate(cloud):
    """Nova evacuates but its answer is lost (504 after the work): the
    engine sees the evacuation under way and waits for it instead of
    failing or evacuating again; finished at the first attempt."""
    conn, _segment, _hosts = new_segment(cloud, 'lost',
                                         ('lost-a', 'lost-b'))
    ha_ids = cloud.sim.add_servers('lost-a', 2,
                                        metadata={'HA_Enabled': 'True'})
    cloud.sim.add_http_fault('/servers/%s/action' % ha_ids[0],
                                  action='evacuate', status=504, after=True,
                                  count=1)
    cloud.sim.fail_host('lost-a')
    uuid = conn.instance_ha.create_notification(
        type='COMPUTE_HOST', hostname='lost-a', generated_time=now(),
        payload={'event': 'STOPPED', 'host_status': 'NORMAL'}
    ).notification_uuid

    cloud.wait_notification(uuid)
    assert_evacuated_once(cloud.sim, ha_ids, 'lost-a')
    assert logged(cloud, 'Notification %s is error' % uuid) == 0
    assert logged(cloud, 'Processing notification %s' % uuid) == 1
    emit_nova_fault(cloud.sim, ha_ids, faults=1)


def test_nova_500_persistent_ends_failed(cloud):
    """Nova keeps failing one instance's evacuation: error, one automatic
    retry, then failed (contract 2.6). The other instances are evacuated
    once; the broken one is never evacuated and its vmove says why."""
    conn, _segment, _hosts = new_segment(cloud, 'broken',
                                         ('broken-a', 'broken-b'))
    ha_ids = cloud.sim.add_servers('broken-a', 3,
                                        metadata={'HA_Enabled': 'True'})
    victim = ha_ids[0]
    cloud.sim.add_http_fault('/servers/%s/action' % victim,
                                  action='evacuate', status=500, count=None,
                                  message='No valid host was found.')
    cloud.sim.fail_host('broken-a')
    uuid = conn.instance_ha.create_notification(
        type='COMPUTE_HOST', hostname='broken-a', generated_time=now(),
        payload={'event': 'STOPPED', 'host_status': 'NORMAL'}
    ).notification_uuid

    row = cloud.wait_notification(uuid, statuses=('failed',))
    assert 'Failed to evacuate instances' in row['message']
    assert victim in row['message']
    assert_evacuated_once(cloud.sim, ha_ids[1:], 'broken-a')
    info = cloud.sim.server(victim)
    assert (info['host'], info['evacuations']) == ('broken-a', 0)
    assert logged(cloud, 'Notification %s is error' % uuid) == 1
    assert logged(cloud, 'Notification %s is failed' % uuid) == 1
    # It stays failed: no third attempt.
    time.sleep(4)
    assert cloud.notification(uuid)['status'] == 'failed'
    assert logged(cloud, 'Processing notification %s' % uuid) == 2
    vmoves = {v.server_id: v for v in conn.instance_ha.vmoves(uuid)}
    assert sorted(vmoves) == sorted(ha_ids)
    assert vmoves[victim].status == 'failed'
    assert 'No valid host was found' in vmoves[victim].message
    # Ended failed, as it should: not lost.
    emit_nova_fault(cloud.sim, ha_ids, faults=sum(
        f['fired'] for f in cloud.sim.faults()['http']))
