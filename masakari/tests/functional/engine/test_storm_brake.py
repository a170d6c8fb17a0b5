"""The storm brake and recovery pauses, run by real engines against the
Nova simulator: what is held evacuates nothing, what is released is
recovered exactly once, what is cancelled never reaches Nova."""

import threading

import pytest

from masakari.db import api as db_api
from masakari.engine import driver as engine_driver
from masakari.engine import manager as engine_manager
from masakari.engine import periodic
from masakari.ha import pauses
from masakari.ha import storm_brakes
from masakari.tests.conftest import BACKENDS
from masakari.tests.fixtures.assertions import assert_evacuated_once
from masakari.tests.functional.engine.conftest import notification
from masakari.tests.functional.engine.conftest import old


@pytest.fixture(autouse=True)
def brake_on(engine_conf):
    engine_conf.set_override('enabled', True, 'storm_brake')


@pytest.fixture
def rpc_cast(monkeypatch):
    """The API's casts, recorded instead of sent (the tests run the
    engine's ``process`` themselves)."""
    sent = []
    monkeypatch.setattr(
        'masakari.engine.rpcapi.EngineAPI.process_notification',
        lambda self, context, row: sent.append(row.notification_uuid))
    return sent


def _storm(cloud, failing=3, hosts=5, servers=2):
    """A segment of ``hosts`` hosts whose first ``failing`` fail together:
    their notifications are all stored before the engine sees any."""
    segment = cloud.segment('auto')
    rows = [cloud.host(segment, 'c%d' % i) for i in range(1, hosts + 1)]
    placed = {}
    for row in rows[:failing]:
        placed[row.name] = cloud.servers(row.name, servers)
        cloud.fail(row.name)
    uuids = [cloud.host_down(row) for row in rows[:failing]]
    return segment, rows, placed, uuids


def _process_all(manager, ctx, uuids):
    futures = [manager.submit(ctx, uuid) for uuid in uuids]
    return [future.result(timeout=60) for future in futures]


def _untouched(cloud, placed):
    for host, servers in placed.items():
        for server in servers:
            assert cloud.where(server) == host
            assert cloud.evacuations(server) == 0
        assert cloud.service(host)['status'] == 'enabled'


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_storm_is_held_then_released_and_recovered_once(
        cloud, manager, ctx, rpc_cast, caplog):
    segment, _rows, placed, uuids = _storm(cloud)

    assert _process_all(manager, ctx, uuids) == ['held'] * 3

    _untouched(cloud, placed)
    for uuid in uuids:
        row = notification(uuid)
        assert (row.status, row.hold) == ('new', 'storm')
        assert 'storm brake' in row.message
    warning = [r.getMessage() for r in caplog.records
               if 'Storm brake ON' in r.getMessage()]
    assert len(warning) == 1
    assert segment.uuid in warning[0] and 'c1, c2, c3' in warning[0]
    # Neither the periodic retry nor the expiry touches held ones.
    for uuid in uuids:
        db_api.notification_update(uuid, {'generated_time': old(10 ** 6)})
    assert periodic.process_unfinished_notifications(manager, ctx) == []
    assert periodic.check_expired_notifications(manager, ctx) == 0
    assert {notification(u).status for u in uuids} == {'new'}

    released = storm_brakes.release(ctx, segment.uuid)
    assert [r.notification_uuid for r in released] == rpc_cast
    assert sorted(rpc_cast) == sorted(uuids)
    assert _process_all(manager, ctx, rpc_cast) == ['finished'] * 3
    # A second delivery of the same casts changes nothing.
    assert _process_all(manager, ctx, rpc_cast) == [None] * 3
    for host, servers in placed.items():
        assert_evacuated_once([cloud.info(s) for s in servers], host)
    assert {notification(u).hold for u in uuids} == {'released'}


def test_cancelled_storm_never_reaches_nova(cloud, manager, ctx, rpc_cast):
    segment, _rows, placed, uuids = _storm(cloud, failing=2, hosts=3)
    requests_before = cloud.sim.state.requests_served \
        if hasattr(cloud.sim.state, 'requests_served') else None

    assert _process_all(manager, ctx, uuids) == ['held'] * 2
    cancelled = storm_brakes.cancel(ctx, segment.uuid, 'switch reboot')

    assert sorted(r.notification_uuid for r in cancelled) == sorted(uuids)
    for uuid in uuids:
        row = notification(uuid)
        assert (row.status, row.hold) == ('ignored', 'cancelled')
        assert 'switch reboot' in row.message
    assert rpc_cast == []
    assert _process_all(manager, ctx, uuids) == [None] * 2
    _untouched(cloud, placed)
    if requests_before is not None:
        assert cloud.sim.state.requests_served == requests_before
    for row in db_api.host_get_all(
            filters={'failover_segment_id': segment.uuid}):
        assert row.on_maintenance is False


def test_single_failure_and_small_bursts_are_recovered(cloud, manager, ctx):
    """Two of five hosts: under both limits, recovered at once."""
    _segment, _rows, placed, uuids = _storm(cloud, failing=2, hosts=5)

    assert _process_all(manager, ctx, uuids) == ['finished'] * 2
    for host, servers in placed.items():
        assert_evacuated_once([cloud.info(s) for s in servers], host)


def test_brake_stays_on_for_later_failures_of_the_segment(cloud, manager,
                                                          ctx):
    segment, rows, placed, uuids = _storm(cloud, failing=3, hosts=6)
    assert _process_all(manager, ctx, uuids) == ['held'] * 3
    late = rows[3]
    placed[late.name] = cloud.servers(late.name, 1)
    cloud.fail(late.name)
    later = cloud.host_down(late, generated_time=old(-3600))

    assert manager.process(ctx, later) == 'held'
    _untouched(cloud, placed)
    assert len(storm_brakes.get_all(ctx)[0]['notifications']) == 4


def test_disabled_brake_recovers_everything(cloud, manager, ctx,
                                            engine_conf):
    engine_conf.set_override('enabled', False, 'storm_brake')
    _segment, _rows, placed, uuids = _storm(cloud, failing=3, hosts=5)

    assert _process_all(manager, ctx, uuids) == ['finished'] * 3
    for host, servers in placed.items():
        assert_evacuated_once([cloud.info(s) for s in servers], host)


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_two_engines_hold_a_storm_once(cloud, ctx, rpc_cast, engine_conf):
    """Two engines get every notification of a storm at once: each one is
    held exactly once and the brake turns on once."""
    _segment, _rows, placed, uuids = _storm(cloud, failing=4, hosts=8,
                                            servers=1)
    engines = [engine_manager.MasakariManager(
        driver=engine_driver.TaskFlowDriver(), host=name)
        for name in ('engine-a', 'engine-b')]
    start = threading.Barrier(2)
    results = {}

    def run(mgr):
        start.wait()
        results[mgr.host] = _process_all(mgr, ctx, uuids)
    threads = [threading.Thread(target=run, args=(mgr,)) for mgr in engines]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        for mgr in engines:
            mgr.stop(timeout=10)
    outcomes = results['engine-a'] + results['engine-b']
    assert outcomes.count('held') == 4
    assert outcomes.count(None) == 4
    _untouched(cloud, placed)


def test_pause_holds_everything_then_resume_recovers_in_order(
        cloud, manager, ctx, rpc_cast):
    segment = cloud.segment('auto')
    hosts = [cloud.host(segment, 'c%d' % i) for i in range(1, 5)]
    servers = cloud.servers('c1', 2)
    cloud.fail('c1')
    pause = pauses.pause(ctx, 'planned maintenance')
    first = cloud.host_down(hosts[0], generated_time=old(20))
    vm = cloud.notify(hosts[1], 'VM', {
        'event': 'LIFECYCLE', 'instance_uuid': cloud.servers('c2', 1)[0],
        'vir_domain_event': 'STOPPED_FAILED'}, generated_time=old(10))
    started = cloud.host_down(hosts[2], event='STARTED')

    assert manager.process(ctx, first) == 'held'
    assert manager.process(ctx, vm) == 'held'
    # Nothing to recover: never held.
    assert manager.process(ctx, started) == 'finished'
    assert [notification(u).hold for u in (first, vm)] == ['pause'] * 2
    assert 'planned maintenance' in notification(first).message
    assert pauses.held_count(pause) == 2

    resumed = pauses.resume(ctx, pause.uuid)

    assert [r.notification_uuid for r in resumed] == [first, vm]
    assert rpc_cast == [first, vm]
    assert db_api.pause_get_all() == []
    assert [manager.process(ctx, u) for u in rpc_cast] == ['finished'] * 2
    assert_evacuated_once([cloud.info(s) for s in servers], 'c1')


def test_segment_pause_holds_only_its_segment(cloud, manager, ctx,
                                              rpc_cast):
    paused, other = cloud.segment('auto'), cloud.segment('auto')
    a = cloud.host(paused, 'a1')
    cloud.host(paused, 'a2')
    b = cloud.host(other, 'b1')
    cloud.host(other, 'b2')
    cloud.fail('a1')
    cloud.fail('b1')
    pause = pauses.pause(ctx, 'rack work', segment_uuid=paused.uuid)

    assert manager.process(ctx, cloud.host_down(a)) == 'held'
    assert manager.process(ctx, cloud.host_down(b)) == 'finished'
    pauses.resume(ctx, pause.uuid)
    assert len(rpc_cast) == 1
    assert manager.process(ctx, rpc_cast[0]) == 'finished'


def test_a_pause_that_ended_elsewhere_releases_at_the_next_periodic_run(
        cloud, manager, ctx):
    segment = cloud.segment('auto')
    host = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    cloud.fail('c1')
    pause = pauses.pause(ctx, 'window')
    uuid = cloud.host_down(host, generated_time=old(3600))
    assert manager.process(ctx, uuid) == 'held'
    # The pause row goes without its release (as if the resume's cast
    # and its transaction's second half were lost).
    from masakari.db import models
    with db_api._writer() as session:
        session.query(models.RecoveryPause).filter_by(
            uuid=pause.uuid).delete()

    periodic.process_unfinished_notifications(manager, ctx)

    row = notification(uuid)
    assert (row.status, row.hold) == ('finished', None)
