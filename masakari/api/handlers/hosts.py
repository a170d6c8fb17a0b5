"""Hosts of a failover segment: /v1/segments/{segment_id}/hosts."""

from oslo_utils import uuidutils

from masakari.api import common
from masakari.api.handlers import segments
from masakari.api.schemas import hosts as schemas
from masakari.api import validation
from masakari.compute import nova
from masakari.db import api as db_api
from masakari import exception
from masakari import notifications
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


def _get_host(segment_id, host_id):
    """The host ``host_id`` of an existing segment; 404 otherwise."""
    segments.get_segment(segment_id)
    if not uuidutils.is_uuid_like(host_id):
        raise exception.HostNotFound(id=host_id)
    return db_api.host_get_by_uuid(host_id, segment_uuid=segment_id)


def check_compute_host(context, name):
    """400 unless Nova has a nova-compute service on host ``name``."""
    nova.API().find_compute_service(context, name)


def index(req, segment_id):
    policy.authorize(req.context, rules.INDEX)
    segment = segments.get_segment(segment_id)
    filters = common.exact_filters(req.params,
                                   ('type', 'name', 'control_attributes'))
    for name in ('on_maintenance', 'reserved'):
        if name in req.params:
            filters[name] = common.bool_filter(req.params, name)
    filters['failover_segment_id'] = segment.uuid
    list_params = common.list_params(req)
    if common.matches_nothing(filters):
        return 200, {'hosts': []}
    hosts = db_api.host_get_all(filters=filters, **list_params)
    return 200, {'hosts': [view(h) for h in hosts]}


def show(req, segment_id, host_id):
    policy.authorize(req.context, rules.DETAIL)
    return 200, {'host': view(_get_host(segment_id, host_id))}


def create(req, segment_id):
    validation.validate(schemas.create, req.data)
    policy.authorize(req.context, rules.CREATE)
    data = req.data['host']
    segment = segments.get_segment(segment_id)
    check_compute_host(req.context, data['name'])
    values = {
        'name': data['name'],
        'type': data['type'],
        'control_attributes': data['control_attributes'],
        'reserved': utils.strict_bool(data.get('reserved', False)),
        'on_maintenance': utils.strict_bool(data.get('on_maintenance',
                                                     False)),
        'failover_segment_id': segment.uuid,
    }
    host = notifications.around(
        notifications.notify_host, req.context, 'create',
        dict(values, failover_segment=segment), db_api.host_create, values)
    return 201, {'host': view(host)}


def update(req, segment_id, host_id):
    validation.validate(schemas.update, req.data)
    policy.authorize(req.context, rules.UPDATE)
    values = dict(req.data['host'])
    for name in ('reserved', 'on_maintenance'):
        if name in values:
            values[name] = utils.strict_bool(values[name])
    host = _get_host(segment_id, host_id)
    if db_api.segment_under_recovery(host.failover_segment_id):
        raise exception.HostInUse(uuid=host.uuid, action='updated')
    if 'name' in values and values['name'] != host.name:
        check_compute_host(req.context, values['name'])
    host = notifications.around(
        notifications.notify_host, req.context, 'update', host,
        db_api.host_update, host.uuid, values,
        segment_uuid=host.failover_segment_id)
    return 200, {'host': view(host)}


def delete(req, segment_id, host_id):
    policy.authorize(req.context, rules.DELETE)
    host = _get_host(segment_id, host_id)
    notifications.around(
        notifications.notify_host, req.context, 'delete', host,
        db_api.host_delete, host.uuid, segment_uuid=host.failover_segment_id)
    return 204, None
