"""The periodic task that returns repaired hosts to service.

For the hosts on maintenance of the opted-in segments, it gathers the
facts (the host's notifications from the database, its compute service
from Nova, how long this engine has seen that service healthy) and acts on
``ha.repaired_hosts.judge``: enable the service in Nova first, then take
the host out of maintenance, so that a failure in between leaves a host
that the next check returns again rather than one out of maintenance with
a disabled service. Several engines may return the same host at once:
both steps are idempotent.

The burn-in is measured by each engine from its own observations (every
``check_interval``): an engine that restarts starts the burn-in again,
which only delays a return.
"""

import dataclasses
import datetime
import threading
import time

from oslo_log import log as logging
from oslo_utils import timeutils

from masakari.compute import nova
from masakari.conf import CONF
from masakari import context as masakari_context
from masakari.db import api as db_api
from masakari import exception
from masakari.ha import repaired_hosts as rules
from masakari.metrics import engine as engine_metrics

LOG = logging.getLogger(__name__)
UNFINISHED = ['new', 'running', 'error']


class HealthWatch:
    """Since when each host's compute service has looked healthy."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._since = {}
        self.flapping = set()
        self._lock = threading.Lock()

    def observe(self, host_uuid, healthy):
        """Seconds healthy without a break, this observation included."""
        now = self._clock()
        with self._lock:
            if not healthy:
                self._since.pop(host_uuid, None)
                return 0.0
            return now - self._since.setdefault(host_uuid, now)

    def forget(self, host_uuid):
        with self._lock:
            self._since.pop(host_uuid, None)
            self.flapping.discard(host_uuid)


WATCH = HealthWatch()


def policy():
    return rules.Policy(
        burn_in=CONF.return_to_service.burn_in,
        max_failures=CONF.return_to_service.max_failures,
        disable_reason=CONF.host_failure.service_disable_reason)


def return_repaired_hosts(manager, context=None, watch=None, nova_api=None):
    """One check of every host on maintenance of the opted-in segments;
    returns the names of the hosts returned to service."""
    names = CONF.return_to_service.segments
    if not names:
        return []
    context = context or masakari_context.get_admin_context()
    watch = watch or WATCH
    nova_api = nova_api or nova.API()
    returned = []
    for segment in db_api.segment_get_all():
        if not rules.opted_in(segment, names):
            continue
        for host in db_api.host_get_all(filters={
                'failover_segment_id': segment.uuid, 'on_maintenance': True}):
            try:
                if _check(context, nova_api, watch, host):
                    returned.append(host.name)
            except exception.MasakariException as exc:
                LOG.warning('Cannot check whether host %s may return to '
                            'service: %s', host.name, exc.message)
    engine_metrics.HOSTS_FLAPPING.set(len(watch.flapping))
    return returned


def _check(context, nova_api, watch, host):
    conf_policy = policy()
    facts = _facts(context, nova_api, watch, host, conf_policy)
    verdict = rules.judge(facts, conf_policy)
    if verdict is rules.Verdict.FLAPPING:
        if host.uuid not in watch.flapping:
            watch.flapping.add(host.uuid)
            LOG.warning(
                'Host %s failed %d times within %ds: it stays on '
                'maintenance. To return it, enable its compute service and '
                'take it out of maintenance by hand.', host.name,
                facts.failures_in_window,
                CONF.return_to_service.failure_window)
        return False
    watch.flapping.discard(host.uuid)
    if verdict is not rules.Verdict.RETURN:
        LOG.debug('Host %s stays on maintenance: %s', host.name,
                  verdict.value)
        return False
    if facts.service_disabled:
        nova_api.enable_disable_service(context, host.name, enable=True)
    updated = db_api.host_update(host.uuid, {'on_maintenance': False})
    if isinstance(updated, db_api.Refused):
        LOG.info('Host %s: compute service enabled; it leaves maintenance '
                 'once its segment is not under recovery', host.name)
        return False
    watch.forget(host.uuid)
    engine_metrics.HOSTS_RETURNED.inc()
    LOG.info('Host %s returned to service: its compute service was up for '
             '%ds (burn-in %ds); enabled in Nova and taken out of '
             'maintenance', host.name, facts.healthy_for,
             conf_policy.burn_in)
    return True


def _facts(context, nova_api, watch, host, conf_policy):
    latest = db_api.notification_get_all(
        filters={'source_host_uuid': host.uuid, 'type': 'COMPUTE_HOST'},
        limit=1, sort_keys=['created_at'], sort_dirs=['desc'])
    unfinished = db_api.notification_get_all(
        filters={'source_host_uuid': host.uuid, 'status': UNFINISHED})
    since = timeutils.utcnow() - datetime.timedelta(
        seconds=CONF.return_to_service.failure_window)
    failures = db_api.notification_get_all(
        filters={'source_host_uuid': host.uuid, 'type': 'COMPUTE_HOST',
                 'generated-since': since})
    service = nova_api.get_service(context, host.name)
    last = latest[0] if latest else None
    facts = rules.Facts(
        host_updated_at=host.updated_at,
        last_failure_status=last.status if last else None,
        last_failure_ended_at=last.updated_at if last else None,
        unfinished_notifications=len(unfinished),
        failures_in_window=len(failures),
        service_up=service.state == 'up',
        service_forced_down=service.forced_down,
        service_disabled=service.disabled,
        service_disabled_reason=service.disabled_reason,
        healthy_for=0.0)
    healthy_for = watch.observe(
        host.uuid, rules.counts_as_healthy(facts, conf_policy))
    return dataclasses.replace(facts, healthy_for=healthy_for)
