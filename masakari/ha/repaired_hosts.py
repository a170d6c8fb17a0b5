"""When a host this service recovered may return to service: pure rules.

After a host failure the engine leaves the host on maintenance (masakari
sends it no more recoveries) and its compute service disabled (Nova
schedules nothing there), forced down when it was fenced. Nova's own
procedure to bring a repaired compute back is: start nova-compute, unset
``forced_down``, enable the service. The last step, and taking the host
out of maintenance, is what this service may do by itself, per segment
(``[return_to_service] segments``), once:

* the host's latest host failure is ``finished`` and nothing touched the
  host since (an operator who edits a host, or puts it on maintenance
  by hand, keeps it: the host's ``updated_at`` is not later than that
  notification's end);
* no notification about the host is new, running or in error;
* Nova reports its compute service up and not forced down (a person or a
  tool unset ``forced_down``: declaring a fenced host repaired is not this
  service's call), and, when disabled, disabled by masakari (its reason is
  ``[host_failure] service_disable_reason``), not by someone else;
* it stayed so for ``burn_in`` seconds as this engine saw it;
* it did not fail ``max_failures`` times or more within
  ``failure_window`` seconds: a flapping host stays out, and says so.
"""

import dataclasses
import datetime
import enum


class Verdict(enum.Enum):
    """What to do with a host on maintenance, and why."""

    NOT_OURS = 'not put on maintenance by a recovery of this service'
    RECOVERING = 'a notification about it is not finished'
    NOT_REPAIRED = 'its compute service is not up yet'
    DISABLED_BY_OTHERS = 'its compute service was disabled by someone else'
    BURNING_IN = 'its compute service is up; burn-in not over'
    FLAPPING = 'it failed too often'
    RETURN = 'return it to service'


@dataclasses.dataclass(frozen=True)
class Facts:
    """What the engine knows of one host on maintenance."""

    host_updated_at: datetime.datetime | None
    # The latest COMPUTE_HOST notification of the host, or None.
    last_failure_status: str | None
    last_failure_ended_at: datetime.datetime | None
    unfinished_notifications: int
    failures_in_window: int
    service_up: bool
    service_forced_down: bool
    service_disabled: bool
    service_disabled_reason: str | None
    # Seconds this engine has seen the service healthy without a break.
    healthy_for: float


@dataclasses.dataclass(frozen=True)
class Policy:
    burn_in: float
    max_failures: int
    disable_reason: str
    # How much later than the notification's end the host row may have
    # been written by the recovery itself.
    slack: datetime.timedelta = datetime.timedelta(seconds=60)


def judge(facts, policy):
    """The ``Verdict`` for a host on maintenance."""
    if (facts.last_failure_status != 'finished' or
            facts.last_failure_ended_at is None or
            (facts.host_updated_at is not None and
             facts.host_updated_at >
             facts.last_failure_ended_at + policy.slack)):
        return Verdict.NOT_OURS
    if facts.unfinished_notifications:
        return Verdict.RECOVERING
    if not facts.service_up or facts.service_forced_down:
        return Verdict.NOT_REPAIRED
    if (facts.service_disabled and
            facts.service_disabled_reason != policy.disable_reason):
        return Verdict.DISABLED_BY_OTHERS
    if facts.failures_in_window >= policy.max_failures:
        return Verdict.FLAPPING
    if facts.healthy_for < policy.burn_in:
        return Verdict.BURNING_IN
    return Verdict.RETURN


def counts_as_healthy(facts, policy):
    """Whether this observation continues the burn-in (the service up, not
    forced down, disabled by masakari or not at all)."""
    return (facts.service_up and not facts.service_forced_down and
            (not facts.service_disabled or
             facts.service_disabled_reason == policy.disable_reason))


def opted_in(segment, names):
    """``[return_to_service] segments``: names or uuids, ``*`` for all."""
    return bool(segment is not None and (
        '*' in names or segment.name in names or segment.uuid in names))
