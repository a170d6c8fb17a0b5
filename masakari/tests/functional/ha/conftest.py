"""Fixtures of the business-rule tests: the versioned events sent, a Nova
that knows some hosts and an engine that records what it is told."""

import types

import pytest

from masakari import context as masakari_context
from masakari import exception
from masakari.ha import hosts as ha_hosts
from masakari.ha import notifications as ha_notifications
from masakari import notifications


@pytest.fixture
def ctx():
    return masakari_context.get_admin_context()


@pytest.fixture
def events(monkeypatch):
    """``(event_type, exception class name or None)`` of each event sent."""
    sent = []
    monkeypatch.setattr(notifications, 'enabled', lambda: True)
    monkeypatch.setattr(
        notifications, '_emit',
        lambda context, binary, event_type, payload, exc: sent.append(
            (event_type, type(exc).__name__ if exc else None)))
    return sent


@pytest.fixture
def nova(monkeypatch):
    """Nova's compute services: ``nova.known`` names, ``nova.asked``
    records each look-up."""
    fake = types.SimpleNamespace(known={'compute1', 'compute2', 'compute3'},
                                 asked=[])

    class API:
        def find_compute_service(self, context, name):
            fake.asked.append(name)
            if name not in fake.known:
                raise exception.ComputeNotFoundByName(compute_name=name)

    monkeypatch.setattr(ha_hosts.nova, 'API', API)
    return fake


@pytest.fixture
def engine(monkeypatch):
    """The engine's RPC client: ``engine.casts`` are the notifications
    cast, ``engine.fail`` makes the cast raise."""
    fake = types.SimpleNamespace(casts=[], fail=False)

    class EngineAPI:
        def process_notification(self, context, notification):
            if fake.fail:
                raise RuntimeError('no engine')
            fake.casts.append(notification.notification_uuid)

    monkeypatch.setattr(ha_notifications.rpcapi, 'EngineAPI', EngineAPI)
    return fake
