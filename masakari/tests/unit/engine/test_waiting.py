"""The back-off poller that replaces upstream's fixed sleeps."""

import itertools

import pytest

from masakari.engine import waiting
from masakari.tests.fixtures.clock import FakeClock


def test_intervals_start_short_and_double_up_to_the_cap():
    got = list(itertools.islice(waiting.intervals(0.05, 1.0), 8))
    assert got == [0.05, 0.1, 0.2, 0.4, 0.8, 1.0, 1.0, 1.0]


def test_intervals_cap_defaults_to_verify_interval(conf):
    conf.set_override('verify_interval', 2)
    got = list(itertools.islice(waiting.intervals(0.5), 4))
    assert got == [0.5, 1.0, 2.0, 2.0]


def test_zero_verify_interval_polls_at_the_first_interval(conf):
    conf.set_override('verify_interval', 0)
    got = list(itertools.islice(waiting.intervals(0.1), 3))
    assert got == [0.1, 0.1, 0.1]


def test_returns_as_soon_as_the_condition_holds():
    clock = FakeClock()
    answers = iter([None, False, 'done'])
    result = waiting.wait_for(lambda: next(answers), 10, first=0.1,
                              maximum=1, sleep=clock.sleep, clock=clock)
    assert result == 'done'
    assert clock.sleeps == [0.1, 0.2]


def test_times_out_at_the_deadline_not_after():
    clock = FakeClock()
    calls = []

    def check():
        calls.append(clock.now)
        return False

    with pytest.raises(waiting.WaitTimeout) as exc:
        waiting.wait_for(check, 1.0, what='thing', first=0.1, maximum=1,
                         sleep=clock.sleep, clock=clock)
    assert clock.sleeps == [0.1, 0.2, 0.4, 0.3]
    assert calls[-1] == pytest.approx(101.0)
    assert exc.value.timeout == 1.0
    assert 'thing' in str(exc.value)


def test_zero_timeout_checks_once():
    clock = FakeClock()
    with pytest.raises(waiting.WaitTimeout):
        waiting.wait_for(lambda: False, 0, sleep=clock.sleep, clock=clock)
    assert clock.sleeps == []
    assert waiting.wait_for(lambda: 1, 0, sleep=clock.sleep,
                            clock=clock) == 1


def test_the_first_check_can_wait_for_the_first_interval():
    clock = FakeClock()
    checked_at = []

    def check():
        checked_at.append(clock.now)
        return len(checked_at) == 2

    assert waiting.wait_for(check, 10, first=0.5, maximum=1,
                            sleep=clock.sleep, clock=clock,
                            check_first=False)
    assert checked_at == [100.5, 101.5]
