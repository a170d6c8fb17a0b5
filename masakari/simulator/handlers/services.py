"""``/os-services``: list with filters and update (2.53 by uuid)."""

from __future__ import annotations

import time

from masakari.simulator import errors
from masakari.simulator import inventory
from masakari.simulator import validation
from masakari.simulator import views

UPDATE_V253 = {
    'type': 'object',
    'properties': {
        'status': {'type': 'string', 'enum': ['enabled', 'disabled']},
        'disabled_reason': {'type': 'string', 'minLength': 1,
                            'maxLength': 255},
        'forced_down': validation.BOOLEAN,
    },
    'additionalProperties': False,
}

_HOST_BINARY = {'host': validation.HOSTNAME,
                'binary': {'type': 'string', 'minLength': 1,
                           'maxLength': 255}}


def _legacy_schema(extra: dict) -> dict:
    fields = {**_HOST_BINARY, **extra}
    return {'type': 'object', 'properties': fields,
            'required': sorted(fields), 'additionalProperties': False}


LEGACY = {
    'enable': _legacy_schema({}),
    'disable': _legacy_schema({}),
    'disable-log-reason': _legacy_schema({'disabled_reason': {
        'type': 'string', 'minLength': 1, 'maxLength': 255}}),
    'force-down': _legacy_schema({'forced_down': validation.BOOLEAN}),
}


def index(ctx) -> tuple[int, dict]:
    query = ctx.req.GET
    with ctx.state.lock:
        found = inventory.all_services(ctx.state)
        if 'host' in query:
            found = [s for s in found
                     if inventory.host_of(s) == query.get('host')]
        if 'binary' in query:
            found = [s for s in found
                     if inventory.binary_of(s) == query.get('binary')]
        return 200, {'services': [views.service(ctx, ctx.state, s)
                                  for s in found]}


def update(ctx, service_id: str) -> tuple[int, dict]:
    """2.53+: ``service_id`` is the uuid; below, it names an action.

    When the compute is dead but still reported up, Nova's API blocks on
    an RPC call until it times out; the change is stored first.
    """
    body = ctx.json()
    if ctx.mv < (2, 53):
        return _update_legacy(ctx, service_id, body)
    validation.validate(UPDATE_V253, body)
    if 'forced_down' in body:
        body['forced_down'] = validation.to_bool(body['forced_down'])
    host, delay = inventory.update_service(ctx.state, service_id, body)
    if delay:
        time.sleep(delay)
    with ctx.state.lock:
        return 200, {'service': views.service(ctx, ctx.state, host)}


def _update_legacy(ctx, action: str, body: dict) -> tuple[int, dict]:
    schema = LEGACY.get(action)
    if schema is None or (action == 'force-down' and ctx.mv < (2, 11)):
        raise errors.NotFound('Unknown action')
    validation.validate(schema, body)
    if 'forced_down' in body:
        body['forced_down'] = validation.to_bool(body['forced_down'])
    service, delay = inventory.update_service_legacy(ctx.state, action,
                                                     body)
    if delay:
        time.sleep(delay)
    return 200, {'service': service}
