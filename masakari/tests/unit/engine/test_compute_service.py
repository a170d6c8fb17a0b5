"""Predicting when Nova reports a service down; confirming a disable."""

import datetime
import threading

import pytest

from masakari.compute import resources
from masakari.engine import compute_service
from masakari import exception

T0 = datetime.datetime(2026, 12, 1, 12, 0, 0)


def service(updated_at=T0):
    return resources.Service(id='1', host='c1', binary='nova-compute',
                             status='enabled', state='up',
                             updated_at=updated_at)


def test_nova_times_are_read_as_naive_utc():
    assert resources.nova_time('2026-12-01T12:00:00.000000') == T0
    assert resources.nova_time('2026-12-01T13:00:00+01:00') == T0
    assert resources.nova_time('2026-12-01T12:00:00Z') == T0
    assert resources.nova_time(None) is None
    assert resources.nova_time('yesterday') is None
    assert resources.Service.from_dict(
        {'id': 1, 'updated_at': '2026-12-01T12:00:00.000000'}
    ).updated_at == T0


def test_down_is_predicted_from_the_last_heartbeat():
    clock = compute_service.DownClock()
    now = T0 + datetime.timedelta(seconds=15)
    assert not clock.learnt
    assert clock.seconds_until_down(service(), now) == 45.0
    assert clock.seconds_until_down(service(updated_at=None), now) is None


def test_the_service_down_time_seen_is_used_next_time():
    clock = compute_service.DownClock()
    assert clock.seen_down(service(), T0 + datetime.timedelta(
        seconds=31)) == 31.0
    assert clock.learnt and clock.service_down_time == 31.0
    assert clock.seconds_until_down(
        service(), T0 + datetime.timedelta(seconds=30)) == 1.0
    # A clock that disagrees with Nova's teaches nothing.
    clock.seen_down(service(), T0 - datetime.timedelta(seconds=5))
    assert clock.service_down_time == 31.0


class FakeNova:
    """The first disable is held until ``release`` is set; each disable
    stores the change when ``store`` says so, then raises the next of
    ``errors`` (None: answers)."""

    def __init__(self, errors=(), store=True):
        self.release = threading.Event()
        self.errors = list(errors)
        self.store = store
        self.stored = False
        self.calls = 0
        self.called = threading.Event()
        self.on_check = None

    def enable_disable_service(self, context, host_name, enable=False,
                               reason=None, service=None):
        self.calls += 1
        self.stored = self.stored or self.store
        self.called.set()
        if self.calls == 1:
            self.release.wait(30)
        error = self.errors.pop(0) if self.errors else None
        if error is not None:
            raise error

    def is_service_disabled(self, context, host_name, binary):
        if self.on_check is not None:
            self.on_check()
        return self.stored


def _confirm_after_answer(nova):
    nova.release.set()
    disabler = compute_service.Disabler(nova, None, 'c1').start()
    disabler._thread.join(30)
    return disabler.confirm()


def test_an_answered_disable_is_confirmed_as_answered():
    nova = FakeNova()
    assert _confirm_after_answer(nova) == 'answered'
    assert nova.calls == 1


def test_a_disable_still_held_by_nova_is_confirmed_from_what_it_stored():
    nova = FakeNova()
    disabler = compute_service.Disabler(nova, None, 'c1').start()
    try:
        assert nova.called.wait(30)
        assert disabler.confirm() == 'stored'
        assert nova.calls == 1
    finally:
        nova.release.set()


def test_a_disable_not_stored_yet_is_waited_for_not_sent_twice():
    """Nova answers at once once the service is down: an unanswered,
    unstored disable is waited for rather than sent again."""
    nova = FakeNova(store=False)
    nova.on_check = nova.release.set
    disabler = compute_service.Disabler(nova, None, 'c1').start()
    assert nova.called.wait(30)
    assert disabler.confirm() == 'answered'
    assert nova.calls == 1


def test_a_disable_nova_did_not_store_is_sent_again():
    nova = FakeNova(errors=[exception.NovaUnavailable(reason='timeout'),
                            None], store=False)
    assert _confirm_after_answer(nova) == 'again'
    assert nova.calls == 2


def test_a_refused_disable_is_raised_when_confirmed():
    nova = FakeNova(errors=[exception.Forbidden(message='no'),
                            exception.Forbidden(message='still no')],
                    store=False)
    with pytest.raises(exception.Forbidden):
        _confirm_after_answer(nova)
    assert nova.calls == 2
