"""Small helpers shared by the API and the notifications it sends."""

from oslo_utils import strutils
from oslo_utils import timeutils

# The exact strings the API accepts for a boolean in a request body.
TRUE_STRINGS = ('True', 'TRUE', 'true', '1', 'ON', 'On', 'on',
                'YES', 'Yes', 'yes')
FALSE_STRINGS = ('False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off',
                 'NO', 'No', 'no')

_TIMESTAMP_FORMAT = '%Y-%m-%dT%H:%M:%S.%f'


def isotime(value):
    """A naive UTC datetime as ``YYYY-MM-DDTHH:MM:SS.ffffff`` (None stays)."""
    if value is None:
        return None
    return timeutils.normalize_time(value).strftime(_TIMESTAMP_FORMAT)


def parse_isotime(value):
    """An ISO 8601 string as a naive UTC datetime; ValueError if invalid."""
    if not isinstance(value, str):
        raise ValueError('%r is not a string' % (value,))
    return timeutils.normalize_time(timeutils.parse_isotime(value))


def strict_bool(value):
    """Booleans and oslo's strict boolean strings; ValueError otherwise."""
    if isinstance(value, bool):
        return value
    return strutils.bool_from_string(value, strict=True)
