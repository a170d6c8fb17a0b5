"""Bodies of POST and PUT /segments."""

import copy

from masakari.api.schemas import parameter_types
from masakari.db import models

_segment_properties = {
    'name': parameter_types.name,
    'description': parameter_types.description,
    'recovery_method': {'type': 'string',
                        'enum': list(models.RECOVERY_METHODS)},
    'service_type': parameter_types.name,
}

create = {
    'type': 'object',
    'properties': {
        'segment': {
            'type': 'object',
            'properties': _segment_properties,
            'required': ['name', 'recovery_method', 'service_type'],
            'additionalProperties': False,
        },
    },
    'required': ['segment'],
    'additionalProperties': False,
}

update = {
    'type': 'object',
    'properties': {
        'segment': {
            'type': 'object',
            'properties': _segment_properties,
            'additionalProperties': False,
            'anyOf': [{'required': [key]} for key in _segment_properties],
        },
    },
    'required': ['segment'],
    'additionalProperties': False,
}


def _with_enabled(schema):
    """From microversion 1.2 a segment also takes ``enabled``."""
    schema = copy.deepcopy(schema)
    segment = schema['properties']['segment']
    segment['properties']['enabled'] = parameter_types.boolean
    if 'anyOf' in segment:
        segment['anyOf'].append({'required': ['enabled']})
    return schema


create_v12 = _with_enabled(create)
update_v12 = _with_enabled(update)
