"""Build the API WSGI application from api-paste.ini, and serve it."""

import logging
import os
import sys

from paste import deploy

from masakari.api import config as api_config
from masakari.common import wsgi_server
from masakari.conf import CONF
from masakari import policy

APP_NAME = 'masakari_api'
PASTE_FILE = 'api-paste.ini'


def find_paste_config():
    """``[wsgi] api_paste_config`` (searched like any config file), else
    the api-paste.ini shipped with masakari."""
    name = CONF.wsgi.api_paste_config
    if os.path.isabs(name) and os.path.exists(name):
        return name
    found = CONF.find_file(name)
    if found:
        return found
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = (
        os.path.join(here, '..', '..', 'etc', 'masakari', PASTE_FILE),
        os.path.join(sys.prefix, 'etc', 'masakari', PASTE_FILE),
        os.path.join('/etc', 'masakari', PASTE_FILE),
    )
    for candidate in candidates:
        if os.path.exists(candidate):
            return os.path.abspath(candidate)
    raise RuntimeError('Unable to find the paste config %s' % name)


def build_app(paste_config_path=None, name=APP_NAME):
    """The whole API (versions, /v1, /healthcheck) as one WSGI app.

    The global CONF must already be parsed; the pipeline under /v1 follows
    ``[DEFAULT] auth_strategy``.
    """
    api_config.set_lib_defaults()
    policy.reset()
    path = os.path.abspath(paste_config_path or find_paste_config())
    return deploy.loadapp('config:%s' % path, name=name)


ACCESS_LOG = logging.getLogger('masakari.api.access')
# client_socket_timeout = 0 waits this long.
_FOREVER = 86400


def server_settings(conf=CONF):
    """The standalone server's settings from ``[wsgi]`` and ``[DEFAULT]``."""
    return wsgi_server.ServerSettings(
        threads=conf.wsgi.worker_threads,
        client_timeout=conf.wsgi.client_socket_timeout or _FOREVER,
        max_header_size=conf.wsgi.max_request_header_size,
        keep_alive_connections=(conf.wsgi.default_pool_size
                                if conf.wsgi.keep_alive else 0),
        shutdown_timeout=conf.graceful_shutdown_timeout,
        tcp_keepidle=conf.wsgi.tcp_keepidle or None)


def make_server(app, host, port, name='masakari-api', listener=None):
    """A (not yet started) WSGIServer for ``app`` with the configured
    settings, writing the access log (``[wsgi] wsgi_log_format``)."""
    return wsgi_server.WSGIServer(
        wsgi_server.AccessLog(app, CONF.wsgi.wsgi_log_format, ACCESS_LOG),
        host=host, port=port, name=name, settings=server_settings(),
        listener=listener)


