"""The engine's periodic protection check against the Nova simulator over
HTTP: a change of protection is logged and notified once, a failure to
look changes nothing, and the task runs on the engine's periodic thread
only when ``[protection] check_interval`` is set."""

import logging
import time

import pytest

from masakari.conf import CONF
from masakari.db import api as db_api
from masakari.engine import periodic
from masakari.metrics import engine as engine_metrics
from masakari.engine import service as engine_service
from masakari.tests.functional.api import fixtures

LOST = 'segment.protection.lost'
RESTORED = 'segment.protection.restored'


@pytest.fixture
def listener(engine_conf):
    for option in ('cpu', 'ram', 'disk'):
        engine_conf.set_override('%s_allocation_ratio' % option, 1.0,
                                 'protection')
    engine_conf.set_override('driver', ['messagingv2'],
                             'oslo_messaging_notifications')
    received = fixtures.NotificationListener()
    yield received
    received.stop()


def _events(listener, count):
    """(priority, event type) in the order the engine sent them."""
    received = listener.wait_for(count, timeout=10)
    return [(e['priority'], e['event_type'])
            for e in sorted(received, key=lambda e: e['timestamp'])]


@pytest.fixture
def crowded(cloud):
    """Segment 'web' (auto) whose c1 is full (two m1.xlarge: 16 vCPU,
    32 GiB) and whose c2 has room for one of them only."""
    segment = cloud.segment(name='web')
    cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    servers = cloud.servers('c1', 2, flavor='m1.xlarge')
    cloud.servers('c2', 1, flavor='m1.xlarge')
    return segment, servers


def test_state_changes_are_logged_and_notified_once(
        cloud, crowded, manager, listener, caplog):
    segment, servers = crowded
    caplog.set_level(logging.INFO, logger='masakari.engine.protection_watch')

    reports = periodic.check_protection(manager)
    assert reports[segment.uuid].protected is False
    assert manager.protection_watch.state(segment.uuid) is False
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    message = warning.getMessage()
    assert message.startswith('Segment web (%s) is not protected: the loss '
                              'of ' % segment.uuid)
    assert servers[0] in message or servers[1] in message
    [event] = listener.wait_for(1)
    assert (event['priority'], event['event_type']) == ('WARN', LOST)
    assert event['publisher_id'] == 'masakari-engine:%s' % CONF.host
    data = event['payload']['masakari_object.data']
    assert event['payload']['masakari_object.name'] == (
        'SegmentProtectionPayload')
    assert (data['uuid'], data['protected'], data['host_failures']) == (
        segment.uuid, False, 1)
    assert {tuple(s['hosts']) for s in data['not_absorbed']} == {
        ('c1',), ('c2',)}

    # Unchanged: nothing more is said.
    caplog.clear()
    periodic.check_protection(manager)
    assert not [r for r in caplog.records if r.levelno >= logging.INFO]

    # A third host gives room: protected again, said once.
    cloud.host(segment, 'c3')
    periodic.check_protection(manager)
    periodic.check_protection(manager)
    assert _events(listener, 2) == [('WARN', LOST), ('INFO', RESTORED)]
    assert len(listener.wait_for(3, timeout=0.5)) == 2
    assert manager.protection_watch.state(segment.uuid) is True
    assert any('is protected again' in r.getMessage()
               for r in caplog.records)


def _gauge(segment):
    return engine_metrics.REGISTRY.get_sample_value(
        'masakari_segment_protected',
        {'segment': segment.name, 'segment_uuid': segment.uuid})


def test_the_metric_follows_the_checks(cloud, crowded, manager):
    segment, _ = crowded
    periodic.check_protection(manager)
    assert _gauge(segment) == 0
    cloud.host(segment, 'c3')
    periodic.check_protection(manager)
    assert _gauge(segment) == 1
    db_api.segment_update(segment.uuid, {'enabled': False})
    periodic.check_protection(manager)
    assert _gauge(segment) is None      # no series for it any more


def test_a_protected_segment_is_not_announced(cloud, manager, listener):
    segment = cloud.segment(name='roomy')
    cloud.host(segment, 'c1')
    cloud.host(segment, 'c2')
    cloud.servers('c1', 1, flavor='m1.small')
    assert periodic.check_protection(manager)[segment.uuid].protected
    assert listener.wait_for(1, timeout=0.5) == []


def test_nova_unreachable_keeps_the_last_state(
        cloud, crowded, manager, listener, simulator, caplog):
    segment, _ = crowded
    periodic.check_protection(manager)
    assert manager.protection_watch.state(segment.uuid) is False
    cloud.host(segment, 'c3')
    simulator.state.add_http_fault('os-hypervisors', status=503, count=None)
    assert periodic.check_protection(manager) == {}
    assert manager.protection_watch.state(segment.uuid) is False
    assert 'could not be checked' in caplog.text
    simulator.state.clear_http_faults()
    assert periodic.check_protection(manager)[segment.uuid].protected
    assert _events(listener, 2) == [('WARN', LOST), ('INFO', RESTORED)]


def test_disabled_and_deleted_segments_are_forgotten(cloud, crowded,
                                                     manager, listener):
    segment, _ = crowded
    periodic.check_protection(manager)
    db_api.segment_update(segment.uuid, {'enabled': False})
    assert segment.uuid not in periodic.check_protection(manager)
    assert manager.protection_watch.state(segment.uuid) is None
    # Enabled again, and still crowded: announced again.
    db_api.segment_update(segment.uuid, {'enabled': True})
    periodic.check_protection(manager)
    assert _events(listener, 2) == [('WARN', LOST), ('WARN', LOST)]


def test_runs_on_the_periodic_thread_only_when_enabled(
        cloud, crowded, engine_conf, manager, listener):
    segment, _ = crowded
    engine_conf.set_override('periodic_enable', True)
    engine_conf.set_override('periodic_fuzzy_delay', 0)
    assert periodic.interval(('protection', 'check_interval')) == 0
    engine_conf.set_override('check_interval', 1, 'protection')
    service = engine_service.EngineService(manager=manager,
                                           shutdown_timeout=10)
    service.start()
    try:
        deadline = time.monotonic() + 20
        while (manager.protection_watch.state(segment.uuid) is None and
               time.monotonic() < deadline):
            time.sleep(0.05)
    finally:
        service.stop(timeout=10)
    assert manager.protection_watch.state(segment.uuid) is False
    assert _events(listener, 1) == [('WARN', LOST)]
