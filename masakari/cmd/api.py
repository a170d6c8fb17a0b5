"""masakari-api: the API in a standalone threaded HTTP server.

Reads ``--config-file`` / ``--config-dir`` (default
``/etc/masakari/masakari.conf``) and listens on
``[DEFAULT] masakari_api_listen:masakari_api_listen_port`` (port 15868).
Deployments may run ``masakari.wsgi.api:application`` under uWSGI or
gunicorn instead.
"""

import logging
import signal
import sys

from masakari.api import app as api_app
from masakari.common import config
from masakari.conf import CONF

LOG = logging.getLogger(__name__)


def main(argv=None):
    config.parse_args(sys.argv[1:] if argv is None else argv)
    server = api_app.make_server(
        api_app.build_app(), CONF.masakari_api_listen,
        CONF.masakari_api_listen_port)

    def _stop(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _stop)
    LOG.info('masakari-api serving on %s', server.url)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
