"""Who hears which of Nova's events, and what the endpoint lets through."""

import re

import pytest

from masakari.engine.evacuation import listener
from masakari.engine.evacuation import nova_events


def event(uuid, event_type='instance.rebuild.end'):
    return nova_events.parse(event_type, {'nova_object.data': {'uuid': uuid}})


@pytest.fixture
def subscribers():
    return listener.Subscribers()


def test_each_subscriber_hears_about_its_own_instances(subscribers):
    heard_a, heard_b = [], []
    subscribers.subscribe(['vm-1', 'vm-2'], heard_a.append)
    subscribers.subscribe(['vm-2'], heard_b.append)
    for uuid in ('vm-1', 'vm-2', 'vm-3'):
        subscribers.deliver(event(uuid))
    assert [e.instance_uuid for e in heard_a] == ['vm-1', 'vm-2']
    assert [e.instance_uuid for e in heard_b] == ['vm-2']
    assert subscribers.received == 3
    # vm-3 had nobody to wake.
    assert dict(subscribers.woken) == {'vm-1': 1, 'vm-2': 1}


def test_only_ending_events_count_as_wake_ups(subscribers):
    subscribers.subscribe(['vm-1'], lambda e: None)
    subscribers.deliver(event('vm-1', 'instance.evacuate'))
    subscribers.deliver(event('vm-1', 'instance.rebuild.error'))
    assert subscribers.woken['vm-1'] == 1


def test_a_cancelled_subscription_hears_nothing_more(subscribers):
    heard = []
    subscription = subscribers.subscribe(['vm-1'], heard.append)
    subscription.cancel()
    subscribers.deliver(event('vm-1'))
    assert heard == []
    subscription.cancel()  # twice is harmless


def test_a_failing_subscriber_does_not_silence_the_others(subscribers):
    heard = []

    def broken(_):
        raise RuntimeError('bug')

    subscribers.subscribe(['vm-1'], broken)
    subscribers.subscribe(['vm-1'], heard.append)
    subscribers.deliver(event('vm-1'))
    assert len(heard) == 1


def test_the_endpoint_passes_nova_shaped_events_and_drops_the_rest(
        subscribers):
    heard = []
    subscribers.subscribe(['vm-1'], heard.append)
    endpoint = listener.Endpoint(subscribers)
    endpoint.error({}, 'nova-compute:c2', 'instance.rebuild.error',
                   {'nova_object.data': {'uuid': 'vm-1'}}, {})
    endpoint.info({}, 'nova-compute:c2', 'instance.rebuild.end',
                  {'no': 'nova object'}, {})
    endpoint.info({}, 'nova-compute:c2', 'instance.rebuild.end', None, {})
    assert [e.outcome for e in heard] == [nova_events.Outcome.FAILED]
    assert subscribers.received == 1


@pytest.mark.parametrize('event_type, wanted', [
    ('instance.evacuate', True),
    ('instance.rebuild.start', True),
    ('instance.rebuild.end', True),
    ('instance.rebuild.error', True),
    ('instance.rebuild_scheduled', False),
    ('instance.update', False),
    ('instance.rebuild.end.extra', False),
    ('compute.instance.rebuild.end', False),
])
def test_the_filter_rule(event_type, wanted):
    assert bool(re.match(nova_events.EVENT_TYPES_PATTERN,
                         event_type)) is wanted
    assert listener.Endpoint.filter_rule.match(
        {}, 'nova-compute:c2', event_type, {}, {}) is wanted


def test_nothing_starts_unless_enabled(conf):
    assert listener.ensure_started('h1') is None
    assert listener.current() is None
