"""Instance moves of a host recovery: read only, and only a COMPUTE_HOST
notification has them (400 NotificationWithoutVMoves for another type)."""

from oslo_utils import uuidutils

from masakari.db import api as db_api
from masakari import exception
from masakari.ha import notifications

HOST_FAILURE = 'COMPUTE_HOST'


def host_notification(context, notification_uuid):
    """The notification, which must be of a host failure; 404 when
    absent, 400 for another type."""
    notification = notifications.get(context, notification_uuid)
    if notification.type != HOST_FAILURE:
        raise exception.NotificationWithoutVMoves(id=notification_uuid)
    return notification


def get_all(context, notification, filters, **list_params):
    """The moves of ``notification`` (a row from ``host_notification``)
    matching ``filters``, paged and sorted by ``list_params``."""
    filters = dict(filters,
                   notification_uuid=notification.notification_uuid)
    return db_api.vmove_get_all(filters=filters, **list_params)


def get(context, notification_uuid, vmove_uuid):
    """One move of the host notification; 404 when absent."""
    notification = host_notification(context, notification_uuid)
    if not uuidutils.is_uuid_like(vmove_uuid):
        raise exception.VMoveNotFound(id=vmove_uuid)
    return db_api.vmove_get_by_uuid(
        vmove_uuid, notification_uuid=notification.notification_uuid)
