"""The v1 API: one route table and the dispatcher that serves it.

``ROUTES`` maps every URL template (relative to ``/v1``) to its handlers by
HTTP method; the whole API surface is on this screen. Each template is also
reachable behind a project id, ``/v1/{project_id}/segments``, except the
version document itself.

For a request the dispatcher, in order:

1. matches the path (``.json`` suffix allowed); no match → bare 404;
2. reads the microversion → 400 malformed, 406 out of range; a route
   newer than it (``Since``) → the same bare 404 as no match;
3. checks the Content-Type → 415;
4. finds the handler for the method → 405;
5. parses a POST/PUT body → 400 when it is not JSON;
6. checks the project id of the URL against the caller's → 400;
7. calls ``handler(req, **url_args)``, which returns ``(status, body)``.

Any error becomes a fault body; success and fault responses both carry
``OpenStack-API-Version: instance-ha X.Y`` and ``Vary``.
"""

import json
import logging
import re

import webob

from masakari.api import auth
from masakari.api import faults
from masakari.api.handlers import extensions
from masakari.api.handlers import hosts
from masakari.api.handlers import notifications
from masakari.api.handlers import protection
from masakari.api.handlers import recovery_pauses
from masakari.api.handlers import segments
from masakari.api.handlers import storm_brakes
from masakari.api.handlers import versions
from masakari.api.handlers import vmoves
from masakari.api import microversion
from masakari.conf import CONF
from masakari import context as masakari_context
from masakari import exception

LOG = logging.getLogger(__name__)

class Since(dict):
    """The handlers of a route that exists from microversion ``version``
    on; a request at an older version gets the bare 404 of a path that
    matches no route."""

    def __init__(self, version, handlers):
        super().__init__(handlers)
        self.min_version = microversion.parse_string(version)


ROUTES = {
    '': {'GET': versions.show_v1},
    '/segments': {'GET': segments.index, 'POST': segments.create},
    '/segments/{segment_id}': {'GET': segments.show, 'PUT': segments.update,
                               'DELETE': segments.delete},
    # Registered by upstream for member actions, none of which exist.
    '/segments/{segment_id}/action': {},
    '/segments/{segment_id}/protection': Since(
        '1.5', {'GET': protection.show}),
    '/segments/{segment_id}/hosts': {'GET': hosts.index,
                                     'POST': hosts.create},
    '/segments/{segment_id}/hosts/{host_id}': {
        'GET': hosts.show, 'PUT': hosts.update, 'DELETE': hosts.delete},
    '/segments/{segment_id}/hosts/{host_id}/recovery_preview': Since(
        '1.4', {'GET': hosts.recovery_preview}),
    '/notifications': {'GET': notifications.index,
                       'POST': notifications.create},
    '/notifications/{notification_id}': {'GET': notifications.show},
    '/notifications/{notification_id}/action': {},
    '/notifications/{notification_id}/vmoves': {'GET': vmoves.index},
    '/notifications/{notification_id}/vmoves/{vmove_id}': {
        'GET': vmoves.show},
    '/storm_brakes': Since('1.6', {'GET': storm_brakes.index}),
    '/storm_brakes/{segment_id}/action': Since(
        '1.6', {'POST': storm_brakes.action}),
    '/recovery_pauses': Since('1.6', {'GET': recovery_pauses.index,
                                      'POST': recovery_pauses.create}),
    '/recovery_pauses/{pause_id}': Since(
        '1.6', {'GET': recovery_pauses.show,
                'DELETE': recovery_pauses.delete}),
    '/extensions': {'GET': extensions.index},
    '/extensions/{alias}': {'GET': extensions.show},
}

DEFAULT_PROJECT_ID_REGEX = r'[0-9a-f\-]+'
JSON_SUFFIX = '.json'
JSON_TYPES = ('application/json', 'application/vnd.openstack.masakari+json')
BODY_METHODS = ('POST', 'PUT')


class UnsupportedMediaType(exception.MasakariException):
    msg_fmt = 'Unsupported Content-Type'
    code = 415


class MethodNotAllowed(exception.MasakariException):
    msg_fmt = 'The method %(method)s is not allowed for this resource.'
    code = 405


class Request(webob.Request):
    """A webob request plus what the dispatcher learnt about it.

    ``context`` (the caller), ``version`` (the microversion) and ``data``
    (the parsed JSON body, None when empty) are set before a handler runs.
    """

    context = None
    version = microversion.DEFAULT_VERSION
    data = None

    @property
    def params(self):
        """Query string parameters only (a webob MultiDict)."""
        return self.GET


def _compile(template, project_regex):
    """The regex of a URL template; an optional project id may lead it,
    except for the version document (``/v1``, ``/v1/``)."""
    if template == '':
        return re.compile(r'^/?$')
    pattern = re.sub(r'\{(\w+)\}', r'(?P<\1>[^/]+)', template)
    return re.compile(r'^(?:/(?P<project_id>%s))?%s$'
                      % (project_regex, pattern))


class APIRouter:
    """The WSGI application behind ``/v1`` (paste ``app_factory``)."""

    def __init__(self, routes=None):
        project_regex = (CONF.osapi_v1.project_id_regex or
                         DEFAULT_PROJECT_ID_REGEX)
        self._routes = [(_compile(template, project_regex), handlers)
                        for template, handlers in (routes or ROUTES).items()]

    @classmethod
    def factory(cls, global_config, **local_config):
        return cls()

    def _match(self, path):
        for regex, handlers in self._routes:
            match = regex.match(path)
            if match is not None:
                return handlers, match.groupdict()
        return None, None

    def __call__(self, environ, start_response):
        req = Request(environ)
        return self._respond(req)(environ, start_response)

    def _respond(self, req):
        path = req.path_info
        json_suffix = path.endswith(JSON_SUFFIX)
        if json_suffix:
            path = path[:-len(JSON_SUFFIX)]
        handlers, url_args = self._match(path)
        if handlers is None:
            return faults.bare_not_found()
        content_type = _response_content_type(req, json_suffix)
        try:
            req.version = microversion.from_headers(req.headers)
        except exception.MasakariException as exc:
            return faults.from_exception(exc, content_type)
        if req.version < getattr(handlers, 'min_version',
                                 microversion.MIN_VERSION):
            return faults.bare_not_found()
        try:
            response = self._dispatch(req, handlers, url_args, content_type)
        except Exception as exc:  # every error must become a fault body
            response = faults.from_exception(exc, content_type)
        for name, value in microversion.response_headers(req.version):
            response.headers.add(name, value)
        return response

    def _dispatch(self, req, handlers, url_args, content_type):
        _check_content_type(req)
        handler = handlers.get(req.method)
        if handler is None:
            exc = MethodNotAllowed(method=req.method)
            exc.headers = {'Allow': ', '.join(sorted(handlers))}
            raise exc
        if req.method in BODY_METHODS:
            req.data = _parse_body(req)
        req.context = req.environ.get(auth.CONTEXT_KEY)
        if req.context is None:
            # No auth filter in front of the app: an anonymous caller.
            req.context = masakari_context.RequestContext()
        project_id = url_args.pop('project_id', None)
        if project_id and project_id != req.context.project_id:
            raise exception.ProjectIdMismatch(url=project_id,
                                              context=req.context.project_id)
        status, body = handler(req, **url_args)
        return _response(status, body, content_type)


def _check_content_type(req):
    """JSON content types only; none or text/plain is read as JSON too."""
    if 'Content-Type' not in req.headers:
        return
    content_type = req.content_type
    if not content_type or content_type == 'text/plain':
        return
    if content_type not in JSON_TYPES:
        raise UnsupportedMediaType()


def _parse_body(req):
    raw = req.body
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise exception.MalformedRequestBody(
            message='Malformed request body')


def _response_content_type(req, json_suffix):
    if json_suffix:
        return JSON_TYPES[0]
    offers = req.accept.acceptable_offers(JSON_TYPES)
    return offers[0][0] if offers else JSON_TYPES[0]


def _response(status, body, content_type):
    response = webob.Response(status=status, charset=None)
    if body is None:
        response.content_type = None
        return response
    response.content_type = content_type
    response.body = json.dumps(body).encode('utf-8')
    return response
