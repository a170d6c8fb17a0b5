"""When a recovered host may return to service: the rules as a table."""

import dataclasses
import datetime
import types

import pytest

from masakari.ha import repaired_hosts as rules
from masakari.ha.repaired_hosts import Verdict

ENDED = datetime.datetime(2026, 12, 1, 10, 0, 0)
REASON = 'Masakari detected host failed.'
POLICY = rules.Policy(burn_in=600, max_failures=3, disable_reason=REASON)
READY = rules.Facts(
    host_updated_at=ENDED - datetime.timedelta(seconds=30),
    last_failure_status='finished', last_failure_ended_at=ENDED,
    unfinished_notifications=0, failures_in_window=1, service_up=True,
    service_forced_down=False, service_disabled=True,
    service_disabled_reason=REASON, healthy_for=600)


@pytest.mark.parametrize('changes, verdict', [
    ({}, Verdict.RETURN),
    ({'service_disabled': False, 'service_disabled_reason': None},
     Verdict.RETURN),
    # Written by the recovery a little after the notification ended.
    ({'host_updated_at': ENDED + datetime.timedelta(seconds=30)},
     Verdict.RETURN),
    # Touched by an operator since.
    ({'host_updated_at': ENDED + datetime.timedelta(hours=1)},
     Verdict.NOT_OURS),
    ({'last_failure_status': None, 'last_failure_ended_at': None},
     Verdict.NOT_OURS),
    ({'last_failure_status': 'failed'}, Verdict.NOT_OURS),
    ({'unfinished_notifications': 1}, Verdict.RECOVERING),
    ({'service_up': False}, Verdict.NOT_REPAIRED),
    ({'service_forced_down': True}, Verdict.NOT_REPAIRED),
    ({'service_disabled_reason': 'disk replacement'},
     Verdict.DISABLED_BY_OTHERS),
    ({'failures_in_window': 3}, Verdict.FLAPPING),
    ({'healthy_for': 599.9}, Verdict.BURNING_IN),
])
def test_verdicts(changes, verdict):
    assert rules.judge(dataclasses.replace(READY, **changes),
                       POLICY) is verdict


@pytest.mark.parametrize('changes, healthy', [
    ({}, True),
    ({'service_disabled': False}, True),
    ({'service_up': False}, False),
    ({'service_forced_down': True}, False),
    ({'service_disabled_reason': 'disk replacement'}, False),
])
def test_what_continues_a_burn_in(changes, healthy):
    assert rules.counts_as_healthy(dataclasses.replace(READY, **changes),
                                   POLICY) is healthy


@pytest.mark.parametrize('names, opted', [
    ([], False), (['*'], True), (['prod'], True), (['seg-uuid'], True),
    (['other'], False)])
def test_segments_opt_in_by_name_or_uuid(names, opted):
    segment = types.SimpleNamespace(name='prod', uuid='seg-uuid')
    assert rules.opted_in(segment, names) is opted
