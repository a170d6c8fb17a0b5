"""Instance moves of a host recovery: /v1/notifications/{id}/vmoves.

Not gated by microversion 1.3, as upstream (openstacksdk sends none).
"""

from oslo_utils import uuidutils

from masakari.api import common
from masakari.api.handlers import notifications
from masakari.db import api as db_api
from masakari import exception
from masakari.policies import vmoves as rules
from masakari import policy
from masakari import utils


def view(vmove):
    return {
        'id': vmove.id,
        'uuid': vmove.uuid,
        'notification_uuid': vmove.notification_uuid,
        'instance_uuid': vmove.instance_uuid,
        'instance_name': vmove.instance_name,
        'source_host': vmove.source_host,
        'dest_host': vmove.dest_host,
        'start_time': utils.isotime(vmove.start_time),
        'end_time': utils.isotime(vmove.end_time),
        'type': vmove.type,
        'status': vmove.status,
        'message': vmove.message,
        'created_at': utils.isotime(vmove.created_at),
        'updated_at': utils.isotime(vmove.updated_at),
        'deleted_at': utils.isotime(vmove.deleted_at),
        'deleted': bool(vmove.deleted),
    }


def _host_notification(notification_id):
    """The notification, which must be a COMPUTE_HOST one (else 400)."""
    notification = notifications.get_notification(notification_id)
    if notification.type != 'COMPUTE_HOST':
        raise exception.NotificationWithoutVMoves(id=notification_id)
    return notification


def index(req, notification_id):
    policy.authorize(req.context, rules.INDEX)
    filters = common.exact_filters(req.params, ('status', 'type'))
    list_params = common.list_params(req)
    notification = _host_notification(notification_id)
    if common.matches_nothing(filters):
        return 200, {'vmoves': []}
    filters['notification_uuid'] = notification.notification_uuid
    vmoves = db_api.vmove_get_all(filters=filters, **list_params)
    return 200, {'vmoves': [view(v) for v in vmoves]}


def show(req, notification_id, vmove_id):
    policy.authorize(req.context, rules.DETAIL)
    notification = _host_notification(notification_id)
    if not uuidutils.is_uuid_like(vmove_id):
        raise exception.VMoveNotFound(id=vmove_id)
    vmove = db_api.vmove_get_by_uuid(
        vmove_id, notification_uuid=notification.notification_uuid)
    return 200, {'vmove': view(vmove)}
