"""Whether the engine holds a notification instead of recovering it.

Automatic recovery waits for an operator in two cases:

* a pause (``masakari.ha.pauses``) covers the notification's segment, or
  the whole cloud: every notification that would recover something waits
  until the pause ends;
* the storm brake (``masakari.ha.storm``) holds the segment's host
  failures: the one that trips it and every later one until an operator
  releases or cancels them (``masakari.ha.storm_brakes``).

``judge`` makes that decision from the facts the database reads for it
under the segment's lock (``db_api.notification_claim_or_hold``), so it is
made once per notification whatever the number of engines. A notification
with nothing to recover (a host that started again, an event that is
ignored) is never held. A held notification keeps its status (``new``,
or ``error`` for a retry): clients older than microversion 1.6 see that
status and the ``message`` saying why it waits.
"""

import dataclasses
import json

from masakari.db import models
from masakari.engine import rules
from masakari.ha import storm

STORM_MESSAGE = (
    'Held by the storm brake: %(failed)d of the %(total)d hosts of segment '
    "'%(segment)s' (%(hosts)s) were reported failed within %(window)ss. "
    'Automatic host recovery of the segment waits for an operator to '
    'release or cancel it (POST /v1/storm_brakes/%(segment_uuid)s/action, '
    'microversion 1.6).')
STORM_ON_MESSAGE = (
    "Held by the storm brake, which is on for segment '%(segment)s': "
    'automatic host recovery of the segment waits for an operator to '
    'release or cancel it (POST /v1/storm_brakes/%(segment_uuid)s/action, '
    'microversion 1.6).')
PAUSE_MESSAGE = ('Held: automatic recovery is paused (%(scope)s): '
                 '%(reason)s. It runs when recovery is resumed.')
RESUMED_MESSAGE = 'Automatic recovery resumed; waiting for the engine.'
RELEASED_MESSAGE = ('Released from the storm brake by an operator; waiting '
                    'for the engine.')
CANCELLED_MESSAGE = ('Cancelled by an operator after the storm brake held '
                     'it; nothing was recovered: %s')


@dataclasses.dataclass(frozen=True)
class Verdict:
    """Hold the notification: ``hold`` says for what, ``message`` why.
    ``tripped``: this notification turned the storm brake on, after the
    ``failed_hosts`` (names) failed."""

    hold: str
    message: str
    tripped: bool = False
    failed_hosts: tuple = ()


def _payload(text_or_dict):
    if isinstance(text_or_dict, dict):
        return text_or_dict
    try:
        payload = json.loads(text_or_dict or '{}')
    except (TypeError, ValueError):
        return {}
    return payload if isinstance(payload, dict) else {}


def is_host_failure(notification_type, payload):
    """A confirmed host failure: what the engine evacuates a host for."""
    return rules.decide(notification_type,
                        _payload(payload)).recovery == 'host'


def judge(notification, facts, limits=None):
    """The ``Verdict`` that holds ``notification``, or None to recover it.

    ``facts`` (``db_api._HoldFacts``) answers about its segment: the
    ``pauses`` covering it, whether the brake is on (``storm_held``), the
    recent reports of its hosts and how many hosts it has.
    """
    decision = rules.decide(notification.type,
                            _payload(notification.payload))
    if decision.outcome is not None:
        return None
    if facts.pauses:
        pause = facts.pauses[0]
        scope = ('all segments' if pause.scope == models.GLOBAL_SCOPE
                 else 'segment %s' % pause.scope)
        return Verdict(models.HOLD_PAUSE, PAUSE_MESSAGE % {
            'scope': scope, 'reason': pause.reason or 'no reason given'})
    limits = limits or storm.Limits.from_conf()
    if (decision.recovery != 'host' or not limits.enabled
            or notification.hold == models.HOLD_RELEASED):
        return None
    if facts.storm_held():
        return Verdict(models.HOLD_STORM, STORM_ON_MESSAGE % {
            'segment': facts.segment_name(),
            'segment_uuid': facts.segment_uuid})
    failed = {}
    for host_uuid, name, kind, payload in facts.host_reports(limits.window):
        if is_host_failure(kind, payload):
            failed[host_uuid] = name or host_uuid
    total = facts.segment_host_count()
    if not storm.tripped(len(failed), total, limits):
        return None
    names = tuple(sorted(failed.values()))
    return Verdict(models.HOLD_STORM, STORM_MESSAGE % {
        'failed': len(failed), 'total': total,
        'segment': facts.segment_name(), 'hosts': ', '.join(names),
        'window': limits.window, 'segment_uuid': facts.segment_uuid},
        tripped=True, failed_hosts=names)
