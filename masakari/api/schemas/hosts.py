"""Bodies of POST and PUT /segments/{segment_id}/hosts."""

from masakari.api.schemas import parameter_types

# ``type`` and ``control_attributes`` are NOT NULL columns: null is a 400.
_host_properties = {
    'name': parameter_types.name,
    'type': parameter_types.not_null(parameter_types.host_type),
    'control_attributes': parameter_types.not_null(
        parameter_types.description),
    'reserved': parameter_types.boolean,
    'on_maintenance': parameter_types.boolean,
}

create = {
    'type': 'object',
    'properties': {
        'host': {
            'type': 'object',
            'properties': _host_properties,
            'required': ['name', 'type', 'control_attributes'],
            'additionalProperties': False,
        },
    },
    'required': ['host'],
    'additionalProperties': False,
}

update = {
    'type': 'object',
    'properties': {
        'host': {
            'type': 'object',
            'properties': _host_properties,
            'additionalProperties': False,
            'anyOf': [{'required': [key]} for key in _host_properties],
        },
    },
    'required': ['host'],
    'additionalProperties': False,
}
