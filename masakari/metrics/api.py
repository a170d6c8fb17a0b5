"""``GET /metrics`` on masakari-api: the database's view, for Prometheus.

Every API worker answers from the database, so any number of workers or
processes agree and no multiprocess registry is needed. Nothing here is
per-request state: the counts are read when Prometheus scrapes. With
``[metrics] enabled = false`` the path answers 404, like any unknown one.
Like ``/healthcheck`` it is outside Keystone authentication (Prometheus
scrapes without a token): it shows counts, nothing else, and an operator
restricts it where the API is exposed (a proxy rule, a firewall).
"""

from prometheus_client import core
from prometheus_client import exposition
import webob
import webob.dec
import webob.exc

from masakari.conf import CONF
from masakari.db import api as db_api

STATUSES = ('new', 'running', 'error', 'failed', 'ignored', 'finished')
TYPES = ('COMPUTE_HOST', 'VM', 'PROCESS')


class DatabaseCollector:
    """Collected at each scrape: the notifications by type and status."""

    def collect(self):
        counts = db_api.notification_counts()
        family = core.GaugeMetricFamily(
            'masakari_notifications',
            'Notifications stored, by type and status (deleted ones '
            'excluded).', labels=['type', 'status'])
        # Every known pair, at 0 when absent: a rate() over a series that
        # appears only with its first notification misses that one.
        for kind in TYPES:
            for status in STATUSES:
                family.add_metric([kind, status],
                                  counts.pop((kind, status), 0))
        for (kind, status), count in sorted(counts.items()):
            family.add_metric([kind, status], count)
        yield family


class MetricsApp:
    def __init__(self):
        self.registry = core.CollectorRegistry(auto_describe=False)
        self.registry.register(DatabaseCollector())

    @webob.dec.wsgify
    def __call__(self, request):
        if not CONF.metrics.enabled:
            return webob.exc.HTTPNotFound()
        if request.method not in ('GET', 'HEAD'):
            return webob.exc.HTTPMethodNotAllowed()
        response = webob.Response(
            body=exposition.generate_latest(self.registry))
        response.content_type = exposition.CONTENT_TYPE_LATEST.split(';')[0]
        response.charset = 'utf-8'
        return response


def app_factory(global_conf, **local_conf):
    return MetricsApp()
