"""Pausing automatic recovery, for planned maintenance of the cloud.

While a pause covers a segment (a pause of the whole cloud covers all),
notifications keep being accepted and stored, but the engine holds every
one that would recover something instead of running it. Resuming ends the
pause and sends what it held to the engine, oldest first. The pause is a
row in the database, so every engine sees it and it survives restarts.
"""

import logging

from masakari.db import api as db_api
from masakari.db import models
from masakari.ha import holds
from masakari.ha import storm_brakes
from masakari import exception
from masakari import notifications

LOG = logging.getLogger(__name__)


def get_all(context):
    return db_api.pause_get_all()


def get(context, pause_uuid):
    return db_api.pause_get_by_uuid(pause_uuid)


def held_count(pause):
    """How many notifications wait for this pause (or another covering
    the same segments)."""
    rows = db_api.notifications_held(models.HOLD_PAUSE)
    if pause.scope == models.GLOBAL_SCOPE:
        return len(rows)
    return sum(1 for row in rows if row.failover_segment_uuid == pause.scope)


def pause(context, reason, segment_uuid=None):
    """Pause automatic recovery of the segment, or of all; the pause row.
    404 for an unknown segment, 409 when that scope is paused already."""
    scope = segment_uuid or models.GLOBAL_SCOPE
    created = db_api.pause_create(scope, reason)
    if created is db_api.Refused.DUPLICATE:
        raise exception.RecoveryAlreadyPaused(
            scope='all segments' if scope == models.GLOBAL_SCOPE
            else 'segment %s' % scope)
    LOG.warning('Automatic recovery paused for %s: %s',
                'all segments' if scope == models.GLOBAL_SCOPE
                else 'segment %s' % scope, reason)
    notifications.notify_recovery_pause(context, created, notifications.END)
    return created


def resume(context, pause_uuid):
    """End the pause; the notifications it held go to the engine, oldest
    first. Returns them."""
    pause_row = db_api.pause_get_by_uuid(pause_uuid)
    rows = db_api.pause_delete(pause_uuid, holds.RESUMED_MESSAGE)
    LOG.warning('Automatic recovery resumed for %s: %d held '
                'notification(s) sent to the engine',
                'all segments' if pause_row.scope == models.GLOBAL_SCOPE
                else 'segment %s' % pause_row.scope, len(rows))
    notifications.notify_recovery_resume(context, {
        'uuid': pause_row.uuid, 'scope': pause_row.scope,
        'reason': pause_row.reason,
        'notifications': [row.notification_uuid for row in rows]},
        notifications.END)
    storm_brakes.dispatch(context, rows)
    return rows
