"""The storm brake's rule and the hold decision, as tables of cases."""

import datetime
import json
import types

import pytest

from masakari.db import models
from masakari.ha import holds
from masakari.ha import storm

DEFAULTS = storm.Limits()


@pytest.mark.parametrize('failed,hosts,expected', [
    (1, 1, False),    # a one-host segment: its failure is recovered
    (1, 2, False),    # one host alone is never a burst
    (2, 2, True),     # the whole segment at once
    (2, 3, True),     # 2/3 > 0.5
    (2, 4, False),    # 2/4 is not more than half, and 2 <= 2
    (3, 4, True),
    (2, 10, False),
    (3, 10, True),    # more than max_failed_hosts
    (3, 100, True),
    (0, 0, False),
])
def test_tripped_with_defaults(failed, hosts, expected):
    assert storm.tripped(failed, hosts, DEFAULTS) is expected


@pytest.mark.parametrize('limits,failed,hosts,expected', [
    (storm.Limits(enabled=False), 5, 5, False),
    (storm.Limits(max_failed_hosts=5, max_failed_share=1.0), 5, 5, False),
    (storm.Limits(max_failed_hosts=5, max_failed_share=1.0), 6, 10, True),
    (storm.Limits(max_failed_hosts=10, max_failed_share=0.2), 3, 10, True),
    (storm.Limits(max_failed_hosts=10, max_failed_share=0.2), 2, 10, False),
])
def test_tripped_with_other_limits(limits, failed, hosts, expected):
    assert storm.tripped(failed, hosts, limits) is expected


@pytest.mark.parametrize('hosts,first', [
    (1, None), (2, 2), (3, 2), (4, 3), (5, 3), (6, 3), (50, 3)])
def test_first_to_trip(hosts, first):
    assert storm.first_to_trip(hosts, DEFAULTS) == first


DOWN = {'event': 'STOPPED', 'host_status': 'NORMAL'}
T0 = datetime.datetime(2026, 1, 1)


class Facts:
    """What the database would answer, from plain values."""

    def __init__(self, reports=(), hosts=5, storm_on=False, pauses=()):
        self.reports = list(reports)
        self.hosts = hosts
        self.storm_on = storm_on
        self.pauses = list(pauses)
        self.segment_uuid = 'seg-uuid'
        self.asked = []

    def storm_held(self):
        self.asked.append('storm_held')
        return self.storm_on

    def host_reports(self, window):
        self.asked.append(('host_reports', window))
        return self.reports

    def segment_host_count(self):
        return self.hosts

    def segment_name(self):
        return 'seg'


def _row(type_='COMPUTE_HOST', payload=DOWN, hold=None):
    return types.SimpleNamespace(type=type_, payload=json.dumps(payload),
                                 hold=hold, generated_time=T0)


def _reports(*names):
    return [(name + '-uuid', name, 'COMPUTE_HOST', DOWN) for name in names]


def test_recovered_under_the_limits():
    facts = Facts(_reports('c1', 'c2'))
    assert holds.judge(_row(), facts, DEFAULTS) is None
    assert ('host_reports', 300) in facts.asked


def test_third_host_trips_with_names():
    verdict = holds.judge(_row(), Facts(_reports('c2', 'c1', 'c3')),
                          DEFAULTS)
    assert verdict.hold == models.HOLD_STORM
    assert verdict.tripped is True
    assert verdict.failed_hosts == ('c1', 'c2', 'c3')
    assert '3 of the 5 hosts' in verdict.message
    assert "'seg'" in verdict.message and '300s' in verdict.message


def test_reports_that_are_not_host_failures_do_not_count():
    reports = _reports('c1', 'c2') + [
        ('c3-uuid', 'c3', 'COMPUTE_HOST', {'event': 'STOPPED',
                                           'host_status': 'UNKNOWN'}),
        ('c4-uuid', 'c4', 'COMPUTE_HOST', {'event': 'STARTED',
                                           'host_status': 'NORMAL'}),
        ('c5-uuid', 'c5', 'PROCESS', {'event': 'STOPPED',
                                      'process_name': 'nova-compute'}),
    ] + _reports('c1')  # the same host twice is one host
    assert holds.judge(_row(), Facts(reports), DEFAULTS) is None


def test_brake_on_holds_without_counting():
    facts = Facts(storm_on=True)
    verdict = holds.judge(_row(), facts, DEFAULTS)
    assert verdict.hold == models.HOLD_STORM and not verdict.tripped
    assert not any(isinstance(a, tuple) for a in facts.asked)


@pytest.mark.parametrize('row', [
    _row(payload={'event': 'STARTED', 'host_status': 'NORMAL'}),
    _row(payload={'event': 'STOPPED'}),
    _row('VM', {'event': 'LIFECYCLE', 'vir_domain_event': 'STARTED',
                'instance_uuid': 'x'}),
])
def test_nothing_to_recover_is_never_held(row):
    pause = types.SimpleNamespace(scope=models.GLOBAL_SCOPE, reason='r')
    facts = Facts(_reports('c1', 'c2', 'c3'), storm_on=True,
                  pauses=[pause])
    assert holds.judge(row, facts, DEFAULTS) is None


@pytest.mark.parametrize('row', [
    _row(),
    _row('PROCESS', {'event': 'STOPPED', 'process_name': 'nova-compute'}),
    _row('VM', {'event': 'LIFECYCLE', 'vir_domain_event': 'STOPPED_FAILED',
                'instance_uuid': 'x'}),
    _row(hold=models.HOLD_RELEASED),
])
def test_a_pause_holds_every_recovery(row):
    pause = types.SimpleNamespace(scope='seg-uuid', reason='rack work')
    verdict = holds.judge(row, Facts(pauses=[pause]), DEFAULTS)
    assert verdict.hold == models.HOLD_PAUSE
    assert 'segment seg-uuid' in verdict.message
    assert 'rack work' in verdict.message


@pytest.mark.parametrize('row,limits', [
    (_row(hold=models.HOLD_RELEASED), DEFAULTS),
    (_row(), storm.Limits(enabled=False)),
    (_row('PROCESS', {'event': 'STOPPED', 'process_name': 'nova-compute'}),
     DEFAULTS),
])
def test_the_brake_passes(row, limits):
    facts = Facts(_reports('c1', 'c2', 'c3', 'c4'), storm_on=True)
    assert holds.judge(row, facts, limits) is None
