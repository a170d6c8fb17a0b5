"""``masakari.wsgi.api:application``: the API for any WSGI server.

``masakari.conf`` and ``api-paste.ini`` are read from the directory in
``OS_MASAKARI_CONFIG_DIR`` (``/etc/masakari`` by default), e.g.::

    gunicorn masakari.wsgi.api:application
    OS_MASAKARI_CONFIG_DIR=/srv/masakari \
        uwsgi --module masakari.wsgi.api:application

The app behind ``application`` is built at the first request (once per
process, so once per worker), so importing this module (e.g. for
``build_app`` in tests or the all-in-one runner) does not parse the
configuration of the config directory.
"""

import os
import threading

from masakari.api import app as api_app
from masakari.common import config
from masakari.conf import CONF

CONFIG_DIR_ENV = 'OS_MASAKARI_CONFIG_DIR'
DEFAULT_CONFIG_DIR = '/etc/masakari'
CONFIG_FILE = 'masakari.conf'


def config_dir(env=None):
    env = os.environ if env is None else env
    return (env.get(CONFIG_DIR_ENV) or DEFAULT_CONFIG_DIR).strip()


def build_app(paste_config_path=None):
    """The API app for the already parsed CONF (in-process use: tests, the
    all-in-one runner)."""
    return api_app.build_app(paste_config_path)


_APPLICATION = []
_LOCK = threading.Lock()


def init_application(env=None):
    """Parse the configuration of the config directory, set up logging and
    build the app."""
    directory = config_dir(env)
    conf_file = os.path.join(directory, CONFIG_FILE)
    paste_file = os.path.join(directory, api_app.PASTE_FILE)
    # A reloaded app must not find options parsed by a previous load.
    CONF.reset()
    config.parse_args([], default_config_files=[conf_file]
                      if os.path.exists(conf_file) else [])
    return build_app(paste_file if os.path.exists(paste_file) else None)


def get_application():
    """The app of the config directory, built once per process."""
    with _LOCK:
        if not _APPLICATION:
            _APPLICATION.append(init_application())
        return _APPLICATION[0]


def application(environ, start_response):
    """The WSGI callable: the app of the config directory, built at the
    first request.

    A plain module attribute: uWSGI and mod_wsgi look ``application`` up
    in the module's namespace, where a module ``__getattr__`` is never
    asked.
    """
    return get_application()(environ, start_response)
