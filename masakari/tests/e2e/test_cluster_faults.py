"""Faults of a clustered deployment: 3-node Galera, 3-node RabbitMQ.

The processes are spread as in ``masakari/tests/e2e/cluster.py``: two
APIs and two engines, each writing through a different Galera node first
(multi-writer: a claim can then succeed on two nodes at once and one of
the transactions is refused at commit) and connected to a different
broker node first, with quorum queues. While host monitors post for
distinct failed hosts and operators page through lists
(``benchmarks.loadgen``), one of these happens:

(a) a Galera node stops and comes back (catching up by IST);
(b) the broker node leading the engines' queue is killed and restarted
    (the queue's leader moves to another node);
(c) both at once;
(d) (a), and the engine writing through that node is SIGKILLed: the
    other engine takes over its notifications when their leases expire.

Each must end with no notification lost, every one ``finished``, and
every HA instance evacuated exactly once (the simulator's records), with
no request answered 5xx: the surviving nodes carry on.
"""

import concurrent.futures
import re
import signal

import pytest

from benchmarks import loadcloud
from benchmarks import loadgen
from masakari.tests.e2e import cluster
from masakari.tests.e2e.conftest import Processes
from masakari.tests.e2e.conftest import wait_until
from masakari.tests.fixtures import db_proxy
from masakari.tests.fixtures import galera
from masakari.tests.fixtures import rabbit_cluster
from masakari.tests.fixtures import servers
from masakari.tests import figures

FAILING_HOSTS = 8
PER_HOST = 2
LEASE = 8
OPTIONS = {'DEFAULT': {'process_unfinished_notifications_interval': 2,
                       'retry_notification_new_status_interval': 2,
                       'notification_lease_seconds': LEASE,
                       'notification_heartbeat_interval': 1}}

pytestmark = pytest.mark.filterwarnings(
    'ignore::openstack.warnings.RemovedInSDK50Warning')


def _start_clusters():
    """Both clusters, booting side by side."""
    galera_cluster = galera.GaleraCluster()
    rabbit = rabbit_cluster.RabbitCluster()
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        started = [pool.submit(galera_cluster.start),
                   pool.submit(rabbit.start)]
        try:
            for future in started:
                future.result()
        except Exception:
            for future in started:
                future.exception()
            galera_cluster.destroy()
            rabbit.destroy()
            raise
    return galera_cluster, rabbit


@pytest.fixture(scope='module')
def clusters():
    try:
        galera_cluster, rabbit = _start_clusters()
    except servers.NotInstalled as exc:
        servers._missing(exc.what)
    health = db_proxy.SyncedNodes(galera_cluster.nodes).start()
    yield galera_cluster, rabbit, health
    health.stop()
    galera_cluster.destroy()
    rabbit.destroy()


@pytest.fixture
def cluster_deployment(clusters, tmp_path, request):
    galera_cluster, rabbit, health = clusters
    name = 'masakari_%s' % tmp_path.name[-20:].replace('-', '_')
    name = re.sub(r'\W', '_', name)
    galera_cluster.nodes[0].sql('CREATE DATABASE %s CHARACTER SET utf8mb4'
                                % name)
    procs = Processes(tmp_path)
    made = cluster.ClusterDeployment(
        procs, tmp_path, galera_cluster, rabbit, health,
        'masakari_cl_%s' % name[-8:], name, options=OPTIONS)
    yield made
    made.close()
    procs.stop_all()
    report = getattr(request.node, 'rep_call', None)
    if report is not None and report.failed:
        print(procs.logs())
        print(galera_cluster.logs())
    # Every node is back for the next test.
    for node in galera_cluster.nodes:
        if not node.alive():
            galera_cluster.restart(node)
    for node in rabbit.nodes:
        if not node.alive():
            rabbit.restart(node)


def _start_load(deployment, *simulator_args):
    deployment.start_simulator(*simulator_args)
    deployment.start()
    layout = loadcloud.build(deployment.api_url, deployment.sim,
                             failing=FAILING_HOSTS, per_host=PER_HOST,
                             segments=2)
    run = loadgen.LoadRun(deployment.api_urls, deployment.sim, layout,
                          operators=2, ramp=8)
    run.start()
    run.wait_for(lambda: len(run.accepted) >= 2, 60,
                 'the first notifications')
    return run


def _assert_recovered_once(run, result):
    assert result['problems'] == [], result['problems']
    assert result['notifications']['lost'] == 0
    assert result['all_finished'], result['notifications']
    assert result['evacuations']['evacuated_once'] == \
        FAILING_HOSTS * PER_HOST, result['evacuations']
    assert result['evacuations']['double'] == 0
    assert run.gave_up == {}, run.gave_up
    # The other nodes take over: no request fails, not even with a 503
    # (a 409 would answer a monitor's retry of a stored notification).
    assert set(result['statuses']) <= {'200', '202', '409'}, \
        result['statuses']
    assert result['errors'] == 0, result['error_samples']


def _logged(deployment, pattern):
    """The notification uuids the engines log after ``pattern``."""
    regex = re.compile(pattern + r' notification ([0-9a-f-]{36})')
    return {uuid for engine in deployment.engines.values()
            for uuid in regex.findall(engine.log())}


def _count_logged(deployment, text):
    return sum(service.log().count(text)
               for service in deployment.processes.services)


def _emit(scenario, deployment, run, result, stopped, started, faults=1,
          **extra):
    figures.emit(
        scenario, faults=faults, requests=result['requests'],
        errors=result['errors'], statuses=result['statuses'],
        notifications=result['notifications'],
        **loadcloud.outcome_figures(result),
        outage=run.window(stopped, started) if faults else None,
        events=run.events,
        outage_s=round(started - stopped, 1),
        redispatched=len(_logged(deployment, 'Dispatching new')),
        retried_after_error=len(_logged(deployment, 'Dispatching error')),
        taken_over=len(_logged(deployment, 'The lease of')),
        transactions_retried=_count_logged(deployment,
                                           'Performing DB retry'),
        **extra)


def _posting_through(run, what, count=3):
    posted = run.attempts
    run.wait_for(lambda: run.attempts >= posted + count, 120,
                 'monitors posting while %s' % what)


def _galera_node(deployment):
    """The node that API 2 and engine-1 write through first."""
    return deployment.galera.nodes[cluster.PLACEMENT['api-2'][0]]


def _queue_leader(deployment):
    """The broker node leading the queue the APIs cast to."""
    leader = deployment.rabbit.queue_leader(deployment.topic)
    assert leader is not None, 'no quorum queue %s' % deployment.topic
    return leader


def _ist_since(node, log_size):
    """Whether the node caught up by IST since its log had ``log_size``
    characters."""
    return 'IST received' in node.log()[log_size:]


def _engines_consuming(deployment):
    for host in deployment.engines:
        if deployment.engines[host].alive():
            deployment.wait_engine(host, timeout=120)


def test_no_fault(cluster_deployment):
    run = _start_load(cluster_deployment)
    result = run.finish(240, 240)
    _assert_recovered_once(run, result)
    start = run.began
    _emit('cluster_no_fault', cluster_deployment, run, result, start, start,
          faults=0)


def test_galera_node_stop_start(cluster_deployment):
    """(a) A Galera node stops; its writers fail over; it comes back by
    IST."""
    deployment = cluster_deployment
    run = _start_load(deployment)
    node = _galera_node(deployment)
    node.stop()
    stopped = run.mark('galera node stopped')
    log_size = len(node.log())
    _posting_through(run, 'a Galera node is down')
    deployment.galera.restart(node)
    started = run.mark('galera node synced')
    result = run.finish(240, 240)
    _emit('cluster_galera_node', deployment, run, result, stopped, started)

    _assert_recovered_once(run, result)
    assert _ist_since(node, log_size), node.log()[log_size:][-3000:]
    assert deployment.galera.cluster_size() == 3


def test_queue_leader_killed(cluster_deployment):
    """(b) The broker node leading the engines' queue is killed; the
    leader moves, clients reconnect to the other nodes; the node comes
    back."""
    deployment = cluster_deployment
    run = _start_load(deployment)
    leader = _queue_leader(deployment)
    leader.kill()
    stopped = run.mark('queue leader killed')
    _posting_through(run, 'the queue leader is down')
    moved = _queue_leader(deployment)
    deployment.rabbit.restart(leader)
    started = run.mark('broker node back')
    _engines_consuming(deployment)
    result = run.finish(240, 240)
    _emit('cluster_queue_leader', deployment, run, result, stopped, started)

    _assert_recovered_once(run, result)
    assert moved is not leader


def test_galera_node_and_queue_leader(cluster_deployment):
    """(c) Both at once."""
    deployment = cluster_deployment
    run = _start_load(deployment)
    node, leader = _galera_node(deployment), _queue_leader(deployment)
    node.stop()
    leader.kill()
    stopped = run.mark('galera node stopped, queue leader killed')
    log_size = len(node.log())
    _posting_through(run, 'a Galera node and the queue leader are down')
    deployment.galera.restart(node)
    deployment.rabbit.restart(leader)
    started = run.mark('both back')
    _engines_consuming(deployment)
    result = run.finish(240, 240)
    _emit('cluster_galera_and_broker', deployment, run, result, stopped,
          started, faults=2)

    _assert_recovered_once(run, result)
    assert _ist_since(node, log_size)


def test_engine_killed_while_galera_node_down(cluster_deployment):
    """(d) A Galera node stops and the engine writing through it is
    SIGKILLed in the middle of its recoveries: the other engine takes them
    over once their leases expire."""
    deployment = cluster_deployment
    run = _start_load(deployment, '--evacuate-seconds', '1.5')
    engine = deployment.engines['engine-1']

    def running_on_engine_1():
        started = set(re.findall(r'Processing notification ([0-9a-f-]{36})',
                                 engine.log()))
        done = set(re.findall(r'Notification ([0-9a-f-]{36}) is ',
                              engine.log()))
        return started - done
    wait_until(running_on_engine_1, 60, interval=0.05,
               what='engine-1 to run a recovery')
    engine.signal(signal.SIGKILL)
    engine.process.wait(10)
    held = running_on_engine_1()
    node = _galera_node(deployment)
    node.stop()
    stopped = run.mark('engine-1 killed, galera node stopped')
    _posting_through(run, 'a Galera node and an engine are down')
    deployment.galera.restart(node)
    started = run.mark('galera node synced')
    result = run.finish(240, 240)
    _emit('cluster_engine_sigkill_galera', deployment, run, result,
          stopped, started, faults=2)

    _assert_recovered_once(run, result)
    assert held
    survivor = deployment.engines['engine-2'].log()
    for uuid in held:
        assert 'notification %s of type' % uuid in survivor, uuid
    assert held <= _logged(deployment, 'The lease of')
