"""The engine's measurements: the host-failure timeline, one recovery's
outcome and duration, the label of a Nova call."""

import datetime
import types

import pytest

from masakari.metrics import engine as metrics


def count(name, **labels):
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def test_each_phase_is_observed_once_from_the_report():
    clock = Clock(1000.0)
    timeline = metrics.Timeline(clock=clock)
    name = 'masakari_host_failure_phase_seconds'
    before = count(name + '_count', phase='first_active')
    below_5 = count(name + '_bucket', phase='first_active', le='5.0')
    timeline.begin('c1', reported_at=997.0)
    timeline.mark('c1', 'first_active')     # 3 s after the report
    clock.now = 1100.0
    timeline.mark('c1', 'first_active')     # not again
    timeline.mark('c2', 'first_active')     # no recovery of c2 under way
    timeline.end('c1')
    timeline.mark('c1', 'first_active')     # over
    assert count(name + '_count', phase='first_active') == before + 1
    assert count(name + '_bucket', phase='first_active',
                 le='5.0') == below_5 + 1


def test_a_report_from_a_clock_ahead_counts_as_zero():
    timeline = metrics.Timeline(clock=Clock(1000.0))
    name = 'masakari_host_failure_phase_seconds'
    zero = count(name + '_bucket', phase='fenced', le='1.0')
    timeline.begin('c9', reported_at=1030.0)
    timeline.mark('c9', 'fenced')
    assert count(name + '_bucket', phase='fenced', le='1.0') == zero + 1


def notification(kind='VM', generated=None):
    return types.SimpleNamespace(type=kind, generated_time=generated,
                                 created_at=None, source_host_uuid='h')


@pytest.mark.parametrize('status', ['finished', None])
def test_a_recovery_counts_its_outcome_and_duration(status):
    clock = Clock(10.0)
    label = status or 'none'
    before = count('masakari_recoveries_total', type='VM', status=label)
    with metrics.recovery(notification(), 'c1', clock=clock) as measured:
        assert count('masakari_recoveries_running', type='VM') >= 1
        clock.now = 12.5
        measured.status = status
    assert count('masakari_recoveries_total', type='VM',
                 status=label) == before + 1
    assert count('masakari_recoveries_running', type='VM') == 0


def test_reported_at_reads_generated_time_as_utc():
    moment = datetime.datetime(2026, 1, 2, 3, 4, 5)
    assert metrics.reported_at(notification(generated=moment)) == (
        moment.replace(tzinfo=datetime.timezone.utc).timestamp())


def test_a_nova_call_is_labelled_by_its_manager_and_method():
    class ServerManager:
        def evacuate(self):
            pass

    before = count('masakari_nova_api_calls_total',
                   call='ServerManager.evacuate', outcome='retried')
    metrics.nova_call(ServerManager().evacuate, 'retried')
    assert count('masakari_nova_api_calls_total',
                 call='ServerManager.evacuate',
                 outcome='retried') == before + 1


def test_an_unknown_phase_is_a_bug():
    with pytest.raises(ValueError):
        metrics.Timeline().mark('c1', 'fenced-ish')
