"""Durations and settings parsing."""

import random

import pytest

from masakari.simulator.settings import Duration, Settings


@pytest.mark.parametrize('value, expected', [
    (1.5, (1.5, 1.5)), ('2', (2.0, 2.0)), ('1:3', (1.0, 3.0)),
    ([0.1, 0.2], (0.1, 0.2)), ({'min': 1, 'max': 2}, (1.0, 2.0)),
])
def test_duration_parse(value, expected):
    duration = Duration.parse(value)
    assert (duration.low, duration.high) == expected


@pytest.mark.parametrize('value', ['3:1', -1, 'x', [1, 2, 3]])
def test_duration_parse_rejects(value):
    with pytest.raises(ValueError):
        Duration.parse(value)


def test_duration_sample_in_range():
    rng = random.Random(1)
    duration = Duration(0.1, 0.2)
    assert all(0.1 <= duration.sample(rng) <= 0.2 for _ in range(50))
    assert Duration(0.3, 0.3).sample(rng) == 0.3


def test_settings_update_and_json():
    settings = Settings()
    settings.update(evacuate_duration='0.1:0.3', service_down_time=5,
                    max_limit=10)
    data = settings.as_json()
    assert data['evacuate_duration'] == {'min': 0.1, 'max': 0.3}
    assert data['service_down_time'] == 5.0
    assert data['max_limit'] == 10
    with pytest.raises(ValueError):
        settings.update(bogus=1)
    with pytest.raises(ValueError):
        settings.update(service_down_time=-1)
