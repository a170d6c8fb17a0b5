"""The engine's metrics endpoint: ``GET /metrics`` on ``[metrics]
engine_listen``:``engine_port``, served by prometheus-client's own HTTP
server on a daemon thread (nothing on the recovery path waits for it)."""

from oslo_log import log as logging
import prometheus_client

from masakari.conf import CONF
from masakari.metrics import engine as engine_metrics

LOG = logging.getLogger(__name__)


class Exporter:
    """Serves ``engine_metrics.REGISTRY`` while started, when enabled."""

    def __init__(self):
        self._server = None
        self._thread = None
        self.port = None

    def start(self):
        if not CONF.metrics.enabled or self._server is not None:
            return self
        try:
            self._server, self._thread = prometheus_client.start_http_server(
                CONF.metrics.engine_port, addr=CONF.metrics.engine_listen,
                registry=engine_metrics.REGISTRY)
        except OSError as exc:
            # Recoveries matter more than their metrics: run without them.
            LOG.error('Cannot serve Prometheus metrics on %s:%d (%s); the '
                      'engine runs without its metrics endpoint',
                      CONF.metrics.engine_listen, CONF.metrics.engine_port,
                      exc)
            return self
        self.port = self._server.server_address[1]
        LOG.info('Serving Prometheus metrics on http://%s:%d/metrics',
                 CONF.metrics.engine_listen, self.port)
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = self._thread = None
