"""Several engines on one database: ownership, leases, crash and take-over.

Two ``MasakariManager`` objects with different ``host`` names stand for two
engines; they share the database and the Nova simulator, as two
masakari-engine processes would. Outcomes are checked on Nova's side: where
each server is and how many evacuations Nova accepted for it.
"""

import threading
import time

import pytest

from masakari.db import api as db_api
from masakari.engine import driver as engine_driver
from masakari.engine import manager as engine_manager
from masakari.engine import periodic
from masakari.compute import nova
from masakari.tests.conftest import BACKENDS
from masakari.tests.fixtures import assertions
from masakari.tests.functional.engine.conftest import notification
from masakari.tests.functional.engine.conftest import vmoves
from masakari.tests import figures


class FreezableNova:
    """A Nova client that can be frozen: every call then blocks until
    thawed, as the threads of a killed (or SIGSTOPped) engine would."""

    def __init__(self):
        self._api = nova.API()
        self._running = threading.Event()
        self._running.set()

    def freeze(self):
        self._running.clear()

    def thaw(self):
        self._running.set()

    def __getattr__(self, name):
        method = getattr(self._api, name)

        def call(*args, **kwargs):
            self._running.wait()
            return method(*args, **kwargs)
        return call


def _engine(host, novaclient=None):
    return engine_manager.MasakariManager(
        driver=engine_driver.TaskFlowDriver(novaclient=novaclient),
        host=host)


@pytest.fixture
def engines():
    made = []

    def make(host, novaclient=None):
        engine = _engine(host, novaclient)
        made.append(engine)
        return engine
    yield make
    for engine in made:
        engine.stop(timeout=10)


@pytest.fixture
def short_lease(engine_conf):
    engine_conf.set_override('notification_lease_seconds', 3)
    engine_conf.set_override('notification_heartbeat_interval', 1)
    return engine_conf


def _wait(predicate, timeout=30, what='condition'):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, 'timed out waiting for ' + what
        time.sleep(0.05)


def _assert_evacuated_once(cloud, server_ids, source):
    assertions.assert_evacuated_once(map(cloud.info, server_ids), source,
                                     unlocked=True)


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_two_engines_race_for_every_notification(cloud, engines, ctx,
                                                 backend):
    """Both engines get every notification at the same moment (a cast and
    a periodic run, say): each one is run by exactly one of them."""
    segment = cloud.segment('auto')
    cloud.host(segment, 'spare')
    failed = {}
    for index in range(4):
        name = 'c%d' % index
        failed[name] = (cloud.host(segment, name), cloud.servers(name, 2))
    for name in failed:
        cloud.fail(name)
    uuids = [cloud.host_down(host) for host, _ in failed.values()]
    a, b = engines('engine-a'), engines('engine-b')
    runs = []
    for engine in (a, b):
        execute = engine.driver.execute_host_failure

        def recorded(*args, _engine=engine, _execute=execute, **kwargs):
            runs.append((_engine.host, args[3]))
            return _execute(*args, **kwargs)
        engine.driver.execute_host_failure = recorded
    barrier = threading.Barrier(2)
    results = {}

    def run(engine):
        barrier.wait()
        futures = [engine.submit(ctx, uuid) for uuid in uuids]
        results[engine.host] = [f.result(60) for f in futures]

    threads = [threading.Thread(target=run, args=(e,)) for e in (a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)

    for index, uuid in enumerate(uuids):
        outcomes = sorted(map(str, (results['engine-a'][index],
                                    results['engine-b'][index])))
        assert outcomes == ['None', 'finished'], (uuid, outcomes)
        row = notification(uuid)
        assert (row.status, row.engine_host, row.lease_expires_at) == (
            'finished', None, None)
    assert sorted(uuid for _, uuid in runs) == sorted(uuids)
    for name, (_, server_ids) in failed.items():
        _assert_evacuated_once(cloud, server_ids, name)
    figures.emit_outcome(
        'engines_racing', faults=len(uuids), posted=len(uuids),
        accepted=len(uuids), reached=len(uuids),
        recoveries=[cloud.evacuations(i) for _, ids in failed.values()
                    for i in ids], backend=backend)


def test_heartbeat_keeps_a_long_recovery_owned(cloud, engines, ctx,
                                               short_lease, simulator):
    """A recovery lasting several leases is never taken over while its
    engine is alive."""
    simulator.state.configure(evacuate_duration=2.5)
    segment = cloud.segment('auto')
    host = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    servers = cloud.servers('c1', 2)
    cloud.fail('c1')
    uuid = cloud.host_down(host)
    short_lease.set_override('host_failure_recovery_threads', 1)
    a, b = engines('engine-a'), engines('engine-b')

    future = a.submit(ctx, uuid)
    taken = []
    while not future.done():
        taken += periodic.take_over_expired(b, ctx)
        time.sleep(0.2)

    assert future.result() == 'finished'
    assert taken == []
    _assert_evacuated_once(cloud, servers, 'c1')


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_crashed_engine_is_taken_over_after_its_lease(cloud, engines, ctx,
                                                      short_lease,
                                                      simulator):
    """Engine A dies mid-recovery (heartbeat gone, threads frozen): once
    its lease expires engine B takes over and finishes, each instance
    evacuated once. When A's threads wake up they change nothing."""
    simulator.state.configure(evacuate_duration=0.8)
    short_lease.set_override('host_failure_recovery_threads', 2)
    segment = cloud.segment('auto')
    host = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    cloud.host(segment, 'c3')
    servers = cloud.servers('c1', 8)
    cloud.fail('c1')
    uuid = cloud.host_down(host)
    frozen = FreezableNova()
    a = engines('engine-a', frozen)
    b = engines('engine-b')

    a_future = a.submit(ctx, uuid)

    def partly_done():
        statuses = [m.status for m in vmoves(uuid)]
        rebuilding = [s for s in servers if cloud.info(s)['task_state']]
        return (statuses.count('succeeded') >= 2 and rebuilding and
                'pending' in statuses)
    _wait(partly_done, what='some evacuations done, one in progress')
    # The crash: no more heartbeats, no more calls to Nova.
    a.heartbeat.stop()
    frozen.freeze()
    row = notification(uuid)
    assert (row.status, row.engine_host) == ('running', 'engine-a')
    # The lease is live a moment longer: B must not take it yet.
    assert periodic.take_over_expired(b, ctx) == []

    taken = _wait(lambda: periodic.take_over_expired(b, ctx), timeout=10,
                  what='the lease to expire')

    assert [f.result(60) for f in taken] == ['finished']
    row = notification(uuid)
    assert (row.status, row.engine_host, row.lease_expires_at) == (
        'finished', None, None)
    assert "recovered (auto): 8 instance(s) evacuated" in row.message
    _assert_evacuated_once(cloud, servers, 'c1')
    moves = vmoves(uuid)
    assert len(moves) == 8
    assert {m.status for m in moves} == {'succeeded'}
    # A's threads wake up: they find the notification gone and stop.
    frozen.thaw()
    assert a_future.result(30) is None
    assert notification(uuid).message == row.message
    assert notification(uuid).status == 'finished'
    _assert_evacuated_once(cloud, servers, 'c1')
    assert {m.status for m in vmoves(uuid)} == {'succeeded'}
    details = b.get_notification_recovery_workflow_details(
        ctx, {'notification_uuid': uuid,
              'failover_segment_uuid': row.failover_segment_uuid})
    assert [d['name'] for d in details] == [
        'DisableComputeServiceTask', 'PrepareHAEnabledInstancesTask',
        'EvacuateInstancesTask']
    assert {d['state'] for d in details} == {'SUCCESS'}
    # B checked Nova first: what A had started was not evacuated again.
    evacuate = [d['message'] for d in details[2]['progress_details']]
    assert any('not evacuated again' in message or
               'not evacuating it again' in message
               for message in evacuate), evacuate


def test_engine_that_lost_its_lease_stops_evacuating(cloud, engines, ctx,
                                                     short_lease,
                                                     simulator):
    """Another engine took the notification over (A was cut off from the
    database longer than the lease, say): A's next renewal finds out, and
    A evacuates nothing more and records nothing."""
    simulator.state.configure(evacuate_duration=0.5)
    short_lease.set_override('host_failure_recovery_threads', 1)
    segment = cloud.segment('auto')
    host = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    servers = cloud.servers('c1', 6)
    cloud.fail('c1')
    uuid = cloud.host_down(host)
    a = engines('engine-a')

    future = a.submit(ctx, uuid)
    _wait(lambda: any(m.status == 'succeeded' for m in vmoves(uuid)),
          what='a first evacuation')
    db_api.notification_update(uuid, {'engine_host': 'engine-thief'})

    assert future.result(30) is None
    row = notification(uuid)
    assert (row.status, row.engine_host) == ('running', 'engine-thief')
    evacuated = [s for s in servers if cloud.evacuations(s)]
    assert 1 <= len(evacuated) < len(servers)
    assert all(cloud.evacuations(s) == 1 for s in evacuated)
    # Whatever was left is still pending for the new owner.
    left = [m for m in vmoves(uuid) if m.status != 'succeeded']
    assert left and {m.status for m in left} <= {'pending', 'ongoing'}
