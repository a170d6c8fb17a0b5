"""Schema fragments shared by the resource schemas: names, descriptions,
host types, the booleans the server parses strictly, monitor host names."""

import copy

from masakari import utils

# 1-255 printable characters, no leading or trailing whitespace.
name = {
    'type': 'string', 'minLength': 1, 'maxLength': 255,
    'format': 'name',
}

# Free text (no length limit), printable characters and newlines, or null.
description = {
    'type': ['string', 'null'], 'minLength': 0,
    'format': 'description',
}

# Host types are alphanumeric: COMPUTE, but not COMPUTE_HOST.
host_type = {
    'type': ['string', 'null'], 'minLength': 0, 'maxLength': 255,
    'pattern': '^[a-zA-Z0-9]*$',
}

# JSON booleans or the exact strings oslo's strict parse understands.
boolean = {
    'type': ['boolean', 'string'],
    'enum': [True, False] + list(utils.TRUE_STRINGS) +
    list(utils.FALSE_STRINGS),
}

hostname = {
    'type': 'string', 'minLength': 1, 'maxLength': 255,
    'pattern': '^[a-zA-Z0-9-._]*$',
}

uuid = {'type': 'string', 'format': 'uuid'}

date_time = {'type': 'string', 'format': 'date-time'}


def not_null(fragment):
    """``fragment`` without ``null`` among its types.

    Upstream lets null through to a database error (500) where a column is
    NOT NULL; this project answers 400 instead.
    """
    fragment = copy.deepcopy(fragment)
    fragment['type'] = [t for t in fragment['type'] if t != 'null']
    return fragment
