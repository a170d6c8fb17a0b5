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
from masakari.db import models

# The families a scrape of the API returns.
FAMILIES = ('masakari_notifications', 'masakari_notifications_held',
            'masakari_storm_brakes', 'masakari_recovery_pauses')
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
        yield from self._holds()

    def _holds(self):
        """What waits for an operator: the storm brake, the pauses."""
        held = core.GaugeMetricFamily(
            'masakari_notifications_held',
            'Notifications whose recovery waits for an operator, by what '
            'holds them (storm: a segment\'s storm brake, pause: a pause of '
            'automatic recovery).', labels=['hold'])
        storm = db_api.notifications_held(models.HOLD_STORM)
        held.add_metric(['storm'], len(storm))
        held.add_metric(['pause'],
                        len(db_api.notifications_held(models.HOLD_PAUSE)))
        yield held
        yield core.GaugeMetricFamily(
            'masakari_storm_brakes', 'Segments whose storm brake is on.',
            value=len({n.failover_segment_uuid for n in storm}))
        yield core.GaugeMetricFamily(
            'masakari_recovery_pauses',
            'Pauses of automatic recovery in force (the whole cloud or a '
            'segment each).', value=len(db_api.pause_get_all()))


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
