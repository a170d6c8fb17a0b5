"""Compute API microversions: parse the request headers, compare versions.

Nova reads ``OpenStack-API-Version: compute X.Y`` and, failing that, the
legacy ``X-OpenStack-Nova-API-Version: X.Y``; no header means 2.1 and
``latest`` means the maximum. Both headers are echoed on every response.
"""

from __future__ import annotations

import re

from masakari.simulator import errors

Version = tuple[int, int]

MIN_VERSION: Version = (2, 1)
MAX_VERSION: Version = (2, 96)

_VERSION_RE = re.compile(r'^([1-9]\d*)\.([1-9]\d*|0)$')


def to_str(version: Version) -> str:
    return '%d.%d' % version


def parse(value: str) -> Version:
    match = _VERSION_RE.match(value.strip())
    if not match:
        raise errors.BadRequest('API Version String %s is of invalid '
                                'format. Must be of format MajorNum.MinorNum.'
                                % value)
    return int(match.group(1)), int(match.group(2))


def _from_new_header(header: str) -> str | None:
    found = None
    for item in header.split(','):
        parts = item.strip().split(None, 1)
        if len(parts) == 2 and parts[0].lower() == 'compute':
            found = parts[1].strip()
    return found


def requested(headers) -> Version:
    """The version a request asks for; 400/406 like Nova when invalid."""
    value = None
    header = headers.get('OpenStack-API-Version')
    if header:
        value = _from_new_header(header)
    if value is None:
        value = headers.get('X-OpenStack-Nova-API-Version')
    if not value:
        return MIN_VERSION
    if value.strip().lower() == 'latest':
        return MAX_VERSION
    version = parse(value)
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise errors.NotAcceptable(
            'Version %s is not supported by the API. Minimum is %s and '
            'maximum is %s.' % (value.strip(), to_str(MIN_VERSION),
                                to_str(MAX_VERSION)))
    return version


def response_headers(version: Version) -> list[tuple[str, str]]:
    text = to_str(version)
    return [('OpenStack-API-Version', 'compute %s' % text),
            ('X-OpenStack-Nova-API-Version', text),
            ('Vary', 'OpenStack-API-Version, X-OpenStack-Nova-API-Version')]
