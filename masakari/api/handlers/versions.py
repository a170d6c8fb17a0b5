"""Version discovery: GET / (no auth, outside /v1) and GET /v1."""

import copy
import json
from urllib import parse

import webob

from masakari.api import microversion
from masakari.conf import CONF

VERSIONS = {
    'v1.0': {
        'id': 'v1.0',
        'status': 'CURRENT',
        'version': str(microversion.MAX_VERSION),
        'min_version': str(microversion.MIN_VERSION),
        'updated': '2016-07-01T11:33:21Z',
        'links': [
            {'rel': 'describedby', 'type': 'text/html',
             'href': 'https://docs.openstack.org/'},
        ],
        'media-types': [
            {'base': 'application/json',
             'type': 'application/vnd.openstack.masakari+json;version=1'},
        ],
    },
}


def _base_url(req):
    """The request's application URL, behind ``osapi_masakari_link_prefix``
    when set (its scheme and host replace the request's, its path is put in
    front)."""
    url = req.application_url
    prefix = CONF.osapi_masakari_link_prefix
    if not prefix:
        return url.rstrip('/')
    url_parts = list(parse.urlsplit(url))
    prefix_parts = parse.urlsplit(prefix)
    url_parts[0:2] = prefix_parts[0:2]
    url_parts[2] = prefix_parts[2].rstrip('/') + url_parts[2]
    return parse.urlunsplit(url_parts).rstrip('/')


def _v1_href(base_url, path=''):
    path = path.strip('/')
    if path:
        return '%s/v1/%s' % (base_url, path)
    return '%s/v1/' % base_url


def versions_document(req):
    base_url = _base_url(req)
    return {'versions': [
        {'id': v['id'], 'status': v['status'], 'version': v['version'],
         'min_version': v['min_version'], 'updated': v['updated'],
         'links': [{'rel': 'self', 'href': _v1_href(base_url)}]}
        for _key, v in sorted(VERSIONS.items())]}


def choices_document(req):
    base_url = _base_url(req)
    return {'choices': [
        {'id': v['id'], 'status': v['status'],
         'links': [{'rel': 'self', 'href': _v1_href(base_url, req.path_info)}],
         'media-types': copy.deepcopy(v['media-types'])}
        for _key, v in sorted(VERSIONS.items())]}


def show_v1(req):
    """GET /v1: the document of version 1 (no policy check, as upstream)."""
    version = copy.deepcopy(VERSIONS['v1.0'])
    version['links'].insert(0, {'rel': 'self',
                                'href': _base_url(req) + '/'})
    return 200, {'version': version}


class Versions:
    """The root app: GET / lists the versions, other paths get 300."""

    @classmethod
    def factory(cls, global_config, **local_config):
        return cls()

    def __call__(self, environ, start_response):
        req = webob.Request(environ)
        if req.path_info in ('', '/'):
            status, body = 200, versions_document(req)
        else:
            status, body = 300, choices_document(req)
        response = webob.Response(status=status, charset=None,
                                  content_type='application/json')
        response.body = json.dumps(body).encode('utf-8')
        return response(environ, start_response)
