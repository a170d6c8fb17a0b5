"""Start API, engine and Nova simulator together on the embedded defaults.

SQLite in a state directory, the in-process ``fake://`` messaging transport,
``noauth2`` and the bundled Nova simulator reached over real HTTP through
python-novaclient: the same code paths as a deployment, in one process.
"""

import contextlib
import os
import socket

from masakari.conf import CONF
from masakari.db import api as db_api
from masakari.db import migration


def _free_port(preferred, host='127.0.0.1'):
    """``preferred`` when it is free, else any free port."""
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError('no free port')


class AllInOne:
    """The running stack; use as a context manager."""

    def __init__(self, state_dir, api_port=15868, simulator_settings=None,
                 seed=None, engine_options=None):
        self.state_dir = state_dir
        self.api_port = api_port
        self.simulator_settings = simulator_settings or {}
        self.seed = seed
        self.engine_options = engine_options or {}
        self.simulator = None
        self.engine = None
        self.api_server = None

    @property
    def api_url(self):
        return self.api_server.url

    def _configure(self):
        CONF.set_override('state_path', self.state_dir)
        CONF.set_override('connection', 'sqlite:///%s' % os.path.join(
            self.state_dir, 'masakari.sqlite'), 'database')
        CONF.set_override('transport_url', 'fake://')
        CONF.set_override('auth_strategy', 'noauth2')
        CONF.set_override('auth_type', 'none', 'nova')
        CONF.set_override('endpoint_override', self.simulator.url, 'nova')
        CONF.set_override('periodic_fuzzy_delay', 0)
        for (group, name), value in self.engine_options.items():
            CONF.set_override(name, value, group)

    def start(self):
        from masakari.api import app as api_app
        from masakari.engine import service as engine_service
        from masakari.simulator import server as simulator_server

        os.makedirs(self.state_dir, exist_ok=True)
        self.simulator = simulator_server.NovaSimulator(
            settings=self.simulator_settings, seed=self.seed).start()
        self._configure()
        migration.db_sync()
        self.engine = engine_service.EngineService()
        self.engine.start()
        self.api_server = api_app.make_server(
            api_app.build_app(), '127.0.0.1',
            _free_port(self.api_port)).start()
        return self

    def stop(self):
        for part in (self.api_server, self.engine, self.simulator):
            if part is not None:
                with contextlib.suppress(Exception):
                    part.stop()
        db_api.dispose()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
