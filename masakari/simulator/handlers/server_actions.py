"""``POST /servers/{id}/action``: evacuate, stop, start, reset, lock."""

from __future__ import annotations

import secrets

from masakari.simulator import errors
from masakari.simulator import lifecycle
from masakari.simulator import states
from masakari.simulator import validation

_EVACUATE_FIELDS = {
    'host': validation.HOSTNAME,
    'adminPass': {'type': 'string', 'maxLength': 255},
}


def _evacuate_schema(mv: tuple[int, int]) -> dict:
    """The evacuate body per microversion (onSharedStorage < 2.14,
    force only in 2.29-2.67)."""
    fields = dict(_EVACUATE_FIELDS)
    required = []
    if mv < (2, 14):
        fields['onSharedStorage'] = validation.BOOLEAN
        required.append('onSharedStorage')
    if (2, 29) <= mv < (2, 68):
        fields['force'] = validation.BOOLEAN
    inner = {'type': 'object', 'properties': fields,
             'additionalProperties': False}
    if required:
        inner['required'] = required
    return {'type': 'object', 'properties': {'evacuate': inner},
            'required': ['evacuate'], 'additionalProperties': False}


RESET_STATE = {
    'type': 'object',
    'properties': {'os-resetState': {
        'type': 'object',
        'properties': {'state': {'type': 'string',
                                 'enum': ['active', 'error']}},
        'required': ['state'], 'additionalProperties': False}},
    'required': ['os-resetState'], 'additionalProperties': False}

LOCK_WITH_REASON = {
    'type': 'object',
    'properties': {'lock': {
        'type': ['object', 'null'],
        'properties': {'locked_reason': {'type': 'string', 'minLength': 1,
                                         'maxLength': 255}},
        'additionalProperties': False}},
    'required': ['lock'], 'additionalProperties': False}


def evacuate(ctx, server_id: str, body: dict) -> tuple[int, dict | None]:
    """200; ``adminPass`` in the body only below 2.14."""
    validation.validate(_evacuate_schema(ctx.mv), body)
    args = body['evacuate']
    lifecycle.evacuate(
        ctx.state, server_id, ctx.caller(), host=args.get('host'),
        force=validation.to_bool(args.get('force', False)),
        lands_stopped=ctx.mv >= (2, 95))
    if ctx.mv < (2, 14):
        return 200, {'adminPass': args.get('adminPass') or
                     secrets.token_urlsafe(9)}
    return 200, None


def stop(ctx, server_id: str, body: dict) -> tuple[int, None]:
    lifecycle.stop(ctx.state, server_id, ctx.caller())
    return 202, None


def start(ctx, server_id: str, body: dict) -> tuple[int, None]:
    lifecycle.start(ctx.state, server_id, ctx.caller())
    return 202, None


def reset_state(ctx, server_id: str, body: dict) -> tuple[int, None]:
    validation.validate(RESET_STATE, body)
    wanted = body['os-resetState']['state']
    lifecycle.reset_state(ctx.state, server_id,
                          states.ACTIVE if wanted == 'active'
                          else states.ERROR)
    return 202, None


def lock(ctx, server_id: str, body: dict) -> tuple[int, None]:
    reason = None
    if ctx.mv >= (2, 73):
        validation.validate(LOCK_WITH_REASON, body)
        reason = (body['lock'] or {}).get('locked_reason')
    lifecycle.lock(ctx.state, server_id, ctx.caller(), reason)
    return 202, None


def unlock(ctx, server_id: str, body: dict) -> tuple[int, None]:
    lifecycle.unlock(ctx.state, server_id, ctx.caller())
    return 202, None


ACTIONS = {
    'evacuate': evacuate,
    'os-stop': stop,
    'os-start': start,
    'os-resetState': reset_state,
    'lock': lock,
    'unlock': unlock,
}


def dispatch(ctx, server_id: str):
    """Pick the action from the body's single key, as Nova does."""
    body = ctx.json()
    if not isinstance(body, dict) or len(body) != 1:
        raise errors.BadRequest('Malformed request body')
    handler = ACTIONS.get(next(iter(body)))
    if handler is None:
        raise errors.NotFound('The resource could not be found.')
    return handler(ctx, server_id, body)
