"""masakari as separate processes: the recovery seen from Nova's side.

One deployment for the module: the Nova simulator
(``masakari-nova-simulator``), ``masakari-manage db sync`` on a PostgreSQL
database of the module's own, the
API under gunicorn with two workers and two ``masakari-engine`` processes
(different ``[DEFAULT] host``), all talking over RabbitMQ on the test's own
control exchange. The test talks to the API through openstacksdk, as the
monitors and operators do, and checks the outcome in the simulator's state:
what Nova really did, not what masakari says it did.
"""

import datetime
import os

from keystoneauth1 import loading as ks_loading
import pytest
import requests

from masakari.tests.e2e import conftest
from masakari.tests.fixtures import assertions
from masakari.tests.functional.test_openapi import Document

FAILED_HOST = 'compute1'
COMPUTES = ('compute1', 'compute2', 'compute3')

pytestmark = pytest.mark.filterwarnings(
    'ignore::openstack.warnings.RemovedInSDK50Warning')


def now():
    return datetime.datetime.utcnow().isoformat()


@pytest.fixture(scope='module')
def started(module_deployment):
    """A running deployment with compute1-3 in Nova and in one segment."""
    deployment = module_deployment
    sim = deployment.start_simulator()
    for name in COMPUTES:
        sim.add_host(name, vcpus=64, memory_mb=131072)
    deployment.start()
    conn = deployment.connect()
    segment = conn.instance_ha.create_segment(
        name='e2e-multiprocess', recovery_method='auto',
        service_type='COMPUTE')
    hosts = {name: conn.instance_ha.create_host(
        segment.uuid, name=name, type='COMPUTE', control_attributes='SSH')
        for name in COMPUTES}
    deployment.conn = conn
    deployment.segment = segment
    deployment.hosts = hosts
    return deployment


@pytest.fixture
def cloud(started, module_deployment_logs):
    """The shared deployment; each test fails its own host (compute1: the
    host failure, compute2: the instance, compute3: nova-compute)."""
    return started


def assert_evacuated_once(sim, server_ids, source):
    """Every server is ACTIVE on another compute, evacuated exactly once,
    and Nova's migration records agree: one done, from ``source``."""
    assertions.assert_evacuated_once(map(sim.server, server_ids), source)
    problems = []
    for server_id in server_ids:
        info = sim.server(server_id)
        done = [m for m in sim.migrations(server_id)
                if m['status'] in ('done', 'completed')]
        if len(done) != 1 or done[0]['source'] != source:
            problems.append('%s has evacuation records %s'
                            % (info['name'], done))
    assert not problems, problems


def test_host_failure_two_engines_gunicorn(cloud):
    """A host dies: its HA instances are evacuated once, by one engine."""
    sim, conn = cloud.sim, cloud.conn
    ha_ids = sim.add_servers(FAILED_HOST, 6, name_prefix='ha',
                             metadata={'HA_Enabled': 'True'})
    plain_ids = sim.add_servers(FAILED_HOST, 2, name_prefix='plain')
    other_ids = sim.add_servers('compute2', 2, name_prefix='bystander',
                                metadata={'HA_Enabled': 'True'})
    sim.fail_host(FAILED_HOST)

    notification = conn.instance_ha.create_notification(
        type='COMPUTE_HOST', hostname=FAILED_HOST, generated_time=now(),
        payload={'event': 'STOPPED', 'host_status': 'NORMAL',
                 'cluster_status': 'OFFLINE'})
    assert notification.status == 'new'
    uuid = notification.notification_uuid
    row = cloud.wait_notification(uuid)
    assert row['message'].startswith("Host 'compute1' recovered")

    # Nova's side: every HA instance once, elsewhere; nothing else moved.
    assert_evacuated_once(sim, ha_ids, FAILED_HOST)
    for server_id in plain_ids + other_ids:
        assert sim.server(server_id)['evacuations'] == 0
    assert {s['id'] for s in sim.servers(FAILED_HOST)} == set(plain_ids)
    failed = sim.host(FAILED_HOST)
    assert failed['status'] == 'disabled'
    assert failed['disabled_reason'] == 'Masakari detected host failed.'

    # Exactly one of the two engines ran it.
    assert len(cloud.engines_that_processed(uuid)) == 1, {
        host: engine.log()[-3000:] for host, engine in cloud.engines.items()}

    # masakari's side, through the API, consistent with Nova's.
    host = conn.instance_ha.get_host(cloud.hosts[FAILED_HOST].uuid,
                                     cloud.segment.uuid)
    assert host.on_maintenance is True
    vmoves = list(conn.instance_ha.vmoves(uuid))
    assert sorted(v.server_id for v in vmoves) == sorted(ha_ids)
    for vmove in vmoves:
        info = sim.server(vmove.server_id)
        assert vmove.status == 'succeeded'
        assert vmove.type == 'evacuation'
        assert vmove.source_host == FAILED_HOST
        assert vmove.dest_host == info['host'] != FAILED_HOST
        assert vmove.server_name == info['name']
        assert vmove.start_time and vmove.end_time
        assert conn.instance_ha.get_vmove(vmove.uuid, uuid).id == vmove.id
    at_1_3 = cloud.request('GET', '/notifications/%s/vmoves' % uuid,
                           version='1.3')
    assert at_1_3.status_code == 200
    document = Document()
    document.check('/v1/notifications/{notification_id}/vmoves', 'get',
                   at_1_3)
    assert at_1_3.headers['OpenStack-API-Version'] == 'instance-ha 1.3'
    assert {v['uuid'] for v in at_1_3.json()['vmoves']} == \
        {v.uuid for v in vmoves}

    at_1_1 = cloud.request('GET', '/notifications/%s' % uuid,
                           version='1.1')
    document.check('/v1/notifications/{notification_id}', 'get', at_1_1)
    details = at_1_1.json()['notification']['recovery_workflow_details']
    assert [d['name'] for d in details] == [
        'DisableComputeServiceTask', 'PrepareHAEnabledInstancesTask',
        'EvacuateInstancesTask']
    assert {d['state'] for d in details} == {'SUCCESS'}
    for detail in details:
        assert detail['progress'] == 1.0
        assert detail['progress_details'], detail
    # 1.0 does not show them.
    assert 'recovery_workflow_details' not in cloud.notification(uuid)

    # The host monitor repeating itself is refused: the host is on
    # maintenance now.
    again = cloud.request('POST', '/notifications', {'notification': {
        'type': 'COMPUTE_HOST', 'hostname': FAILED_HOST,
        'generated_time': now(),
        'payload': {'event': 'STOPPED', 'host_status': 'NORMAL',
                    'cluster_status': 'OFFLINE'}}})
    assert again.status_code == 409, again.text


def test_instance_failure(cloud):
    """An HA instance crashed: it is stopped and started again, in place."""
    sim, conn = cloud.sim, cloud.conn
    server_id = sim.add_servers('compute2', 1, name_prefix='crashed',
                                metadata={'HA_Enabled': 'True'})[0]
    notification = conn.instance_ha.create_notification(
        type='VM', hostname='compute2', generated_time=now(),
        payload={'event': 'LIFECYCLE', 'instance_uuid': server_id,
                 'vir_domain_event': 'STOPPED_FAILED'})
    uuid = notification.notification_uuid
    cloud.wait_notification(uuid)

    info = sim.server(server_id)
    assert info['host'] == 'compute2'
    assert info['status'] == 'ACTIVE'
    assert info['evacuations'] == 0
    actions = [a['action'] for a in info['actions']]
    assert actions.count('stop') == 1 and actions.count('start') == 1
    assert actions.index('stop') < actions.index('start')
    assert len(cloud.engines_that_processed(uuid)) == 1

    details = cloud.notification(uuid, version='1.1')[
        'recovery_workflow_details']
    assert [d['name'] for d in details] == [
        'StopInstanceTask', 'StartInstanceTask', 'ConfirmInstanceActiveTask']
    assert {d['state'] for d in details} == {'SUCCESS'}
    # No vmoves for a VM notification (400, as upstream).
    assert cloud.request('GET', '/notifications/%s/vmoves'
                         % uuid).status_code == 400


def test_process_failure(cloud):
    """nova-compute died on a host: its service is disabled in Nova."""
    sim, conn = cloud.sim, cloud.conn
    server_id = sim.add_servers('compute3', 1,
                                metadata={'HA_Enabled': 'True'})[0]
    notification = conn.instance_ha.create_notification(
        type='PROCESS', hostname='compute3', generated_time=now(),
        payload={'event': 'STOPPED', 'process_name': 'nova-compute'})
    uuid = notification.notification_uuid
    cloud.wait_notification(uuid)

    service = sim.host('compute3')
    assert service['status'] == 'disabled'
    assert service['disabled_reason'] == 'Masakari detected process failed.'
    # Nothing is done to the instances of that host.
    info = sim.server(server_id)
    assert (info['host'], info['status'], info['evacuations']) == \
        ('compute3', 'ACTIVE', 0)
    assert len(cloud.engines_that_processed(uuid)) == 1

    host = conn.instance_ha.get_host(cloud.hosts['compute3'].uuid,
                                     cloud.segment.uuid)
    assert host.on_maintenance is True
    details = cloud.notification(uuid, version='1.1')[
        'recovery_workflow_details']
    assert [d['name'] for d in details] == [
        'DisableComputeNodeTask', 'ConfirmComputeNodeDisabledTask']
    assert {d['state'] for d in details} == {'SUCCESS'}


def test_vmove_times_span_the_evacuation(cloud):
    """start_time is when the evacuation was asked, end_time when Nova
    had it running elsewhere (the simulator takes 0.3 s)."""
    sim, conn = cloud.sim, cloud.conn
    for name in ('compute4', 'compute5'):
        sim.add_host(name, vcpus=64, memory_mb=131072)
        conn.instance_ha.create_host(cloud.segment.uuid, name=name,
                                     type='COMPUTE', control_attributes='SSH')
    ha_ids = sim.add_servers('compute4', 2, metadata={'HA_Enabled': 'True'})
    sim.fail_host('compute4')
    uuid = conn.instance_ha.create_notification(
        type='COMPUTE_HOST', hostname='compute4', generated_time=now(),
        payload={'event': 'STOPPED', 'host_status': 'NORMAL'}
    ).notification_uuid
    cloud.wait_notification(uuid)
    assert_evacuated_once(sim, ha_ids, 'compute4')
    for vmove in conn.instance_ha.vmoves(uuid):
        started = datetime.datetime.fromisoformat(vmove.start_time)
        ended = datetime.datetime.fromisoformat(vmove.end_time)
        assert ended - started >= datetime.timedelta(seconds=0.25), (
            vmove.start_time, vmove.end_time)


def test_health_checks_of_the_deployment_guide(cloud):
    """What doc/source/install/deployment.rst tells operators to check."""
    health = cloud.api_url + '/healthcheck'
    assert requests.get(health, timeout=10).status_code == 200
    # Draining a node: the load balancer sees 503.
    cloud.healthcheck_disable_file.write_text('')
    try:
        assert requests.get(health, timeout=10).status_code == 503
    finally:
        cloud.healthcheck_disable_file.unlink()
    assert requests.get(health, timeout=10).status_code == 200

    result = cloud.processes.run('masakari.cmd.status', '--config-file',
                                 str(cloud.config_file), 'upgrade', 'check')
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'Database schema' in result.stdout
    # One consumer per engine on the shared topic queue, one on each
    # engine's own.
    assert cloud.queue_consumers(cloud.topic) == 2
    for host in cloud.engines:
        assert cloud.queue_consumers('%s.%s' % (cloud.topic, host)) == 1


def _known_options():
    """{section: option names} of masakari.conf.sample, plus the options
    of the keystoneauth password plugin (which the generated sample, not
    knowing the auth_type, cannot list)."""
    known = {}
    section = None
    sample = os.path.join(conftest.SAMPLES_DIR, '..', 'masakari.conf.sample')
    with open(sample) as handle:
        for line in handle:
            if line.startswith('['):
                section = known.setdefault(line.strip().strip('[]'), set())
            elif line.startswith('#') and ' = ' in line:
                name = line[1:].split(' = ')[0].strip()
                if name and ' ' not in name:
                    section.add(name)
    password = {opt.dest for opt in
                ks_loading.get_auth_plugin_conf_options('password')}
    for group in ('nova', 'keystone_authtoken'):
        known[group] |= password
    return known


@pytest.mark.parametrize('name', ['masakari.conf.postgresql',
                                  'masakari.conf.mariadb'])
def test_sample_configs_use_known_options(name):
    """oslo.config ignores unknown options: a typo in a sample would go
    unnoticed. Every option of the production samples exists."""
    known = _known_options()
    for section, options in conftest.read_ini(
            os.path.join(conftest.SAMPLES_DIR, name)).items():
        assert section in known, section
        unknown = set(options) - known[section]
        assert not unknown, (section, unknown)
