"""``NovaSimulator``: state + WSGI app + HTTP server in one object.

    sim = NovaSimulator(evacuate_duration=0.1).start()
    sim.state.add_host('compute1')
    nova = novaclient.client.Client('2.53', session=session,
                                    endpoint_override=sim.url)
    ...
    sim.stop()
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

import webob

from masakari.common.wsgi_server import ServerSettings, WSGIServer
from masakari.simulator.handlers import versions
from masakari.simulator import notifications
from masakari.simulator.admin import AdminAPI
from masakari.simulator.settings import Settings
from masakari.simulator.state import CloudState
from masakari.simulator.wsgi import API_PREFIX, ComputeAPI, fault_response
from masakari.simulator.wsgi import json_response

ADMIN_PREFIX = '/simulator'
# Worker threads of the simulator's server: requests served at once. Calls
# that block (api_latency, rpc_response_timeout) each hold one.
DEFAULT_THREADS = 32


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + '/')


class SimulatorApp:
    """Top-level WSGI app: ``/`` versions, ``/v2.1`` Nova, ``/simulator``."""

    def __init__(self, state: CloudState):
        self.state = state
        self.compute = ComputeAPI(state)
        self.admin = AdminAPI(state)

    def __call__(self, environ, start_response):
        req = webob.Request(environ)
        path = req.path_info
        if _under(path, ADMIN_PREFIX):
            resp = self.admin(req, path[len(ADMIN_PREFIX):])
        elif _under(path, API_PREFIX):
            resp = self.compute(req, path[len(API_PREFIX):])
        elif path.rstrip('/') == '' and req.method == 'GET':
            resp = json_response(200, versions.index(
                req.application_url))
        else:
            resp = fault_response(404, 'The resource could not be found.')
        return resp(environ, start_response)


def _check_loopback(host: str) -> None:
    """The simulator has no authentication: never expose it."""
    if host == 'localhost':
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise ValueError('the Nova simulator only listens on a loopback '
                     'address, not %r' % host)


class NovaSimulator:
    """A running simulated Nova on ``host:port`` (port 0: any free one).

    ``settings`` is a ``Settings`` or a dict of setting names; further
    keyword arguments are settings too (``evacuate_duration=0.1``,
    ``service_down_time=0``...), see ``settings.Settings``. ``threads``:
    the HTTP server's worker threads. ``notification_url`` (an
    oslo.messaging URL, ``fake://`` in one process) makes it send Nova's
    versioned notifications of evacuations to ``notification_topic`` (see
    ``notifications``); off by default.
    """

    def __init__(self, host: str = '127.0.0.1', port: int = 0, *,
                 seed: int | None = None, threads: int = DEFAULT_THREADS,
                 settings: Settings | Mapping[str, Any] | None = None,
                 notification_url: str | None = None,
                 notification_topic: str = notifications.TOPIC,
                 **setting_values: Any):
        _check_loopback(host)
        if not isinstance(settings, Settings):
            setting_values = {**(settings or {}), **setting_values}
            settings = Settings()
        settings.update(**setting_values)
        self.state = CloudState(settings, seed=seed)
        if notification_url:
            self.state.notifier = notifications.NovaNotifier(
                notification_url, topic=notification_topic)
        self.app = SimulatorApp(self.state)
        self._host, self._port = host, port
        self._server_settings = ServerSettings(threads=threads,
                                               shutdown_timeout=5)
        self._server: WSGIServer | None = None

    def _make_server(self) -> WSGIServer:
        if self._server is None:
            self._server = WSGIServer(self.app, host=self._host,
                                      port=self._port, name='nova-simulator',
                                      settings=self._server_settings)
        return self._server

    def start(self) -> NovaSimulator:
        """Serve in a daemon thread and return at once."""
        self._make_server().start()
        self._start_notifier()
        self.state.ticker.start()
        return self

    def _start_notifier(self) -> None:
        if self.state.notifier is not None:
            self.state.notifier.start()

    def serve_forever(self) -> None:
        """Serve in the calling thread until ``stop()``."""
        self._start_notifier()
        self.state.ticker.start()
        self._make_server().serve_forever()

    def stop(self) -> None:
        self.state.stop()
        if self.state.notifier is not None:
            self.state.notifier.stop()
        if self._server is not None:
            self._server.stop()
            self._server = None

    @property
    def base_url(self) -> str:
        return self._make_server().url

    @property
    def url(self) -> str:
        """The compute endpoint for ``endpoint_override``."""
        return self.base_url + API_PREFIX

    @property
    def admin_url(self) -> str:
        return self.base_url + ADMIN_PREFIX

    def __enter__(self) -> NovaSimulator:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
