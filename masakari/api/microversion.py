"""Microversions of the instance-ha API: 1.0 to 1.6.

* 1.1: GET /notifications/{id} adds ``recovery_workflow_details``.
* 1.2: POST and PUT /segments accept ``enabled``.
* 1.3: the vmoves API (not gated, as upstream: it answers at every version).
* 1.4: GET /segments/{segment_id}/hosts/{host_id}/recovery_preview (this
  project's own; the route does not exist below 1.4: bare 404).
* 1.5: GET /segments/{segment_id}/protection, the protection check (this
  project's own; bare 404 below 1.5).
* 1.6: the storm brake (GET /storm_brakes, POST
  /storm_brakes/{segment_id}/action) and pauses of automatic recovery
  (/recovery_pauses); notifications a pause or the brake holds show
  ``status`` ``held`` and ``held_by`` (this project's own; below 1.6 the
  routes do not exist and held notifications show their stored status).

A request names its version in ``OpenStack-API-Version: instance-ha X.Y``;
without one it is 1.0. Every response of the v1 API, success or fault,
echoes the version in the same header.
"""

import re

import microversion_parse

from masakari import exception

SERVICE_TYPE = 'instance-ha'
HEADER = 'OpenStack-API-Version'
VARY_HEADER = 'Vary'

_VERSION_RE = re.compile(r'^([1-9]\d*)\.([1-9]\d*|0)$')


class Version(microversion_parse.Version):
    """``(major, minor)``, comparable to tuples, printed as ``X.Y``."""

    def at_least(self, version):
        """True when this request's version is ``version`` or later."""
        return self >= parse_string(version)


def parse_string(value):
    """``'1.2'`` as a Version; InvalidAPIVersionString (400) otherwise."""
    match = _VERSION_RE.match(value or '')
    if match is None:
        raise exception.InvalidAPIVersionString(version=value)
    return Version(int(match.group(1)), int(match.group(2)))


MIN_VERSION = Version(1, 0)
MAX_VERSION = Version(1, 6)
DEFAULT_VERSION = MIN_VERSION


def from_headers(headers):
    """The version a request asks for, checked against the supported range.

    Raises InvalidAPIVersionString (400) for a malformed version and
    InvalidGlobalAPIVersion (406) for one outside [MIN_VERSION, MAX_VERSION].
    """
    value = microversion_parse.get_version(headers, service_type=SERVICE_TYPE)
    if value is None:
        return DEFAULT_VERSION
    if value.strip().lower() == 'latest':
        return MAX_VERSION
    version = parse_string(value.strip())
    if not MIN_VERSION <= version <= MAX_VERSION:
        raise exception.InvalidGlobalAPIVersion(
            req_ver=str(version), min_ver=str(MIN_VERSION),
            max_ver=str(MAX_VERSION))
    return version


def response_headers(version):
    """The headers every v1 response carries for ``version``."""
    return [(HEADER, '%s %s' % (SERVICE_TYPE, version)),
            (VARY_HEADER, HEADER)]
