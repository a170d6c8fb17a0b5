"""masakari-api: the API in its standalone server (cheroot).

Reads ``--config-file`` / ``--config-dir`` (default
``/etc/masakari/masakari.conf``) and listens on
``[DEFAULT] masakari_api_listen:masakari_api_listen_port`` (port 15868)
with ``[DEFAULT] masakari_api_workers`` processes (default: one per CPU) of
``[wsgi] worker_threads`` threads each. SIGTERM stops accepting and lets
the requests in flight finish (``[DEFAULT] graceful_shutdown_timeout``).
Deployments may run ``masakari.wsgi.api:application`` under uWSGI or
gunicorn instead.
"""

import logging
import os
import sys

from masakari.api import app as api_app
from masakari.common import config
from masakari.common import wsgi_server
from masakari.conf import CONF

LOG = logging.getLogger(__name__)


def worker_count():
    return CONF.masakari_api_workers or os.cpu_count() or 1


def main(argv=None):
    config.parse_args(sys.argv[1:] if argv is None else argv)
    settings = api_app.server_settings()
    listener = wsgi_server.listen(CONF.masakari_api_listen,
                                  CONF.masakari_api_listen_port, settings)
    workers = worker_count()

    def serve_one():
        # The app is built in each worker: database engines and RPC
        # transports must not be shared across a fork.
        server = api_app.make_server(api_app.build_app(), None, None,
                                     listener=listener)
        wsgi_server.serve_until_signal(server)

    LOG.info('masakari-api serving on %s:%d with %d worker(s) of %d '
             'thread(s)', *listener.getsockname()[:2], workers,
             settings.threads)
    if workers == 1:
        serve_one()
        return 0
    return wsgi_server.run_workers(workers, serve_one,
                                   settings.shutdown_timeout)


if __name__ == '__main__':
    sys.exit(main())
