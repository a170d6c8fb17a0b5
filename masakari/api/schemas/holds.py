"""Bodies of the storm brake action and of POST /recovery_pauses
(microversion 1.6)."""

from masakari.api.schemas import parameter_types

# Why an operator cancels or pauses: required, 1-255 printable characters.
reason = {'type': 'string', 'minLength': 1, 'maxLength': 255,
          'format': 'description'}

_only = {'type': 'array', 'items': parameter_types.uuid, 'minItems': 1,
         'uniqueItems': True}

storm_brake_action = {
    'type': 'object',
    'properties': {
        'release': {
            'type': ['object', 'null'],
            'properties': {'notifications': _only},
            'additionalProperties': False,
        },
        'cancel': {
            'type': 'object',
            'properties': {'reason': reason, 'notifications': _only},
            'required': ['reason'],
            'additionalProperties': False,
        },
    },
    'minProperties': 1,
    'maxProperties': 1,
    'additionalProperties': False,
}

create_pause = {
    'type': 'object',
    'properties': {
        'recovery_pause': {
            'type': 'object',
            'properties': {'reason': reason,
                           'segment_id': parameter_types.uuid},
            'required': ['reason'],
            'additionalProperties': False,
        },
    },
    'required': ['recovery_pause'],
    'additionalProperties': False,
}
