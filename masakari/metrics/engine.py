"""What an engine measures, for Prometheus.

One registry per engine process (``REGISTRY``), served by ``exporter``
when ``[metrics] enabled``. The engine records into it whether or not it
is served: recording is a few dictionary operations, and a registry that
always exists keeps the call sites free of ``if enabled``.

Names follow Prometheus' conventions (``_total`` counters, ``_seconds``
histograms, base units); labels have small, fixed sets of values:
notification types and statuses, recovery outcomes, Nova client calls.
"""

import contextlib
import datetime
import threading
import time

import prometheus_client
from prometheus_client import Counter
from prometheus_client import Gauge
from prometheus_client import Histogram

REGISTRY = prometheus_client.CollectorRegistry()
prometheus_client.ProcessCollector(registry=REGISTRY)

# Seconds: from a restart in a second to an evacuation of a full host.
RECOVERY_BUCKETS = (1, 2, 5, 10, 20, 30, 60, 90, 120, 180, 300, 600, 1200,
                    1800, 3600)
EVACUATION_BUCKETS = (0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600)

RECOVERIES = Counter(
    'masakari_recoveries', 'Notifications this engine ran to an outcome.',
    ['type', 'status'], registry=REGISTRY)
RECOVERY_SECONDS = Histogram(
    'masakari_recovery_duration_seconds',
    'From the claim of a notification to its recorded outcome.',
    ['type', 'status'], buckets=RECOVERY_BUCKETS, registry=REGISTRY)
RECOVERIES_RUNNING = Gauge(
    'masakari_recoveries_running', 'Notifications this engine runs now.',
    ['type'], registry=REGISTRY)
EVACUATION_SECONDS = Histogram(
    'masakari_instance_evacuation_duration_seconds',
    'Per instance: from the evacuation request to its outcome.',
    ['outcome'], buckets=EVACUATION_BUCKETS, registry=REGISTRY)
HOST_FAILURE_PHASE_SECONDS = Histogram(
    'masakari_host_failure_phase_seconds',
    'Per host failure: from the failure reported (the notification\'s '
    'generated_time) to each phase of its recovery: fenced (powered off '
    'through its BMC), compute_down (Nova sees its compute service down, '
    'or it was forced down), first_active and last_active (the first and '
    'the last of its instances running elsewhere).',
    ['phase'], buckets=RECOVERY_BUCKETS, registry=REGISTRY)
NOVA_CALLS = Counter(
    'masakari_nova_api_calls', 'Calls to the Nova API by outcome: ok, '
    'error (given up), retried.', ['call', 'outcome'], registry=REGISTRY)
LEASE_TAKEOVERS = Counter(
    'masakari_lease_takeovers',
    'Notifications this engine took over from an engine that stopped '
    'renewing its lease (or from its own previous run).',
    registry=REGISTRY)

HOSTS_RETURNED = Counter(
    'masakari_hosts_returned_to_service',
    'Repaired hosts this engine enabled in Nova and took out of '
    'maintenance after their burn-in ([return_to_service]).',
    registry=REGISTRY)
HOSTS_FLAPPING = Gauge(
    'masakari_hosts_flapping',
    'Hosts on maintenance kept out of service because they failed '
    '[return_to_service] max_failures times within failure_window.',
    registry=REGISTRY)

SEGMENT_PROTECTED = Gauge(
    'masakari_segment_protected',
    'The last protection check of a segment by this engine: 1 when the '
    'loss of any [protection] host_failures of its hosts can be absorbed, '
    '0 when not ([protection] check_interval).',
    ['segment', 'segment_uuid'], registry=REGISTRY)
_protected_labels = {}


def segment_protected(segment, protected):
    labels = (segment.name, segment.uuid)
    previous = _protected_labels.get(segment.uuid)
    if previous is not None and previous != labels:
        SEGMENT_PROTECTED.remove(*previous)     # renamed
    _protected_labels[segment.uuid] = labels
    SEGMENT_PROTECTED.labels(*labels).set(1 if protected else 0)


def forget_segment(segment_uuid):
    """A segment deleted or disabled: no more series for it."""
    labels = _protected_labels.pop(segment_uuid, None)
    if labels is not None:
        SEGMENT_PROTECTED.remove(*labels)


PHASES = ('fenced', 'compute_down', 'first_active', 'last_active')


class Timeline:
    """The phases of the host recoveries in progress, keyed by host name
    (an engine recovers one notification per host at a time): each phase
    is observed once, as seconds since the failure was reported."""

    def __init__(self, clock=time.time):
        self._clock = clock
        self._started = {}
        self._lock = threading.Lock()

    def begin(self, host_name, reported_at):
        """``reported_at``: the failure's time, seconds since the epoch."""
        with self._lock:
            self._started[host_name] = (reported_at, set())

    def mark(self, host_name, phase):
        if phase not in PHASES:
            raise ValueError('unknown phase %r' % phase)
        with self._lock:
            entry = self._started.get(host_name)
            if entry is None or phase in entry[1]:
                return
            entry[1].add(phase)
            elapsed = max(0.0, self._clock() - entry[0])
        HOST_FAILURE_PHASE_SECONDS.labels(phase).observe(elapsed)

    def end(self, host_name):
        with self._lock:
            self._started.pop(host_name, None)


TIMELINE = Timeline()


HOST_FAILURE = 'COMPUTE_HOST'


class _Measured:
    status = None


def reported_at(notification):
    """The failure's time as the monitor reported it (generated_time, UTC),
    in seconds since the epoch; the API's receipt when it has none."""
    moment = notification.generated_time or notification.created_at
    if moment is None:
        return time.time()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.timestamp()


@contextlib.contextmanager
def recovery(notification, host, clock=time.monotonic):
    """Around one run of ``notification`` about ``host`` (a name): its
    duration and outcome (the status set on the yielded object; a run that
    raised or ended as another engine's is counted as ``none``) and, for a
    host failure, its timeline."""
    kind = notification.type
    measured = _Measured()
    started = clock()
    RECOVERIES_RUNNING.labels(kind).inc()
    if kind == HOST_FAILURE:
        TIMELINE.begin(host, reported_at(notification))
    try:
        yield measured
    finally:
        RECOVERIES_RUNNING.labels(kind).dec()
        if kind == HOST_FAILURE:
            TIMELINE.end(host)
        status = measured.status or 'none'
        RECOVERIES.labels(kind, status).inc()
        RECOVERY_SECONDS.labels(kind, status).observe(clock() - started)


def nova_call(func, outcome):
    """Count one Nova call: ``func`` a novaclient bound method."""
    owner = getattr(func, '__self__', None)
    name = getattr(func, '__name__', 'call')
    call = '%s.%s' % (type(owner).__name__, name) if owner else name
    NOVA_CALLS.labels(call, outcome).inc()
