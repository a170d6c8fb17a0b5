"""What the engine says when it holds a notification for an operator.

The storm brake turning on is what an operator must not miss: a WARNING
naming the segment and the failed hosts, and ``segment.storm_brake.start``.
Every held notification gets a WARNING and ``notification.hold.end``.
"""

from oslo_log import log as logging

from masakari.db import models
from masakari import notifications

LOG = logging.getLogger(__name__)


def report(context, held, host):
    """Log and announce ``held`` (a ``claims.Held``) of source ``host``."""
    row, verdict = held.row, held.verdict
    segment_uuid = row.failover_segment_uuid
    host_name = host.name if host is not None else row.source_host_uuid
    if verdict.tripped:
        segment_name = (host.failover_segment.name if host is not None
                        else segment_uuid)
        LOG.warning('Storm brake ON for segment %s (%s): hosts %s were '
                    'reported failed within a short time; automatic host '
                    'recovery of this segment is held until an operator '
                    'releases or cancels it (notification %s of host %s '
                    'held)', segment_name, segment_uuid,
                    ', '.join(verdict.failed_hosts), row.notification_uuid,
                    host_name)
        _emit(notifications.notify_storm_brake_on, context, {
            'segment_uuid': segment_uuid, 'segment_name': segment_name,
            'failed_hosts': list(verdict.failed_hosts),
            'notifications': [row.notification_uuid]}, 'start')
    elif verdict.hold == models.HOLD_STORM:
        LOG.warning('Storm brake of segment %s holds notification %s of '
                    'host %s', segment_uuid, row.notification_uuid,
                    host_name)
    else:
        LOG.warning('Recovery paused: notification %s of host %s (segment '
                    '%s) held until recovery is resumed',
                    row.notification_uuid, host_name, segment_uuid)
    _emit(notifications.notify_notification_hold, context, row, 'end')


def _emit(notify, context, subject, phase):
    try:
        notify(context, subject, phase)
    except Exception:  # never fails the engine
        LOG.exception('Could not emit a hold notification')
