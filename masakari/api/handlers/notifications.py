"""Failure notifications from the monitors: /v1/notifications.

A notification's path: this handler stores the row (committed), then casts
``process_notification`` to the engine. When the cast fails the row stays
``new`` and the engine's periodic task picks it up, so the monitor still
gets 202 (upstream answers 500 although the row was stored).
"""

import json
import logging

from oslo_utils import uuidutils

from masakari.api import common
from masakari.api.schemas import notifications as schemas
from masakari.api import validation
from masakari.conf import CONF
from masakari.db import api as db_api
from masakari.db import models
from masakari.engine import rpcapi
from masakari import exception
from masakari import notifications
from masakari.policies import notifications as rules
from masakari import policy
from masakari import utils

LOG = logging.getLogger(__name__)


def view(notification):
    return {
        'id': notification.id,
        'notification_uuid': notification.notification_uuid,
        'type': notification.type,
        'generated_time': utils.isotime(notification.generated_time),
        'source_host_uuid': notification.source_host_uuid,
        'payload': _payload(notification.payload),
        'status': notification.status,
        'failover_segment_uuid': notification.failover_segment_uuid,
        'message': notification.message,
        'created_at': utils.isotime(notification.created_at),
        'updated_at': utils.isotime(notification.updated_at),
        'deleted_at': utils.isotime(notification.deleted_at),
        'deleted': bool(notification.deleted),
    }


def _payload(text):
    if not text:
        return {}
    try:
        return json.loads(text)
    except ValueError:
        LOG.warning('Stored notification payload is not JSON: %r', text)
        return {}


def get_notification(notification_id):
    """The notification ``notification_id``; 404 when absent."""
    if not uuidutils.is_uuid_like(notification_id):
        raise exception.NotificationNotFound(id=notification_id)
    return db_api.notification_get_by_uuid(notification_id)


def index(req):
    policy.authorize(req.context, rules.INDEX)
    filters = common.exact_filters(req.params,
                                   ('source_host_uuid', 'type', 'status'))
    if 'generated-since' in req.params:
        try:
            filters['generated-since'] = utils.parse_isotime(
                req.params['generated-since'])
        except ValueError:
            raise exception.Invalid('Invalid generated-since value')
    list_params = common.list_params(req)
    if filters.get('status', 'new') not in models.NOTIFICATION_STATUSES:
        # No row has such a status (and PostgreSQL would refuse to compare
        # an enum column with it).
        return 200, {'notifications': []}
    if common.matches_nothing(filters):
        return 200, {'notifications': []}
    rows = db_api.notification_get_all(filters=filters, **list_params)
    return 200, {'notifications': [view(n) for n in rows]}


def show(req, notification_id):
    policy.authorize(req.context, rules.DETAIL)
    notification = get_notification(notification_id)
    body = view(notification)
    if req.version.at_least('1.1'):
        body['recovery_workflow_details'] = (
            rpcapi.EngineAPI().get_notification_recovery_workflow_details(
                req.context, notification))
    return 200, {'notification': body}


def create(req):
    validation.validate(schemas.create, req.data)
    policy.authorize(req.context, rules.CREATE)
    data = req.data['notification']
    validation.validate(schemas.PAYLOADS[data['type']], data['payload'])
    host = db_api.host_get_by_name(data['hostname'])
    if host.on_maintenance:
        raise exception.HostOnMaintenanceError(
            host_name=data['hostname'], notification_type=data['type'])
    values = {
        'type': data['type'],
        'generated_time': utils.parse_isotime(data['generated_time']),
        'payload': data['payload'],
        'source_host_uuid': host.uuid,
        'failover_segment_uuid': host.failover_segment_id,
    }
    notification = notifications.around(
        notifications.notify_notification_create, req.context, None,
        dict(values, status='new'), _store, values, data['hostname'])
    try:
        rpcapi.EngineAPI().process_notification(req.context, notification)
    except Exception:
        LOG.exception('Notification %s is stored but could not be sent to '
                      'the engine; its periodic task will process it.',
                      notification.notification_uuid)
    return 202, {'notification': view(notification)}


def _store(values, hostname):
    return db_api.notification_create(
        dict(values, hostname=hostname),
        CONF.duplicate_notification_detection_interval)
