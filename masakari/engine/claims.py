"""How an engine makes a notification its own: the kinds of claim.

Whatever brings a notification to the manager, it is claimed the same
way: one conditional UPDATE that makes this engine its owner with a lease
of ``[DEFAULT] notification_lease_seconds``, or changes nothing when
another engine (or thread) got there first. The ``Claim`` says which
notifications the UPDATE may take.
"""

import enum

from masakari.conf import CONF
from masakari.db import api as db_api
from masakari.ha import holds

# What ``claim`` returns for a notification it held instead (``.row``,
# ``.verdict``).
Held = db_api.Held


class Claim(enum.Enum):
    """What brings a notification to ``process``, and so how it is
    claimed."""

    # The API's cast of a new notification.
    NEW = 'new'
    # The periodic retry of an error, or of a new one the cast never
    # delivered; an error outcome then makes it failed.
    RETRY = 'retry'
    # Running under an engine whose lease expired (the sweep).
    EXPIRED = 'expired'
    # Running under this engine's name when it started (a restart).
    OWN = 'own'


# The statuses each claim takes a notification from (RETRY: unless the
# periodic task names the one it saw).
EXPECTED = {Claim.NEW: ('new',), Claim.RETRY: ('error', 'new'),
             Claim.EXPIRED: ('running',), Claim.OWN: ('running',)}


def claim(uuid, kind, owner, expected, message):
    """Claim notification ``uuid`` for engine ``owner``; the claimed row,
    a ``Held`` when a pause or the storm brake holds it instead (only a
    ``NEW`` or ``RETRY`` claim: one already running goes on), or None when
    it was not there to take."""
    lease_seconds = CONF.notification_lease_seconds
    if kind in (Claim.EXPIRED, Claim.OWN):
        return db_api.notification_take_over(
            uuid, owner, lease_seconds, message=message,
            own=kind is Claim.OWN)
    return db_api.notification_claim_or_hold(
        uuid, owner, lease_seconds, expected, holds.judge, message=message)
