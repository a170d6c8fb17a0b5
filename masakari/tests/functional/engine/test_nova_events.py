"""Host recoveries that hear Nova's versioned notifications.

The simulator sends Nova's events on the in-process ``fake://`` bus and
the engine's listener (``evacuation.listener``) hears them. To show that
the events, not the polls, end each wait, the os-migrations listing is
made to fail and the per-server poll made slow (``verify_interval``);
what woke each waiter is then read from the listener's counters.
"""

import pytest

from masakari.engine.evacuation import listener
from masakari.simulator import notifications
from masakari.tests.fixtures.assertions import assert_evacuated_once
from masakari.tests.functional.engine.conftest import notification
from masakari.tests.functional.engine.conftest import vmoves


@pytest.fixture
def events(engine_conf):
    """The engine listens to Nova's events on fake://."""
    engine_conf.set_override('enabled', True, 'nova_events')
    engine_conf.set_override('transport_url', 'fake://', 'nova_events')
    subscribers = listener.ensure_started('functional')
    # Listening before the first evacuation, as after engine start-up.
    assert listener.current().listening.wait(10)
    yield subscribers
    listener.stop()


@pytest.fixture
def nova_sends(simulator):
    """The simulator sends Nova's events, as a Nova configured for it."""
    notifier = notifications.NovaNotifier('fake://')
    notifier.start()
    simulator.state.notifier = notifier
    yield notifier
    simulator.state.notifier = None
    notifier.stop()


def listing_fails(cloud):
    cloud.state.add_http_fault(r'/os-migrations', status=500, count=None)


def host_down(cloud, count, fault=None):
    segment = cloud.segment('auto')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    cloud.host(segment, 'c3')
    servers = cloud.servers('c1', count, ha=True)
    if fault:
        cloud.state.inject_evacuation_fault(servers[0], fault)
    cloud.fail('c1')
    return cloud.host_down(failed), servers


def test_events_end_each_wait_without_the_polls(cloud, manager, ctx,
                                                engine_conf, events,
                                                nova_sends):
    # Without events, each wait would end only at its server's next poll
    # (seconds apart here) or at the listing, which fails.
    engine_conf.set_override('verify_interval', 30)
    cloud.state.configure(evacuate_duration=0.3)
    listing_fails(cloud)
    uuid, servers = host_down(cloud, 4)

    assert manager.process(ctx, uuid) == 'finished', notification(
        uuid).message

    assert_evacuated_once([cloud.info(s) for s in servers], 'c1',
                          unlocked=True)
    assert {m.status for m in vmoves(uuid)} == {'succeeded'}
    # Each server's rebuild.end reached the waiter of its evacuation.
    assert {s: events.woken[s] for s in servers} == {s: 1 for s in servers}


def test_events_that_never_come_leave_it_to_the_polls(cloud, manager, ctx,
                                                      events):
    # The listener runs, but Nova (the simulator) sends nothing.
    uuid, servers = host_down(cloud, 4)

    assert manager.process(ctx, uuid) == 'finished', notification(
        uuid).message

    assert_evacuated_once([cloud.info(s) for s in servers], 'c1',
                          unlocked=True)
    assert not any(events.woken[s] for s in servers)


def test_a_rebuild_error_event_fails_the_evacuation_at_once(
        cloud, manager, ctx, engine_conf, events, nova_sends):
    """A rolled-back rebuild leaves the server as it was, on the failed
    host, with no fault; with the listing failing only Nova's
    instance.rebuild.error tells it from a slow end. Without it the wait
    would end in a timeout (the grace period being longer still)."""
    engine_conf.set_override('wait_period_after_evacuation', 60)
    engine_conf.set_override('evacuation_settle_grace', 3600,
                             'host_failure')
    listing_fails(cloud)
    uuid, (bad, good) = host_down(cloud, 2, fault='rollback')

    assert manager.process(ctx, uuid) == 'error'

    by_instance = {m.instance_uuid: m for m in vmoves(uuid)}
    assert by_instance[bad].status == 'failed'
    assert 'Nova did not evacuate' in by_instance[bad].message
    assert 'timeout' not in by_instance[bad].message
    assert events.woken[bad] == 1
    assert cloud.where(bad) == 'c1'
    assert cloud.where(good) != 'c1'


def test_no_valid_host_from_the_conductor_fails_the_evacuation_at_once(
        cloud, manager, ctx, engine_conf, events, nova_sends):
    """Nova's conductor finds no host (every other compute is down) and
    says so with compute_task.rebuild_server.error; no compute ever sends
    a rebuild event. That event, not a poll, ends each wait (the
    conductor takes a moment, so the first poll finds nothing yet)."""
    engine_conf.set_override('verify_interval', 30)
    cloud.state.configure(no_valid_host_delay=0.5)
    listing_fails(cloud)
    segment = cloud.segment('auto')
    failed = cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    servers = cloud.servers('c1', 2, ha=True)
    cloud.fail('c2')
    cloud.fail('c1')

    uuid = cloud.host_down(failed)

    assert manager.process(ctx, uuid) == 'error'

    moves = vmoves(uuid)
    assert {m.instance_uuid for m in moves} == set(servers)
    for move in moves:
        assert move.status == 'failed'
        assert 'No valid host' in move.message, move.message
    assert {s: events.woken[s] for s in servers} == {s: 1 for s in servers}
    assert all(cloud.where(s) == 'c1' for s in servers)
