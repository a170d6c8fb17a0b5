"""Hosts of a failover segment: /v1/segments/{segment_id}/hosts."""

from masakari.api import common
from masakari.api.handlers import segments
from masakari.api.schemas import hosts as schemas
from masakari.api import validation
from masakari.ha import hosts as ha
from masakari.ha import segments as ha_segments
from masakari.policies import hosts as rules
from masakari import policy
from masakari import utils


def view(host):
    return {
        'id': host.id,
        'uuid': host.uuid,
        'name': host.name,
        'failover_segment_id': host.failover_segment_id,
        'failover_segment': segments.view(host.failover_segment),
        'type': host.type,
        'reserved': host.reserved,
        'control_attributes': host.control_attributes,
        'on_maintenance': host.on_maintenance,
        'created_at': utils.isotime(host.created_at),
        'updated_at': utils.isotime(host.updated_at),
        'deleted_at': utils.isotime(host.deleted_at),
        'deleted': bool(host.deleted),
    }


def index(req, segment_id):
    policy.authorize(req.context, rules.INDEX)
    segment = ha_segments.get(req.context, segment_id)
    filters = common.exact_filters(req.params,
                                   ('type', 'name', 'control_attributes'))
    for name in ('on_maintenance', 'reserved'):
        if name in req.params:
            filters[name] = common.bool_filter(req.params, name)
    list_params = common.list_params(req)
    if common.matches_nothing(filters):
        return 200, {'hosts': []}
    hosts = ha.get_all(req.context, segment.uuid, filters, **list_params)
    return 200, {'hosts': [view(h) for h in hosts]}


def show(req, segment_id, host_id):
    policy.authorize(req.context, rules.DETAIL)
    return 200, {'host': view(ha.get(req.context, segment_id, host_id))}


def create(req, segment_id):
    validation.validate(schemas.create, req.data)
    policy.authorize(req.context, rules.CREATE)
    data = req.data['host']
    values = {
        'name': data['name'],
        'type': data['type'],
        'control_attributes': data['control_attributes'],
        'reserved': utils.strict_bool(data.get('reserved', False)),
        'on_maintenance': utils.strict_bool(data.get('on_maintenance',
                                                     False)),
    }
    host = ha.create(req.context, segment_id, values)
    return 201, {'host': view(host)}


def update(req, segment_id, host_id):
    validation.validate(schemas.update, req.data)
    policy.authorize(req.context, rules.UPDATE)
    values = dict(req.data['host'])
    for name in ('reserved', 'on_maintenance'):
        if name in values:
            values[name] = utils.strict_bool(values[name])
    host = ha.update(req.context, segment_id, host_id, values)
    return 200, {'host': view(host)}


def delete(req, segment_id, host_id):
    policy.authorize(req.context, rules.DELETE)
    ha.delete(req.context, segment_id, host_id)
    return 204, None
