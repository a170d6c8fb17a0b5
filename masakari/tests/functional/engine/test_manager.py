"""The engine service: RPC, periodic tasks, claiming, shutdown."""

import threading
import time

import pytest

from masakari.db import api as db_api
from masakari.engine import driver as engine_driver
from masakari.engine import manager as engine_manager
from masakari.engine import periodic
from masakari.engine import rpcapi
from masakari.engine import service as engine_service
from masakari.tests.conftest import BACKENDS
from masakari.tests.fixtures import assertions
from masakari.tests.functional.engine.conftest import notification
from masakari.tests.functional.engine.conftest import old
from masakari.tests.functional.engine.conftest import vmoves
from masakari.tests import figures


def _wait_status(uuid, statuses, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = notification(uuid)
        if row.status in statuses:
            return row
        time.sleep(0.05)
    raise AssertionError('notification %s still %s' % (uuid, row.status))


def _failed_host(cloud, method='auto', servers=1):
    segment = cloud.segment(method)
    host = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    ids = cloud.servers('c1', servers)
    cloud.fail('c1')
    return host, ids


def test_lost_new_notification_is_dispatched_again(cloud, manager, ctx,
                                                  engine_conf):
    engine_conf.set_override('retry_notification_new_status_interval', 60)
    host, (server,) = _failed_host(cloud)
    lost = cloud.host_down(host, generated_time=old(120))
    young = cloud.notify(host, 'PROCESS', {'event': 'STARTED',
                                           'process_name': 'nova-compute'})

    futures = periodic.process_unfinished_notifications(manager, ctx)

    assert len(futures) == 1
    assert notification(lost).status == 'finished'
    assert cloud.where(server) == 'c2'
    assert notification(young).status == 'new'


def test_error_is_retried_once_then_failed(cloud, manager, ctx):
    host, (server,) = _failed_host(cloud)
    cloud.state.inject_evacuation_fault(server, 'fail', count=None)
    uuid = cloud.host_down(host)
    assert manager.process(ctx, uuid) == 'error'

    periodic.process_unfinished_notifications(manager, ctx)

    row = notification(uuid)
    assert row.status == 'failed'
    assert 'Failed to evacuate instances' in row.message
    assert cloud.evacuations(server) == 2
    assert len(vmoves(uuid)) == 1
    # Final: nothing more is retried.
    assert periodic.process_unfinished_notifications(manager, ctx) == []
    assert cloud.evacuations(server) == 2


def test_expired_notifications_fail(cloud, manager, ctx, engine_conf):
    engine_conf.set_override('notifications_expired_interval', 3600)
    segment = cloud.segment()
    host = cloud.host(segment, 'c1')
    rows = {}
    for index, status in enumerate(('new', 'running', 'error', 'finished',
                                    'ignored')):
        uuid = cloud.notify(host, 'PROCESS',
                            {'event': 'STARTED', 'process_name': str(index)},
                            generated_time=old(7200))
        db_api.notification_update(uuid, {'status': status})
        rows[uuid] = status
    young = cloud.notify(host, 'PROCESS', {'event': 'STARTED',
                                           'process_name': 'young'})

    assert periodic.check_expired_notifications(manager, ctx) == 3

    for uuid, status in rows.items():
        row = notification(uuid)
        if status in ('new', 'running', 'error'):
            assert row.status == 'failed'
            assert row.message.startswith('Expired')
        else:
            assert row.status == status
    assert notification(young).status == 'new'


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_two_engines_racing_recover_once(cloud, engine_conf, ctx,
                                         backend):
    host, servers = _failed_host(cloud, servers=3)
    uuid = cloud.host_down(host)
    engines = [engine_manager.MasakariManager(
        driver=engine_driver.TaskFlowDriver()) for _ in range(2)]
    results = []
    barrier = threading.Barrier(2)

    def run(engine):
        barrier.wait()
        results.append(engine.process(ctx, uuid))

    threads = [threading.Thread(target=run, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for engine in engines:
        engine.stop(timeout=5)

    assert sorted(map(str, results)) == ['None', 'finished']
    assertions.assert_evacuated_once(map(cloud.info, servers), 'c1')
    assert len(vmoves(uuid)) == 3
    figures.emit_outcome(
        'engines_racing', faults=1, posted=1, accepted=1, reached=1,
        recoveries=[cloud.evacuations(i) for i in servers],
        backend=backend)


def test_process_skips_a_notification_no_longer_new(cloud, manager, ctx):
    host, (server,) = _failed_host(cloud)
    uuid = cloud.host_down(host)
    db_api.notification_update(uuid, {'status': 'finished'})

    assert manager.process(ctx, uuid) is None

    assert cloud.evacuations(server) == 0


def test_versioned_notifications_around_processing(cloud, manager, ctx,
                                                   monkeypatch):
    notifications = pytest.importorskip('masakari.notifications')
    calls = []
    monkeypatch.setattr(
        notifications, 'notify_notification_process',
        lambda context, row, phase, exception=None: calls.append(
            (phase, row.status, exception)))
    host, (server,) = _failed_host(cloud)
    cloud.state.inject_evacuation_fault(server, 'fail', count=1)
    ok = cloud.notify(host, 'PROCESS', {'event': 'STARTED',
                                        'process_name': 'nova-compute'})
    bad = cloud.host_down(host)

    manager.process(ctx, ok)
    manager.process(ctx, bad)

    assert [c[:2] for c in calls] == [
        ('start', 'running'), ('end', 'finished'),
        ('start', 'running'), ('error', 'error')]
    assert calls[-1][2] is not None


@pytest.fixture
def service(engine_conf):
    engine_conf.set_override('host', 'engine-test-host')
    svc = engine_service.EngineService(
        manager=engine_manager.MasakariManager(
            driver=engine_driver.TaskFlowDriver()),
        shutdown_timeout=10)
    yield svc
    svc.stop(timeout=10)


def test_rpc_cast_and_workflow_details_call(cloud, service, ctx):
    service.start()
    host, (server,) = _failed_host(cloud)
    uuid = cloud.host_down(host)
    api = rpcapi.EngineAPI()

    api.process_notification(ctx, notification(uuid))

    row = _wait_status(uuid, ('finished', 'error', 'failed'))
    assert row.status == 'finished', row.message
    assert cloud.where(server) == 'c2'
    details = api.get_notification_recovery_workflow_details(ctx, row)
    assert [d['name'] for d in details] == [
        'DisableComputeServiceTask', 'PrepareHAEnabledInstancesTask',
        'EvacuateInstancesTask']
    assert {d['state'] for d in details} == {'SUCCESS'}


def test_periodic_threads_pick_up_lost_notifications(cloud, engine_conf,
                                                     service):
    engine_conf.set_override('periodic_enable', True)
    engine_conf.set_override('periodic_fuzzy_delay', 0)
    engine_conf.set_override('process_unfinished_notifications_interval', 1)
    engine_conf.set_override('retry_notification_new_status_interval', 1)
    host, (server,) = _failed_host(cloud)
    uuid = cloud.host_down(host)

    service.start()

    row = _wait_status(uuid, ('finished', 'error', 'failed'))
    assert row.status == 'finished', row.message
    assert cloud.where(server) == 'c2'


def test_stop_hands_unfinished_work_to_another_engine(cloud, service,
                                                     simulator, ctx):
    simulator.state.configure(evacuate_duration=3)
    service.start()
    host, (server,) = _failed_host(cloud)
    segment2 = cloud.segment(name='other')
    host3 = cloud.host(segment2, 'c3')
    slow = cloud.host_down(host)
    api = rpcapi.EngineAPI()
    api.process_notification(ctx, notification(slow))
    deadline = time.monotonic() + 10
    while cloud.info(server)['task_state'] is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)

    service.stop(timeout=0.3)

    # Released, not failed: still running, its lease expired at once.
    row = notification(slow)
    assert row.status == 'running'
    assert row.message == engine_manager.STOPPED_MESSAGE % 'engine-test-host'
    assert [n.notification_uuid for n in
            db_api.notifications_with_expired_lease()] == [slow]
    # Cast after the stop: never claimed, still new for any engine.
    late = cloud.notify(host3, 'PROCESS', {'event': 'STARTED',
                                           'process_name': 'nova-compute'})
    service.manager.submit(ctx, late)
    assert notification(late).status == 'new'
    # Another engine takes it over and waits for the evacuation in progress
    # instead of starting another.
    other = engine_manager.MasakariManager(
        driver=engine_driver.TaskFlowDriver(), host='engine-other')
    try:
        (future,) = periodic.take_over_expired(other, ctx)
        assert future.result(30) == 'finished'
    finally:
        other.stop(timeout=5)
    row = notification(slow)
    assert (row.status, row.engine_host, row.lease_expires_at) == (
        'finished', None, None)
    assert cloud.where(server) == 'c2'
    assert cloud.evacuations(server) == 1
    assert cloud.info(server)['locked'] is False


def test_restart_takes_back_at_once_what_this_engine_left_running(
        cloud, service, ctx):
    host, (server,) = _failed_host(cloud)
    mine = cloud.host_down(host)
    # Left running by this host's previous run, its lease still live.
    db_api.notification_claim(mine, 'engine-test-host', 3600, ['new'])
    other_segment = cloud.segment(name='other')
    other_host = cloud.host(other_segment, 'c9')
    theirs = cloud.notify(other_host, 'PROCESS', {
        'event': 'STOPPED', 'process_name': 'nova-compute'})
    db_api.notification_claim(theirs, 'other', 3600, ['new'])

    service.start()

    row = _wait_status(mine, ('finished', 'error', 'failed'))
    assert row.status == 'finished', row.message
    assert cloud.where(server) == 'c2'
    assert cloud.evacuations(server) == 1
    row = notification(theirs)
    assert (row.status, row.engine_host) == ('running', 'other')
