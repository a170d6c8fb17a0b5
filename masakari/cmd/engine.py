"""masakari-engine: the recovery engine service.

Runs until SIGTERM or SIGINT, then stops taking notifications and gives
the recoveries in progress up to ``[DEFAULT] graceful_shutdown_timeout``
seconds (60 by default) to finish; see masakari.engine.service.
"""

import signal
import sys
import threading

from oslo_log import log as logging

from masakari.common import config
from masakari.conf import CONF
from masakari.engine import service as engine_service

LOG = logging.getLogger(__name__)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    config.parse_args(argv)
    service = engine_service.EngineService(
        shutdown_timeout=CONF.graceful_shutdown_timeout)
    stop = threading.Event()

    def _on_signal(signum, frame):
        LOG.info('Received signal %d, shutting down', signum)
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    service.start()
    while not stop.wait(1.0):
        pass
    service.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
