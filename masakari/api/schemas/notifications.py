"""Body of POST /notifications and the payload schema of each type.

The generic schema is checked before the policy, the type-specific payload
schema after it (as upstream).
"""

from masakari.api.schemas import parameter_types

TYPES = ('COMPUTE_HOST', 'VM', 'PROCESS')
EVENTS = ('STARTED', 'STOPPED')

create = {
    'type': 'object',
    'properties': {
        'notification': {
            'type': 'object',
            'properties': {
                'type': {'type': 'string', 'enum': list(TYPES)},
                'hostname': parameter_types.hostname,
                'generated_time': parameter_types.date_time,
                'payload': {
                    'type': 'object',
                    'patternProperties': {
                        '^[a-zA-Z0-9-_:. ]{1,255}$': {
                            'type': 'string', 'maxLength': 255},
                    },
                    'additionalProperties': False,
                },
            },
            'required': ['type', 'hostname', 'generated_time', 'payload'],
            'additionalProperties': False,
        },
    },
    'required': ['notification'],
    'additionalProperties': False,
}

compute_host_payload = {
    'type': 'object',
    'properties': {
        'event': {'type': 'string', 'enum': list(EVENTS)},
        'host_status': {'type': 'string', 'enum': ['NORMAL', 'UNKNOWN']},
        'cluster_status': {'type': 'string', 'enum': ['ONLINE', 'OFFLINE']},
    },
    'required': ['event'],
    'additionalProperties': False,
}

process_payload = {
    'type': 'object',
    'properties': {
        'process_name': {'type': 'string', 'minLength': 1,
                         'maxLength': 4096},
        'event': {'type': 'string', 'enum': list(EVENTS)},
    },
    'required': ['process_name', 'event'],
    'additionalProperties': False,
}

vm_payload = {
    'type': 'object',
    'properties': {
        'instance_uuid': parameter_types.uuid,
        'vir_domain_event': {'type': 'string', 'minLength': 1,
                             'maxLength': 255},
        'event': {'type': 'string', 'minLength': 1, 'maxLength': 255},
    },
    'required': ['instance_uuid', 'vir_domain_event', 'event'],
    'additionalProperties': False,
}

PAYLOADS = {
    'COMPUTE_HOST': compute_host_payload,
    'PROCESS': process_payload,
    'VM': vm_payload,
}
