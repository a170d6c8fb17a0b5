"""Instance moves of a host recovery: /v1/notifications/{id}/vmoves.

Not gated by microversion 1.3, as upstream (openstacksdk sends none).
"""

from masakari.api import common
from masakari.ha import vmoves as ha
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


def index(req, notification_id):
    policy.authorize(req.context, rules.INDEX)
    filters = common.exact_filters(req.params, ('status', 'type'))
    list_params = common.list_params(req)
    notification = ha.host_notification(req.context, notification_id)
    if common.matches_nothing(filters):
        return 200, {'vmoves': []}
    vmoves = ha.get_all(req.context, notification, filters, **list_params)
    return 200, {'vmoves': [view(v) for v in vmoves]}


def show(req, notification_id, vmove_id):
    policy.authorize(req.context, rules.DETAIL)
    vmove = ha.get(req.context, notification_id, vmove_id)
    return 200, {'vmove': view(vmove)}
