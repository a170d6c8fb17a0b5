"""The Nova compute API (the ``/v2.1`` tree) over webob.

Request path: strip an optional ``/{project_id}``, read the microversion,
apply injected latency/faults, route through ``ROUTES`` to a handler,
render its result or its ``NovaError`` as Nova would, and echo the
microversion headers. No authentication: any token (or none) is accepted.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import webob

from masakari.simulator import errors
from masakari.simulator import microversion
from masakari.simulator.handlers import aggregates
from masakari.simulator.handlers import flavors
from masakari.simulator.handlers import hypervisors
from masakari.simulator.handlers import instance_actions
from masakari.simulator.handlers import migrations
from masakari.simulator.handlers import server_actions
from masakari.simulator.handlers import servers
from masakari.simulator.handlers import services
from masakari.simulator.handlers import versions
from masakari.simulator.routing import Router
from masakari.simulator.state import (DEFAULT_PROJECT_ID, DEFAULT_USER_ID,
                                      Caller, CloudState)

LOG = logging.getLogger(__name__)

API_PREFIX = '/v2.1'

# The whole compute API surface, relative to /v2.1[/{project_id}].
ROUTES = {
    '': {'GET': versions.show},
    '/servers': {'GET': servers.index, 'POST': servers.create},
    '/servers/detail': {'GET': servers.detail},
    '/servers/{server_id}': {'GET': servers.show, 'DELETE': servers.delete},
    '/servers/{server_id}/action': {'POST': server_actions.dispatch},
    '/servers/{server_id}/metadata': {
        'GET': servers.metadata_index, 'POST': servers.metadata_update,
        'PUT': servers.metadata_update},
    '/servers/{server_id}/metadata/{key}': {
        'GET': servers.metadata_show, 'PUT': servers.metadata_set,
        'DELETE': servers.metadata_delete},
    '/servers/{server_id}/os-instance-actions': {
        'GET': instance_actions.index},
    '/servers/{server_id}/os-instance-actions/{request_id}': {
        'GET': instance_actions.show},
    '/os-services': {'GET': services.index},
    '/os-services/{service_id}': {'PUT': services.update},
    '/os-hypervisors': {'GET': hypervisors.index},
    '/os-hypervisors/detail': {'GET': hypervisors.detail},
    '/os-hypervisors/{hypervisor_id}': {'GET': hypervisors.show},
    '/os-hypervisors/{pattern}/search': {'GET': hypervisors.search},
    '/os-hypervisors/{pattern}/servers': {'GET': hypervisors.servers},
    '/os-aggregates': {'GET': aggregates.index, 'POST': aggregates.create},
    '/os-aggregates/{aggregate_id}': {'GET': aggregates.show,
                                      'DELETE': aggregates.delete},
    '/os-aggregates/{aggregate_id}/action': {'POST': aggregates.action},
    '/os-migrations': {'GET': migrations.index},
    '/flavors': {'GET': flavors.index},
    '/flavors/detail': {'GET': flavors.detail},
    '/flavors/{flavor_id}': {'GET': flavors.show},
}

ROOT_RESOURCES = {'servers', 'os-services', 'os-hypervisors',
                  'os-aggregates', 'os-migrations', 'flavors'}


class Context:
    """What a handler needs: the request, the state and the microversion."""

    def __init__(self, req: webob.Request, state: CloudState,
                 mv: microversion.Version, project_id: str | None,
                 request_id: str):
        self.req = req
        self.state = state
        self.mv = mv
        self.request_id = request_id
        self.root = req.application_url
        self.project_id = project_id or req.headers.get('X-Project-Id')
        self._project_in_url = project_id

    def url(self, path: str) -> str:
        project = ('/%s' % self._project_in_url if self._project_in_url
                   else '')
        return '%s%s%s/%s' % (self.root, API_PREFIX, project, path)

    def links(self, collection: str, item: Any) -> list[dict]:
        project = ('/%s' % self._project_in_url if self._project_in_url
                   else '')
        return [
            {'rel': 'self', 'href': self.url('%s/%s' % (collection, item))},
            {'rel': 'bookmark', 'href': '%s%s/%s/%s' % (
                self.root, project, collection, item)},
        ]

    def json(self) -> Any:
        try:
            return json.loads(self.req.body or b'null')
        except ValueError:
            raise errors.BadRequest('Malformed request body')

    def caller(self) -> Caller:
        return Caller(self.request_id,
                      self.req.headers.get('X-User-Id') or DEFAULT_USER_ID,
                      self.project_id or DEFAULT_PROJECT_ID)


def json_response(status: int, body: Any,
                  headers: list | None = None) -> webob.Response:
    resp = webob.Response(status=status)
    if body is not None:
        resp.content_type = 'application/json'
        resp.charset = None
        resp.body = json.dumps(body).encode()
    elif status != 204:
        resp.content_type = 'application/json'
        resp.charset = None
    for name, value in headers or ():
        resp.headers[name] = value
    return resp


def fault_response(code: int, message: str) -> webob.Response:
    return json_response(code, errors.fault_body(code, message))


def _injected_message(code: int) -> str:
    if code == 500:
        return errors.UNEXPECTED_ERROR % (
            "<class 'masakari.simulator.faults.InjectedFault'>")
    return 'Fault injected by the Nova simulator.'


def _peek_action(req: webob.Request) -> str | None:
    if req.method != 'POST' or not req.path_info.endswith('/action'):
        return None
    try:
        body = json.loads(req.body or b'null')
    except ValueError:
        return None
    if isinstance(body, dict) and len(body) == 1:
        return next(iter(body))
    return None


class ComputeAPI:
    """The ``/v2.1`` tree."""

    def __init__(self, state: CloudState):
        self.state = state
        self.router = Router(ROUTES)

    def __call__(self, req: webob.Request, path: str) -> webob.Response:
        request_id = self.state.new_request_id()
        mv = microversion.MIN_VERSION
        try:
            mv = microversion.requested(req.headers)
            resp = self._handle(req, path, mv, request_id)
        except errors.NovaError as exc:
            resp = fault_response(exc.code, exc.message)
        resp.headers['x-openstack-request-id'] = request_id
        resp.headers['x-compute-request-id'] = request_id
        for name, value in microversion.response_headers(mv):
            resp.headers[name] = value
        return resp

    def _handle(self, req: webob.Request, path: str, mv,
                request_id: str) -> webob.Response:
        parts = path.strip('/').split('/', 1)
        project_id = None
        if parts[0] and parts[0] not in ROOT_RESOURCES:
            project_id = parts[0]
            path = '/' + parts[1] if len(parts) > 1 else ''
        path = path.rstrip('/')
        self.state.count_request(req.method,
                                 self.router.template(path) or '?')
        with self.state.api_gate.held():
            return self._serve(req, path, mv, project_id, request_id)

    def _serve(self, req: webob.Request, path: str, mv,
               project_id: str | None, request_id: str) -> webob.Response:
        fired = self.state.http_faults.fire(req.method, req.path_info,
                                            _peek_action(req))
        delay = self.state.settings.api_latency.sample(self.state.rng)
        time.sleep(delay + sum(f.latency for f in fired if not f.after))
        for fault in fired:
            if fault.status and not fault.after:
                return fault_response(fault.status, fault.message or
                                      _injected_message(fault.status))
        resp = self._dispatch(Context(req, self.state, mv, project_id,
                                      request_id), path)
        time.sleep(sum(f.latency for f in fired if f.after))
        for fault in fired:
            if fault.status and fault.after:
                return fault_response(fault.status, fault.message or
                                      _injected_message(fault.status))
        return resp

    def _dispatch(self, ctx: Context, path: str) -> webob.Response:
        try:
            handler, params = self.router.match(ctx.req.method, path)
            result = handler(ctx, **params)
        except errors.NovaError as exc:
            return fault_response(exc.code, exc.message)
        except Exception as exc:
            LOG.exception('simulated Nova API failed')
            return fault_response(500, errors.UNEXPECTED_ERROR % type(exc))
        return json_response(*result)
