"""The operator's side of the storm brake: see, release, cancel.

While the brake of a segment is on, its host failures wait (``new``, with
``hold`` storm). An operator who finds the failures real *releases* them:
they are recovered, each exactly once, in the order they were generated.
One who finds them false (a partition, a broken monitor) *cancels* them:
they end ``ignored`` with the operator's reason, and Nova is not touched.
Either turns the brake off; failures that keep coming in trip it again.
"""

import collections
import logging

from masakari.db import api as db_api
from masakari.db import models
from masakari.engine import rpcapi
from masakari.ha import holds
from masakari import exception
from masakari import notifications

LOG = logging.getLogger(__name__)

RELEASE = 'release'
CANCEL = 'cancel'


def get_all(context):
    """The brakes that are on: per segment, its held notifications."""
    by_segment = collections.OrderedDict()
    for row in db_api.notifications_held(models.HOLD_STORM):
        by_segment.setdefault(row.failover_segment_uuid, []).append(row)
    brakes = []
    for segment_uuid, rows in by_segment.items():
        try:
            segment = db_api.segment_get_by_uuid(segment_uuid)
        except exception.NotFound:
            segment = None
        brakes.append({'segment': segment, 'segment_uuid': segment_uuid,
                       'notifications': rows,
                       'hosts': sorted({_host_name(row) for row in rows})})
    return brakes


def _host_name(row):
    try:
        return db_api.host_get_by_uuid(row.source_host_uuid).name
    except exception.NotFound:
        return row.source_host_uuid


def release(context, segment_uuid, notification_uuids=None):
    """Recover the held host failures of the segment (or those of
    ``notification_uuids``); returns them. 409 when none is held."""
    rows = db_api.notifications_settle_storm(
        segment_uuid, {'hold': models.HOLD_RELEASED,
                       'message': holds.RELEASED_MESSAGE},
        uuids=notification_uuids)
    _check_any(rows, segment_uuid)
    LOG.warning('Storm brake of segment %s released by an operator: '
                'recovering %s', segment_uuid,
                ', '.join(row.notification_uuid for row in rows))
    _announce(context, segment_uuid, rows, RELEASE, None)
    dispatch(context, rows)
    return rows


def cancel(context, segment_uuid, reason, notification_uuids=None):
    """End the held host failures of the segment ``ignored`` with
    ``reason``, without recovering them; returns them. 409 when none is
    held."""
    rows = db_api.notifications_settle_storm(
        segment_uuid, {'hold': models.HOLD_CANCELLED, 'status': 'ignored',
                       'message': holds.CANCELLED_MESSAGE % reason},
        uuids=notification_uuids)
    _check_any(rows, segment_uuid)
    LOG.warning('Storm brake of segment %s: %d held notification(s) '
                'cancelled by an operator: %s', segment_uuid, len(rows),
                reason)
    _announce(context, segment_uuid, rows, CANCEL, reason)
    return rows


def _check_any(rows, segment_uuid):
    if not rows:
        raise exception.NothingHeld(segment=segment_uuid)


def _announce(context, segment_uuid, rows, action, reason):
    segment = db_api.segment_get_by_uuid(segment_uuid)
    notifications.notify_storm_brake_off(context, {
        'segment_uuid': segment_uuid, 'segment_name': segment.name,
        'failed_hosts': sorted({_host_name(row) for row in rows}),
        'notifications': [row.notification_uuid for row in rows],
        'action': action, 'reason': reason}, notifications.END)


def dispatch(context, rows):
    """Cast ``new`` ones to the engine, oldest first; the engine's
    periodic task retries ``error`` ones (and any cast that is lost)."""
    engine = rpcapi.EngineAPI()
    for row in rows:
        if row.status != 'new':
            continue
        try:
            engine.process_notification(context, row)
        except Exception:
            LOG.exception('Could not send notification %s to the engine; '
                          'its periodic task will process it.',
                          row.notification_uuid)
