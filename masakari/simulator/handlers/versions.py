"""Version discovery documents (``GET /`` and ``GET /v2.1``)."""

from __future__ import annotations

from masakari.simulator import microversion

UPDATED = '2013-07-23T11:33:21Z'


def _version(root: str) -> dict:
    return {
        'id': 'v2.1',
        'status': 'CURRENT',
        'version': microversion.to_str(microversion.MAX_VERSION),
        'min_version': microversion.to_str(microversion.MIN_VERSION),
        'updated': UPDATED,
        'links': [{'rel': 'self', 'href': '%s/v2.1/' % root}],
    }


def index(root: str) -> dict:
    """``GET /``: only v2.1 is listed; the legacy v2.0 API is not served."""
    return {'versions': [_version(root)]}


def show(ctx) -> tuple[int, dict]:
    version = _version(ctx.root)
    version['links'].append({'rel': 'describedby', 'type': 'text/html',
                             'href': 'http://docs.openstack.org/'})
    version['media-types'] = [{
        'base': 'application/json',
        'type': 'application/vnd.openstack.compute+json;version=2.1'}]
    return 200, {'version': version}
