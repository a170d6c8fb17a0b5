"""The recovery benchmark's bounds, as tables of cases."""

import pytest

from benchmarks import bounds
from benchmarks import recovery_settings


@pytest.mark.parametrize('n, p, duration, knobs, expected', [
    (10, 10, 2.5, {}, 2.5),
    (100, 10, 2.5, {}, 25.0),
    (500, 50, 2.5, {}, 25.0),
    (1, 10, 2.5, {}, 2.5),
    (0, 10, 2.5, {}, 0.0),
    # latency and claim on every slot's path, and the 10 slots' first
    # claims spread over 3 claim times on the busiest of 4 targets
    (100, 10, 2.5, {'latency': 0.05, 'claim': 0.1, 'targets': 4}, 26.7),
    # 95 = 9 waves of 10 and 5 slots with a 10th: those 5 start in 2
    (95, 10, 2.5, {'latency': 0.05, 'claim': 0.1, 'targets': 4}, 26.6),
    # one target host: its claims, one at a time, dominate
    (500, 50, 2.5, {'latency': 0.0, 'claim': 0.1, 'targets': 1}, 52.5),
    # no target count: the per-slot term only
    (500, 50, 2.5, {'claim': 0.1}, 26.0),
])
def test_evacuations(n, p, duration, knobs, expected):
    assert bounds.evacuations(n, p, duration, **knobs) == pytest.approx(
        expected)


def test_settings_bounds():
    assert bounds.ideal(100, 10, 2.5) == 25.0
    assert bounds.nova_down(100, 10, 2.5, 60.0) == 85.0
    assert bounds.fenced(100, 10, 2.5, 0.5) == 25.5
    assert bounds.fenced_target(100, 10, 2.5, 0.5) == 26.5


def test_knobs_from_simulator_settings():
    settings = {'api_latency': {'min': 0.04, 'max': 0.06},
                'evacuate_claim_time': 0.1}
    assert bounds.knobs(settings, 4) == {'latency': 0.04, 'claim': 0.1,
                                         'targets': 4}
    assert bounds.knobs({}, 4) == {'latency': 0.0, 'claim': 0.0,
                                   'targets': 4}


@pytest.mark.parametrize('name, fence, expected, clock', [
    ('ideal', None, 25.0, 'post'),
    # the 10 slots' first claims: 3 on the busiest of 4 targets
    ('realistic', None, 60.0 + 10 * (0.04 + 0.1 + 2.5) + 2 * 0.1,
     'failure'),
    ('fenced', 0.25, 0.25 + 10 * (0.04 + 0.1 + 2.5) + 2 * 0.1, 'post'),
])
def test_each_setting_picks_its_bound(name, fence, expected, clock):
    setting = next(s for s in recovery_settings.SETTINGS if s.name == name)
    profile = {'ideal': {}, 'realistic': {
        'service_down_time': 60.0, 'api_latency': {'min': 0.04,
                                                   'max': 0.06},
        'evacuate_claim_time': 0.1}}[
            'ideal' if name == 'ideal' else 'realistic']
    settings = dict(profile, service_down_time=profile.get(
        'service_down_time', 0.0))
    assert setting.lower_bound(100, 10, 2.5, settings, fence) == \
        pytest.approx(expected)
    assert setting.clock == clock
    target = setting.target(100, 10, 2.5, settings, fence)
    assert (target is None) == (name != 'fenced')


def test_quick_mode_shortens_the_realistic_down_time():
    realistic = recovery_settings.chosen(['realistic'])[0]
    assert realistic.simulator_settings(1.25, quick=True) == {
        'profile': 'realistic', 'evacuate_duration': 1.25,
        'service_down_time': 10.0, 'rpc_response_timeout': 10.0}
    assert realistic.simulator_settings(2.5, quick=False) == {
        'profile': 'realistic', 'evacuate_duration': 2.5}
    assert [s.name for s in recovery_settings.chosen(
        profile='realistic')] == ['realistic', 'fenced']
