"""Failure notifications: what the API accepts and stores, and what the
engine ignores.

Accepting one (``create``):

* the monitor names the source host; a host on maintenance is being
  repaired, so its notifications are refused (409
  HostOnMaintenanceError);
* a notification equal to one already stored (same host, type and
  payload) generated at most ``[DEFAULT]
  duplicate_notification_detection_interval`` seconds before it is a
  duplicate (409 DuplicateNotification). The database looks the equal
  ones up under a lock of the host's row and inserts in the same
  transaction, so of two API workers receiving the same notification
  exactly one stores it; it answers ``db_api.Refused.DUPLICATE`` and this
  module raises;
* the stored row is committed before the engine is told
  (``process_notification`` cast). When the cast fails the row stays
  ``new`` and the engine's periodic task picks it up, so the monitor still
  gets 202 (upstream answers 500 although the row was stored).

For the engine: ``ignore_for_disabled_segment`` says whether a new
notification is ignored because its segment's HA is disabled, and
``SEGMENT_DISABLED_MESSAGE`` is the message it then records.
"""

import logging

from oslo_utils import uuidutils

from masakari.conf import CONF
from masakari.db import api as db_api
from masakari.engine import rpcapi
from masakari import exception
from masakari import notifications

LOG = logging.getLogger(__name__)

# Upstream's message, spelling included (clients may match on it).
SEGMENT_DISABLED_MESSAGE = 'Recovery aboart: the segment HA is disabled.'


# --- API -------------------------------------------------------------------
def get(context, notification_uuid):
    """The notification; 404 when absent or not a uuid."""
    if not uuidutils.is_uuid_like(notification_uuid):
        raise exception.NotificationNotFound(id=notification_uuid)
    return db_api.notification_get_by_uuid(notification_uuid)


def get_all(context, filters, **list_params):
    """Notifications matching ``filters``, paged and sorted by
    ``list_params``."""
    return db_api.notification_get_all(filters=filters, **list_params)


def recovery_workflow_details(context, notification):
    """The engine's account of each recovery step (microversion 1.1)."""
    return rpcapi.EngineAPI().get_notification_recovery_workflow_details(
        context, notification)


def check_accepted_from(host, hostname, notification_type):
    """409 when ``host`` (named ``hostname`` by the monitor) is on
    maintenance: none of its notifications is accepted."""
    if host.on_maintenance:
        raise exception.HostOnMaintenanceError(
            host_name=hostname, notification_type=notification_type)


def create(context, hostname, notification_type, generated_time, payload):
    """Store a notification of the host named ``hostname`` and hand it to
    the engine; returns the stored row.

    400 when no host has that name; 409 when it is on maintenance or the
    notification is a duplicate.
    """
    host = db_api.host_get_by_name(hostname)
    check_accepted_from(host, hostname, notification_type)
    values = {
        'type': notification_type,
        'generated_time': generated_time,
        'payload': payload,
        'source_host_uuid': host.uuid,
        'failover_segment_uuid': host.failover_segment_id,
    }
    notification = notifications.around(
        notifications.notify_notification_create, context,
        dict(values, status='new'), _store, values, hostname)
    try:
        rpcapi.EngineAPI().process_notification(context, notification)
    except Exception:
        LOG.exception('Notification %s is stored but could not be sent to '
                      'the engine; its periodic task will process it.',
                      notification.notification_uuid)
    return notification


def _store(values, hostname):
    notification = db_api.notification_create(
        values, CONF.duplicate_notification_detection_interval)
    if notification is db_api.Refused.DUPLICATE:
        raise exception.DuplicateNotification(host=hostname,
                                              type=values['type'])
    return notification


# --- engine ----------------------------------------------------------------
def ignore_for_disabled_segment(host, retry=False):
    """Whether a notification from ``host`` is ignored, with
    ``SEGMENT_DISABLED_MESSAGE``, because the segment's HA is disabled.

    Only when it first arrives: a retry (the engine's periodic task) runs
    whatever the flag says now, as upstream. A notification whose host no
    longer exists is not ignored for this reason (``host`` None).
    """
    return (not retry and host is not None
            and not host.failover_segment.enabled)
