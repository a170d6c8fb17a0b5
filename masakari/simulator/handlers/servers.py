"""``/servers``: list, show, boot, delete and metadata."""

from __future__ import annotations

import re
import secrets
from urllib import parse

from masakari.simulator import errors
from masakari.simulator import flavors
from masakari.simulator import lifecycle
from masakari.simulator import states
from masakari.simulator import validation
from masakari.simulator import views

_METADATA = {'type': 'object',
             'patternProperties': {
                 '^[a-zA-Z0-9-_:. ]{1,255}$': {'type': 'string',
                                               'maxLength': 255}},
             'additionalProperties': False}

CREATE = {
    'type': 'object',
    'properties': {'server': {
        'type': 'object',
        'properties': {
            'name': {'type': 'string', 'minLength': 1, 'maxLength': 255},
            'imageRef': {'type': 'string'},
            'flavorRef': {'type': ['string', 'integer'], 'minLength': 1},
            'networks': {'oneOf': [
                {'type': 'array'},
                {'type': 'string', 'enum': ['none', 'auto']}]},
            'metadata': _METADATA,
            'availability_zone': {'type': 'string', 'minLength': 1,
                                  'maxLength': 255},
            'min_count': {'type': ['integer', 'string'],
                          'pattern': '^[0-9]+$', 'minimum': 1},
            'max_count': {'type': ['integer', 'string'],
                          'pattern': '^[0-9]+$', 'minimum': 1},
            'host': validation.HOSTNAME,
        },
        'required': ['name', 'flavorRef'],
    }},
    'required': ['server'],
    'additionalProperties': False,
}

METADATA_BODY = {'type': 'object', 'properties': {'metadata': _METADATA},
                 'required': ['metadata'], 'additionalProperties': False}
METADATA_ITEM = {'type': 'object', 'properties': {'meta': {
    **_METADATA, 'minProperties': 1, 'maxProperties': 1}},
    'required': ['meta'], 'additionalProperties': False}


# -- list --

def index(ctx) -> tuple[int, dict]:
    return _list(ctx, detail=False)


def detail(ctx) -> tuple[int, dict]:
    return _list(ctx, detail=True)


def _matches_name(pattern: str, name: str) -> bool:
    try:
        return re.search(pattern, name) is not None
    except re.error:
        return False


def _list(ctx, detail: bool) -> tuple[int, dict]:
    """Nova's list filters for an admin, newest first, with paging.

    Without ``all_tenants`` the list is limited to the caller's project
    when the request names one (URL prefix or X-Project-Id header).
    """
    query = ctx.req.GET
    limit, marker = validation.paging(query, ctx.state.settings.max_limit)
    everyone = validation.all_tenants(query)
    with ctx.state.lock:
        found = ctx.state.sorted_servers()
        project = None if everyone else ctx.project_id
        if everyone:
            project = query.get('project_id') or query.get('tenant_id')
        if project:
            found = [s for s in found if s.tenant_id == project]
        if 'host' in query:
            found = [s for s in found if s.host == query.get('host')]
        if 'node' in query:
            found = [s for s in found if s.host == query.get('node')]
        if 'name' in query:
            found = [s for s in found
                     if _matches_name(query.get('name'), s.name)]
        if 'status' in query:
            vm_states, task_states = states.filter_for_status(
                query.getall('status'))
            found = [s for s in found if s.vm_state in vm_states and
                     (task_states is None or s.task_state in task_states)]
        if 'flavor' in query:
            found = [s for s in found if s.flavor.id == query.get('flavor')]
        if marker:
            anchor = ctx.state.servers.get(marker)
            if anchor is None:
                raise errors.BadRequest('marker [%s] not found' % marker)
            found = [s for s in found if s.num < anchor.num]
        page = found[:limit]
        if detail:
            items = [views.server(ctx, ctx.state, s) for s in page]
        else:
            items = [views.server_summary(ctx, s) for s in page]
    body: dict = {'servers': items}
    if page and len(page) == limit:
        params = [(k, v) for k, v in query.items() if k != 'marker']
        params.append(('marker', page[-1].id))
        path = 'servers/detail' if detail else 'servers'
        body['servers_links'] = [{
            'rel': 'next',
            'href': '%s?%s' % (ctx.url(path), parse.urlencode(params))}]
    return 200, body


def show(ctx, server_id: str) -> tuple[int, dict]:
    with ctx.state.lock:
        server = ctx.state.get_server(server_id)
        return 200, {'server': views.server(ctx, ctx.state, server)}


# -- boot and delete --

def _placement(zone_spec: str | None) -> tuple[str | None, str | None]:
    """Split ``availability_zone`` ``zone[:host[:node]]`` (admin forcing)."""
    if not zone_spec:
        return None, None
    zone, _, rest = zone_spec.partition(':')
    host, _, node = rest.partition(':')
    return zone or None, host or node or None


def create(ctx) -> tuple[int, dict, list]:
    body = ctx.json()
    validation.validate(CREATE, body)
    spec = body['server']
    if ctx.mv >= (2, 37) and 'networks' not in spec:
        raise errors.BadRequest(
            "Invalid input for field/attribute server. Value: %s. "
            "'networks' is a required property" % spec)
    if ctx.mv < (2, 74) and 'host' in spec:
        raise errors.BadRequest("Additional properties are not allowed "
                                "('host' was unexpected)")
    flavor = flavors.FLAVORS.get(str(spec['flavorRef']).rsplit('/', 1)[-1])
    if flavor is None:
        raise errors.BadRequest('Invalid flavorRef provided.')
    image = (spec.get('imageRef') or '').rsplit('/', 1)[-1]
    if not image:
        raise errors.BadRequest('Can not find requested image')
    count = int(spec.get('max_count') or spec.get('min_count') or 1)
    zone, forced_host = _placement(spec.get('availability_zone'))
    created = lifecycle.boot(
        ctx.state, ctx.caller(), name=spec['name'], flavor=flavor,
        image_id=image, metadata=spec.get('metadata'), zone=zone,
        forced_host=forced_host, requested_host=spec.get('host'),
        count=count)
    first = created[0]
    links = ctx.links('servers', first.id)
    return 202, {'server': {
        'id': first.id, 'links': links, 'OS-DCF:diskConfig': 'MANUAL',
        'security_groups': [{'name': 'default'}],
        'adminPass': secrets.token_urlsafe(9)}}, [
        ('Location', links[0]['href'])]


def delete(ctx, server_id: str) -> tuple[int, None]:
    lifecycle.delete(ctx.state, server_id, ctx.caller())
    return 204, None


# -- metadata --

def metadata_index(ctx, server_id: str) -> tuple[int, dict]:
    with ctx.state.lock:
        return 200, {'metadata': dict(
            ctx.state.get_server(server_id).metadata)}


def metadata_update(ctx, server_id: str) -> tuple[int, dict]:
    """POST merges, PUT replaces the whole set."""
    body = ctx.json()
    validation.validate(METADATA_BODY, body)
    replace = ctx.req.method == 'PUT'
    merged = lifecycle.update_metadata(ctx.state, server_id,
                                       body['metadata'], replace=replace)
    return 200, {'metadata': merged}


def metadata_show(ctx, server_id: str, key: str) -> tuple[int, dict]:
    with ctx.state.lock:
        metadata = ctx.state.get_server(server_id).metadata
        if key not in metadata:
            raise errors.NotFound('Metadata item was not found')
        return 200, {'meta': {key: metadata[key]}}


def metadata_set(ctx, server_id: str, key: str) -> tuple[int, dict]:
    body = ctx.json()
    validation.validate(METADATA_ITEM, body)
    if key not in body['meta']:
        raise errors.BadRequest('Request body and URI mismatch')
    lifecycle.update_metadata(ctx.state, server_id, body['meta'])
    return 200, {'meta': body['meta']}


def metadata_delete(ctx, server_id: str, key: str) -> tuple[int, None]:
    lifecycle.delete_metadata_item(ctx.state, server_id, key)
    return 204, None
