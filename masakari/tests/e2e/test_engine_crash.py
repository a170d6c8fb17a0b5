"""An engine killed in the middle of a host recovery, with real processes.

The deployment of ``masakari/tests/e2e/conftest.py``: the Nova simulator
with slow evacuations, the API under gunicorn, PostgreSQL, RabbitMQ and
``masakari-engine`` processes with a short notification lease. The engine
running the recovery is SIGKILLed once some evacuations are done and one
is in progress; the recovery must still end ``finished`` with every HA
instance active on another host and evacuated exactly once, as seen by
the simulator.
"""

import datetime
import signal

import pytest

from masakari.tests.e2e.conftest import wait_until
from masakari.tests.fixtures import assertions
from masakari.tests import figures

FAILED_HOST = 'compute1'
COMPUTES = ('compute1', 'compute2', 'compute3')
INSTANCES = 10
LEASE = 4

# Short lease, one renewal (and one sweep) per second; two evacuations at
# a time, each taking Nova two seconds: the recovery lasts ~10 s.
OPTIONS = {'DEFAULT': {'notification_lease_seconds': LEASE,
                       'notification_heartbeat_interval': 1,
                       'host_failure_recovery_threads': 2}}


def now():
    return datetime.datetime.utcnow().isoformat()


@pytest.fixture
def cloud(deployment):
    deployment.options = OPTIONS
    sim = deployment.start_simulator('--evacuate-seconds', '2')
    for name in COMPUTES:
        sim.add_host(name, vcpus=64, memory_mb=131072)
    return deployment


def _create(cloud, path, body):
    response = cloud.request('POST', path, body)
    assert response.status_code in (200, 201, 202), response.text
    return response.json()


def _segment_with_hosts(cloud):
    segment = _create(cloud, '/segments', {'segment': {
        'name': 'e2e-crash', 'recovery_method': 'auto',
        'service_type': 'COMPUTE'}})['segment']
    for name in COMPUTES:
        _create(cloud, '/segments/%s/hosts' % segment['uuid'], {'host': {
            'name': name, 'type': 'COMPUTE', 'control_attributes': 'SSH'}})
    return segment


def _host_down(cloud):
    return _create(cloud, '/notifications', {'notification': {
        'type': 'COMPUTE_HOST', 'hostname': FAILED_HOST,
        'generated_time': now(),
        'payload': {'event': 'STOPPED', 'host_status': 'NORMAL',
                    'cluster_status': 'OFFLINE'}}})['notification'][
        'notification_uuid']


def _vmoves(cloud, uuid):
    response = cloud.request('GET', '/notifications/%s/vmoves' % uuid,
                             version='1.3')
    assert response.status_code == 200, response.text
    return response.json()['vmoves']


def _assert_evacuated_once(sim, server_ids):
    assertions.assert_evacuated_once(map(sim.server, server_ids),
                                     FAILED_HOST, unlocked=True)


def _kill_mid_recovery(cloud, uuid):
    """SIGKILL the engine running ``uuid`` once 2+ evacuations are done
    and Nova is rebuilding more; returns (killed host, survivor host)."""
    def midway():
        statuses = [v['status'] for v in _vmoves(cloud, uuid)]
        rebuilding = [s for s in cloud.sim.servers(FAILED_HOST)
                      if s['task_state']]
        return (statuses.count('succeeded') >= 2 and rebuilding and
                'pending' in statuses)
    wait_until(midway, 60, interval=0.1, what='evacuations under way')
    (running,) = cloud.engines_that_processed(uuid)
    cloud.engines[running].signal(signal.SIGKILL)
    cloud.engines[running].process.wait(10)
    assert cloud.notification(uuid)['status'] == 'running'
    (survivor,) = set(cloud.engines) - {running}
    return running, survivor


def test_killed_engine_is_taken_over_by_the_other(cloud):
    cloud.start(engines=('engine-1', 'engine-2'), workers=1)
    sim = cloud.sim
    _segment_with_hosts(cloud)
    ha_ids = sim.add_servers(FAILED_HOST, INSTANCES, name_prefix='ha',
                             metadata={'HA_Enabled': 'True'})
    sim.fail_host(FAILED_HOST)
    uuid = _host_down(cloud)

    killed, survivor = _kill_mid_recovery(cloud, uuid)

    row = cloud.wait_notification(uuid, timeout=60)
    assert row['message'] == ("Host '%s' recovered (auto): %d instance(s) "
                              'evacuated.' % (FAILED_HOST, INSTANCES))
    _assert_evacuated_once(sim, ha_ids)
    vmoves = _vmoves(cloud, uuid)
    assert sorted(v['instance_uuid'] for v in vmoves) == sorted(ha_ids)
    assert {v['status'] for v in vmoves} == {'succeeded'}
    log = cloud.engines[survivor].log()
    assert 'taken over from masakari-engine on host %s' % killed in log, \
        log[-3000:]
    # It asked Nova first: the evacuations the killed engine had started
    # were waited for (or found done), not requested again.
    assert ('not evacuating it again' in log or
            'not evacuated again' in log), log[-3000:]
    details = cloud.notification(uuid, version='1.1')[
        'recovery_workflow_details']
    assert [d['name'] for d in details] == [
        'DisableComputeServiceTask', 'PrepareHAEnabledInstancesTask',
        'EvacuateInstancesTask']
    assert {d['state'] for d in details} == {'SUCCESS'}
    _emit(sim, ha_ids)


def _emit(sim, ha_ids):
    """One SIGKILL survived by one finished notification."""
    figures.emit_outcome(
        'engine_sigkill', faults=1, posted=1, accepted=1, reached=1,
        recoveries=[sim.server(i)['evacuations'] for i in ha_ids])


def test_restarted_engine_takes_its_own_back_at_once(cloud):
    """Alone, and with a lease far longer than the test: the engine
    restarted under the same host name resumes at start-up."""
    cloud.options = dict(OPTIONS, DEFAULT=dict(
        OPTIONS['DEFAULT'], notification_lease_seconds=600))
    cloud.start(engines=('engine-1',), workers=1)
    sim = cloud.sim
    _segment_with_hosts(cloud)
    ha_ids = sim.add_servers(FAILED_HOST, 6, name_prefix='ha',
                             metadata={'HA_Enabled': 'True'})
    sim.fail_host(FAILED_HOST)
    uuid = _host_down(cloud)

    def midway():
        statuses = [v['status'] for v in _vmoves(cloud, uuid)]
        rebuilding = [s for s in cloud.sim.servers(FAILED_HOST)
                      if s['task_state']]
        return statuses.count('succeeded') >= 1 and rebuilding
    wait_until(midway, 60, interval=0.1, what='evacuations under way')
    cloud.engines['engine-1'].signal(signal.SIGKILL)
    cloud.engines['engine-1'].process.wait(10)

    cloud.start_engine('engine-1')

    row = cloud.wait_notification(uuid, timeout=40)
    assert row['message'].startswith("Host '%s' recovered" % FAILED_HOST)
    _assert_evacuated_once(sim, ha_ids)
    assert 'left running by a previous run' in \
        cloud.engines['engine-1'].log()
    _emit(sim, ha_ids)
