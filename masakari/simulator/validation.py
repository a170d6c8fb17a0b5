"""Request body and query validation with Nova's error wording."""

from __future__ import annotations

from typing import Any

import jsonschema

from masakari.simulator import errors

_TRUE = {'1', 't', 'true', 'on', 'y', 'yes'}
_FALSE = {'0', 'f', 'false', 'off', 'n', 'no'}


def validate(schema: dict, body: Any) -> None:
    """400 ``Invalid input for field/attribute <f>. Value: <v>. <why>``."""
    validator = jsonschema.Draft4Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(body))
    if error is None:
        return
    if error.path:
        raise errors.BadRequest(
            'Invalid input for field/attribute %s. Value: %s. %s'
            % (error.path.pop(), error.instance, error.message))
    raise errors.BadRequest(error.message)


def bool_param(name: str, value: str | None,
               default: bool = False) -> bool:
    """A strict boolean query parameter, as oslo's bool_from_string."""
    if value is None:
        return default
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise errors.BadRequest(
        "Invalid input for query parameters %s. Value: %s. Unrecognized "
        "value '%s', acceptable values are: '0', '1', 'f', 'false', 'n', "
        "'no', 'off', 'on', 't', 'true', 'y', 'yes'" % (name, value, value))


def all_tenants(query) -> bool:
    """``all_tenants`` present means true unless it parses as false."""
    if 'all_tenants' not in query:
        return False
    value = query.get('all_tenants')
    if value == '':
        return True
    return bool_param('all_tenants', value)


def paging(query, max_limit: int) -> tuple[int, str | None]:
    """``limit`` (capped at ``max_limit``) and ``marker`` from a query."""
    limit = max_limit
    if 'limit' in query:
        try:
            limit = int(query.get('limit'))
        except (TypeError, ValueError):
            raise errors.BadRequest('limit param must be an integer')
        if limit < 0:
            raise errors.BadRequest('limit param must be positive')
        limit = min(limit, max_limit)
    return limit, query.get('marker')


HOSTNAME = {'type': 'string', 'minLength': 1, 'maxLength': 255,
            'pattern': r'^[a-zA-Z0-9-._]*$'}
BOOLEAN = {'type': ['boolean', 'string'],
           'enum': [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on',
                    'YES', 'Yes', 'yes', False, 'False', 'FALSE', 'false',
                    '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no']}


def to_bool(value: Any) -> bool:
    """Interpret a value accepted by ``BOOLEAN``."""
    if isinstance(value, bool):
        return value
    return str(value).lower() in _TRUE
