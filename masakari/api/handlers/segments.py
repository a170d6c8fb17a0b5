"""Failover segments: /v1/segments."""

from masakari.api import common
from masakari.api.schemas import segments as schemas
from masakari.api import validation
from masakari.db import models
from masakari.ha import segments as ha
from masakari.policies import segments as rules
from masakari import policy
from masakari import utils


def view(segment):
    return {
        'id': segment.id,
        'uuid': segment.uuid,
        'name': segment.name,
        'description': segment.description,
        'recovery_method': segment.recovery_method,
        'service_type': segment.service_type,
        'enabled': segment.enabled,
        'created_at': utils.isotime(segment.created_at),
        'updated_at': utils.isotime(segment.updated_at),
        'deleted_at': utils.isotime(segment.deleted_at),
        'deleted': bool(segment.deleted),
    }


def _schema(req, before_1_2, from_1_2):
    return from_1_2 if req.version.at_least('1.2') else before_1_2


def index(req):
    policy.authorize(req.context, rules.INDEX)
    filters = common.exact_filters(req.params,
                                   ('recovery_method', 'service_type'))
    if 'enabled' in req.params:
        filters['enabled'] = common.bool_filter(req.params, 'enabled')
    list_params = common.list_params(req)
    if filters.get('recovery_method',
                   models.RECOVERY_METHODS[0]) not in models.RECOVERY_METHODS:
        # No row can match a value outside the enum (and PostgreSQL would
        # refuse to compare an enum column with it).
        return 200, {'segments': []}
    if common.matches_nothing(filters):
        return 200, {'segments': []}
    segments = ha.get_all(req.context, filters, **list_params)
    return 200, {'segments': [view(s) for s in segments]}


def show(req, segment_id):
    policy.authorize(req.context, rules.DETAIL)
    return 200, {'segment': view(ha.get(req.context, segment_id))}


def create(req):
    validation.validate(_schema(req, schemas.create, schemas.create_v12),
                        req.data)
    policy.authorize(req.context, rules.CREATE)
    data = req.data['segment']
    values = {
        'name': data['name'],
        'recovery_method': data['recovery_method'],
        'service_type': data['service_type'],
        'description': data.get('description'),
        'enabled': utils.strict_bool(data.get('enabled', True)),
    }
    segment = ha.create(req.context, values)
    return 201, {'segment': view(segment)}


def update(req, segment_id):
    validation.validate(_schema(req, schemas.update, schemas.update_v12),
                        req.data)
    policy.authorize(req.context, rules.UPDATE)
    values = dict(req.data['segment'])
    if 'enabled' in values:
        # Upstream coerces with bool(), so "false" became true.
        values['enabled'] = utils.strict_bool(values['enabled'])
    segment = ha.update(req.context, segment_id, values)
    return 200, {'segment': view(segment)}


def delete(req, segment_id):
    policy.authorize(req.context, rules.DELETE)
    ha.delete(req.context, segment_id)
    return 204, None
