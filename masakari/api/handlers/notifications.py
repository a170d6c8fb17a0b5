"""Failure notifications from the monitors: /v1/notifications.

A notification's path: this handler validates it, then
``masakari.ha.notifications.create`` stores the row (committed) and casts
``process_notification`` to the engine.

From microversion 1.6 a notification that a pause or the storm brake holds
for an operator shows ``status`` ``held`` (and the ``status=held``
filter finds it) with ``held_by`` saying which; older versions see its
stored status (``new``, or ``error`` for a held retry) and the
``message`` that explains the wait, as upstream's clients expect.
"""

import json
import logging

from masakari.api import common
from masakari.api.schemas import notifications as schemas
from masakari.api import validation
from masakari.db import models
from masakari import exception
from masakari.ha import notifications as ha
from masakari.policies import notifications as rules
from masakari import policy
from masakari import utils

LOG = logging.getLogger(__name__)


HELD = 'held'
HELD_BY = {models.HOLD_STORM: 'storm_brake', models.HOLD_PAUSE: 'pause'}


def view(notification, version=None):
    body = _view(notification)
    if version is not None and version.at_least('1.6'):
        held_by = HELD_BY.get(notification.hold)
        body['held_by'] = held_by
        if held_by is not None:
            body['status'] = HELD
    return body


def _view(notification):
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
    if req.version.at_least('1.6') and 'status' in filters:
        # A held notification is no longer what its stored status says.
        filters['held'] = filters['status'] == HELD
        if filters['held']:
            del filters['status']
    if filters.get('status', 'new') not in models.NOTIFICATION_STATUSES:
        # No row has such a status (and PostgreSQL would refuse to compare
        # an enum column with it).
        return 200, {'notifications': []}
    if common.matches_nothing(filters):
        return 200, {'notifications': []}
    rows = ha.get_all(req.context, filters, **list_params)
    return 200, {'notifications': [view(n, req.version) for n in rows]}


def show(req, notification_id):
    policy.authorize(req.context, rules.DETAIL)
    notification = ha.get(req.context, notification_id)
    body = view(notification, req.version)
    if req.version.at_least('1.1'):
        body['recovery_workflow_details'] = ha.recovery_workflow_details(
            req.context, notification)
    return 200, {'notification': body}


def create(req):
    validation.validate(schemas.create, req.data)
    policy.authorize(req.context, rules.CREATE)
    data = req.data['notification']
    validation.validate(schemas.PAYLOADS[data['type']], data['payload'])
    notification = ha.create(
        req.context, data['hostname'], data['type'],
        utils.parse_isotime(data['generated_time']), data['payload'])
    return 202, {'notification': view(notification, req.version)}
