"""``/os-aggregates``: list, create, show, delete and host membership."""

from __future__ import annotations

from masakari.simulator import errors
from masakari.simulator import inventory
from masakari.simulator import validation
from masakari.simulator import views

_NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255}

CREATE = {
    'type': 'object',
    'properties': {'aggregate': {
        'type': 'object',
        'properties': {'name': _NAME,
                       'availability_zone': {'type': ['string', 'null'],
                                             'minLength': 1,
                                             'maxLength': 255}},
        'required': ['name'], 'additionalProperties': False}},
    'required': ['aggregate'], 'additionalProperties': False}


def _action_schema(name: str, inner: dict, required: list) -> dict:
    return {'type': 'object',
            'properties': {name: {'type': 'object', 'properties': inner,
                                  'required': required,
                                  'additionalProperties': False}},
            'required': [name], 'additionalProperties': False}


HOST_ACTION = {'host': validation.HOSTNAME}
SET_METADATA = _action_schema('set_metadata', {'metadata': {
    'type': 'object', 'patternProperties': {'^.{1,255}$': {
        'type': ['string', 'null'], 'maxLength': 255}},
    'additionalProperties': False}}, ['metadata'])


def index(ctx) -> tuple[int, dict]:
    with ctx.state.lock:
        return 200, {'aggregates': [
            views.aggregate(ctx, a)
            for a in ctx.state.aggregates.values()]}


def create(ctx) -> tuple[int, dict]:
    body = ctx.json()
    validation.validate(CREATE, body)
    spec = body['aggregate']
    aggregate = inventory.create_aggregate(
        ctx.state, spec['name'].strip(), spec.get('availability_zone'))
    return 200, {'aggregate': views.aggregate(ctx, aggregate, full=False)}


def show(ctx, aggregate_id: str) -> tuple[int, dict]:
    with ctx.state.lock:
        aggregate = inventory.get_aggregate(ctx.state, aggregate_id)
        return 200, {'aggregate': views.aggregate(ctx, aggregate)}


def delete(ctx, aggregate_id: str) -> tuple[int, None]:
    inventory.delete_aggregate(ctx.state, aggregate_id)
    return 200, None


def action(ctx, aggregate_id: str) -> tuple[int, dict]:
    body = ctx.json()
    if not isinstance(body, dict) or len(body) != 1:
        raise errors.BadRequest('Malformed request body')
    name = next(iter(body))
    if name in ('add_host', 'remove_host'):
        validation.validate(_action_schema(name, HOST_ACTION, ['host']),
                            body)
        operation = (inventory.add_host if name == 'add_host'
                     else inventory.remove_host)
        aggregate = operation(ctx.state, aggregate_id, body[name]['host'])
    elif name == 'set_metadata':
        validation.validate(SET_METADATA, body)
        aggregate = inventory.set_metadata(ctx.state, aggregate_id,
                                           body[name]['metadata'])
    else:
        raise errors.NotFound('The resource could not be found.')
    with ctx.state.lock:
        return 200, {'aggregate': views.aggregate(ctx, aggregate)}
