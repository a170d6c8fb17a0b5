"""The simulator's own JSON admin API under ``/simulator``.

It exposes the ``CloudState`` Python API over HTTP so that separate
processes (the all-in-one runner, end-to-end tests, curl) can build a
cloud, break it and read back what happened. Errors are
``{"error": {"code": N, "message": "..."}}``.
"""

from __future__ import annotations

import json
from typing import Any

import webob

from masakari.simulator import errors
from masakari.simulator.routing import Router
from masakari.simulator.state import CloudState
from masakari.simulator.wsgi import json_response

_HOST_FIELDS = ('vcpus', 'memory_mb', 'local_gb', 'enabled',
                'disabled_reason')
_SERVER_FIELDS = ('count', 'name_prefix', 'flavor', 'vcpus', 'memory_mb',
                  'metadata', 'vm_state', 'tenant_id', 'user_id', 'locked',
                  'check_capacity')
_HTTP_FAULT_FIELDS = ('status', 'count', 'method', 'action', 'latency',
                      'after', 'message')


def _pick(body: dict, fields: tuple) -> dict:
    unknown = set(body) - set(fields)
    if unknown:
        raise ValueError('unknown fields: %s' % ', '.join(sorted(unknown)))
    return dict(body)


class AdminAPI:
    def __init__(self, state: CloudState):
        self.state = state
        self.router = Router({
            '/state': {'GET': self.dump},
            '/reset': {'POST': self.reset},
            '/settings': {'GET': self.get_settings,
                          'PUT': self.put_settings},
            '/hosts': {'GET': self.list_hosts, 'POST': self.create_host},
            '/hosts/{name}': {'GET': self.show_host,
                              'PUT': self.update_host},
            '/hosts/{name}/fail': {'POST': self.fail_host},
            '/hosts/{name}/recover': {'POST': self.recover_host},
            '/servers': {'GET': self.list_servers,
                         'POST': self.create_servers},
            '/servers/{server_id}': {'GET': self.show_server},
            '/migrations': {'GET': self.list_migrations},
            '/faults': {'GET': self.list_faults,
                        'DELETE': self.clear_faults},
            '/faults/http': {'POST': self.add_http_fault},
            '/faults/http/{fault_id}': {'DELETE': self.remove_http_fault},
            '/faults/evacuation': {'POST': self.add_evacuation_fault},
            '/wait-idle': {'POST': self.wait_idle},
            '/requests': {'GET': self.list_requests},
        })

    def __call__(self, req: webob.Request, path: str) -> webob.Response:
        try:
            handler, params = self.router.match(req.method,
                                                path.rstrip('/'))
            body = json.loads(req.body or b'{}')
            if not isinstance(body, dict):
                raise ValueError('the body must be a JSON object')
            status, result = handler(req, body, **params)
        except errors.NovaError as exc:
            return self._error(exc.code, exc.message)
        except KeyError as exc:
            return self._error(400, 'missing field %s' % exc)
        except (ValueError, TypeError) as exc:
            return self._error(400, str(exc))
        return json_response(status, result)

    @staticmethod
    def _error(code: int, message: str) -> webob.Response:
        return json_response(code, {'error': {'code': code,
                                              'message': message}})

    # -- whole state --

    def dump(self, req, body) -> tuple[int, Any]:
        return 200, self.state.dump()

    def reset(self, req, body) -> tuple[int, Any]:
        self.state.reset()
        return 200, self.state.dump()

    def get_settings(self, req, body) -> tuple[int, Any]:
        return 200, self.state.settings.as_json()

    def put_settings(self, req, body) -> tuple[int, Any]:
        return 200, self.state.configure(**body)

    def wait_idle(self, req, body) -> tuple[int, Any]:
        timeout = float(body.get('timeout', 10.0))
        return 200, {'idle': self.state.wait_for_idle(timeout)}

    def list_requests(self, req, body) -> tuple[int, Any]:
        served = self.state.requests_served()
        return 200, {'requests': served, 'total': sum(served.values()),
                     'waited': self.state.api_gate.waited}

    # -- hosts --

    def list_hosts(self, req, body) -> tuple[int, Any]:
        with self.state.lock:
            return 200, {'hosts': [self.state.host_info(name)
                                   for name in self.state.hosts]}

    def create_host(self, req, body) -> tuple[int, Any]:
        body = dict(body)
        name = body.pop('name')
        return 201, self.state.add_host(name, **_pick(body, _HOST_FIELDS))

    def show_host(self, req, body, name: str) -> tuple[int, Any]:
        return 200, self.state.host_info(name)

    def update_host(self, req, body, name: str) -> tuple[int, Any]:
        _pick(body, ('enabled', 'disabled_reason', 'forced_down'))
        if 'enabled' in body:
            self.state.set_service_status(name, bool(body['enabled']),
                                          body.get('disabled_reason'))
        if 'forced_down' in body:
            self.state.set_forced_down(name, bool(body['forced_down']))
        return 200, self.state.host_info(name)

    def fail_host(self, req, body, name: str) -> tuple[int, Any]:
        self.state.fail_host(name)
        return 200, self.state.host_info(name)

    def recover_host(self, req, body, name: str) -> tuple[int, Any]:
        self.state.recover_host(name)
        return 200, self.state.host_info(name)

    # -- servers --

    def list_servers(self, req, body) -> tuple[int, Any]:
        return 200, {'servers': self.state.servers_info(
            req.GET.get('host'))}

    def create_servers(self, req, body) -> tuple[int, Any]:
        body = dict(body)
        host = body.pop('host')
        ids = self.state.add_servers(host, **_pick(body, _SERVER_FIELDS))
        return 201, {'servers': [self.state.server_info(i) for i in ids]}

    def show_server(self, req, body, server_id: str) -> tuple[int, Any]:
        return 200, self.state.server_info(server_id)

    def list_migrations(self, req, body) -> tuple[int, Any]:
        return 200, {'migrations': self.state.evacuations(
            req.GET.get('server_id'))}

    # -- faults --

    def list_faults(self, req, body) -> tuple[int, Any]:
        dump = self.state.dump()
        return 200, {'http': dump['http_faults'],
                     'evacuation': dump['evacuation_faults']}

    def clear_faults(self, req, body) -> tuple[int, Any]:
        self.state.clear_http_faults()
        self.state.clear_evacuation_faults()
        return 200, {'http': [], 'evacuation': {}}

    def add_http_fault(self, req, body) -> tuple[int, Any]:
        body = dict(body)
        pattern = body.pop('pattern')
        fault_id = self.state.add_http_fault(
            pattern, **_pick(body, _HTTP_FAULT_FIELDS))
        return 201, {'id': fault_id}

    def remove_http_fault(self, req, body, fault_id: str) -> tuple[int, Any]:
        if not self.state.remove_http_fault(int(fault_id)):
            raise errors.NotFound('no HTTP fault %s' % fault_id)
        return 200, {'id': int(fault_id)}

    def add_evacuation_fault(self, req, body) -> tuple[int, Any]:
        _pick(body, ('server_id', 'server_ids', 'mode', 'count'))
        ids = body.get('server_ids') or [body['server_id']]
        for server_id in ids:
            self.state.inject_evacuation_fault(
                server_id, body.get('mode', 'fail'), body.get('count', 1))
        return 201, {'server_ids': ids}
