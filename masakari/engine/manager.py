"""The engine: takes notifications, runs their recovery, keeps them moving.

``MasakariManager`` is the RPC endpoint (topic ``[DEFAULT] masakari_topic``)
and runs each notification on its own thread pool.
``masakari.engine.service.EngineService`` puts it behind an RPC server and
runs the periodic tasks of ``masakari.engine.periodic``.

Every run of a notification goes the same way (``process``), whatever
brought it here; the ``Claim`` says what did:

1. ``NEW`` (the API's cast) or ``RETRY`` (the periodic task): the
   notification must still be in the expected status. On a first run, a
   disabled segment makes it ``ignored``.
2. Under an in-process lock per source host, it is *claimed*: one
   conditional UPDATE makes this engine (``[DEFAULT] host``) its owner with
   a lease of ``notification_lease_seconds``: from ``new``/``error`` to
   ``running`` for ``NEW`` and ``RETRY``; a ``running`` one whose lease
   expired for ``EXPIRED``; one this engine's previous run left for
   ``OWN``. When that changes no row another engine (or thread) has it:
   skip. So a notification is never run by two engines at once.
3. While it runs, the engine's heartbeat renews the lease
   (``masakari.engine.leases``); ``recovery.recover`` runs what the payload
   asks for; the outcome (``finished``, ``ignored`` or ``error``, ``failed``
   on a retry) and its message are stored only if this engine still owns
   the notification, and the lease is dropped.
4. Versioned notifications ``notification.process.start`` and ``.end`` (or
   ``.error``) are emitted around it.

A notification whose engine died stays ``running`` until its lease
expires; then any engine's sweep takes it over and runs the recovery
again. The tasks are idempotent (they check Nova before acting), so the
second run finishes what the first started without repeating what it did.
A restarted engine takes back its own running notifications at once
(``take_over_own``).
"""

import threading

import futurist
from futurist import waiters
from oslo_log import log as logging
import oslo_messaging as messaging
from stevedore import driver as stevedore_driver

from masakari.conf import CONF
from masakari import context as masakari_context
from masakari.db import api as db_api
from masakari.engine import claims
from masakari.engine.claims import Claim
from masakari.engine import held
from masakari.engine.evacuation import listener as nova_listener
from masakari.engine import leases
from masakari.engine import protection_watch
from masakari.engine import recovery
from masakari import exception
from masakari.ha import notifications as ha_notifications
from masakari.metrics import engine as engine_metrics
from masakari import notifications

LOG = logging.getLogger(__name__)

DRIVER_NAMESPACE = 'masakari.driver'
# Notifications recovered at the same time by one engine (each one may run
# host_failure_recovery_threads evacuations).
MAX_CONCURRENT_NOTIFICATIONS = 32
# How long stop() waits for recoveries in progress by default.
SHUTDOWN_TIMEOUT = 60.0

STOPPED_MESSAGE = ("masakari-engine on host '%s' stopped before this "
                   'recovery finished; the next engine to look takes it '
                   'over.')


def load_driver(name=None):
    """The notification driver named by ``[DEFAULT] notification_driver``."""
    name = name or CONF.notification_driver
    return stevedore_driver.DriverManager(DRIVER_NAMESPACE, name,
                                          invoke_on_load=True).driver


def _notify(context, notification, phase, exc=None):
    """Emit ``notification.process.<phase>``; never fails a recovery."""
    try:
        notifications.notify_notification_process(context, notification,
                                                  phase, exception=exc)
    except Exception:
        LOG.exception('Could not emit notification.process.%s for %s',
                      phase, notification.notification_uuid)


class MasakariManager:
    """RPC endpoint and processing rules of the engine."""

    target = messaging.Target(version='1.1')

    def __init__(self, driver=None, max_workers=MAX_CONCURRENT_NOTIFICATIONS,
                 host=None):
        self.driver = driver or load_driver()
        self.host = host or CONF.host
        self.max_workers = max_workers
        self._executor = futurist.ThreadPoolExecutor(max_workers=max_workers)
        self._host_locks = {}
        self._guard = threading.Lock()
        self._futures = {}
        self._stopping = False
        self.heartbeat = leases.Heartbeat()
        # What the periodic protection check saw last, per segment.
        self.protection_watch = protection_watch.ProtectionWatch()

    # --- RPC endpoints -----------------------------------------------------
    def process_notification(self, context, notification):
        """Cast by the API after storing a new notification."""
        uuid = notification['notification_uuid']
        LOG.info('Received notification %s of type %s', uuid,
                 notification.get('type'))
        self.submit(context, uuid)

    def get_notification_recovery_workflow_details(self, context,
                                                   notification):
        """The per-task progress of the notification's latest attempt."""
        recovery_method = None
        segment_uuid = notification.get('failover_segment_uuid')
        if segment_uuid:
            try:
                recovery_method = db_api.segment_get_by_uuid(
                    segment_uuid).recovery_method
            except exception.NotFound:
                pass
        return self.driver.get_notification_recovery_workflow_details(
            context, recovery_method, notification)

    # --- scheduling --------------------------------------------------------
    def submit(self, context, uuid, claim=Claim.NEW, expected=None):
        """Process notification ``uuid`` on the engine's thread pool.

        Returns the future, or None when the engine is stopping or already
        has this notification queued.
        """
        with self._guard:
            if self._stopping:
                LOG.info('Engine stopping: notification %s left for later',
                         uuid)
                return None
            if uuid in self._futures:
                return None
            future = self._executor.submit(self.process, context, uuid,
                                           claim, expected)
            self._futures[uuid] = future
        future.add_done_callback(lambda _: self._forget(uuid, future))
        return future

    def busy(self):
        """The notifications queued or running here; None when stopping."""
        with self._guard:
            return None if self._stopping else set(self._futures)

    def _forget(self, uuid, future):
        with self._guard:
            if self._futures.get(uuid) is future:
                del self._futures[uuid]
        # Nobody waits for the future of a cast: an error that escaped
        # ``process`` (the database refusing it, say) would go unseen.
        if not future.cancelled() and future.exception() is not None:
            exc = future.exception()
            LOG.error('Processing notification %s failed: %s; the '
                      'periodic tasks take it up again', uuid, exc,
                      exc_info=exc)

    def _host_lock(self, host_uuid):
        with self._guard:
            return self._host_locks.setdefault(host_uuid, threading.Lock())

    def stop(self, timeout=SHUTDOWN_TIMEOUT):
        """Stop taking work; wait up to ``timeout`` s for running recoveries.

        Queued notifications were never claimed and stay ``new`` (or
        ``error``) for the periodic task of any engine. A recovery still
        running after ``timeout`` is released: this engine stops working
        on it and its lease expires at once, so another engine (or this
        one restarted) takes it over and finishes it, instead of it staying
        ``running``.
        """
        with self._guard:
            self._stopping = True
            futures = dict(self._futures)
        for future in futures.values():
            future.cancel()
        running = {uuid: f for uuid, f in futures.items()
                   if not f.cancelled()}
        if running:
            LOG.info('Waiting up to %ss for %d recoveries in progress',
                     timeout, len(running))
            waiters.wait_for_all(list(running.values()), timeout=timeout)
        for lease in self.heartbeat.held():
            future = running.get(lease.notification_uuid)
            if future is None or future.done():
                continue
            LOG.warning('Recovery of notification %s did not finish before '
                        'shutdown; releasing it for another engine',
                        lease.notification_uuid)
            self.release(lease)
        self.heartbeat.stop()
        # After the recoveries: they may still wait for Nova's events.
        nova_listener.stop()
        self._executor.shutdown(wait=False)
        close = getattr(self.driver, 'close', None)
        if close is not None:
            close()

    def release(self, lease):
        """Give a running notification up: its tasks stop at their next
        step and its lease expires now."""
        lease.lose()
        self.heartbeat.drop(lease)
        try:
            db_api.notification_release(
                lease.notification_uuid, self.host,
                {'message': STOPPED_MESSAGE % self.host})
        except Exception:  # the lease then expires by itself
            LOG.exception('Could not release notification %s',
                          lease.notification_uuid)

    @property
    def claim_message(self):
        """The message of a notification this engine is processing."""
        return ("Being processed by masakari-engine on host '%s'."
                % self.host)

    def take_over_own(self, context=None):
        """Resume what a previous run of this engine left running.

        Called at start-up, before any notification is taken: a
        notification still ``running`` under this engine's host name was
        being processed by this host's engine when it died (killed, power
        loss), so it is taken back at once instead of after its lease
        expires. Engine host names (``[DEFAULT] host``) must be unique, as
        they must be for their RPC servers anyway. Returns the futures.
        """
        context = context or masakari_context.get_admin_context()
        futures = []
        for row in db_api.notifications_held_by(self.host):
            LOG.warning('Notification %s was left running by a previous run '
                        'of this engine; resuming it', row.notification_uuid)
            future = self.submit(context, row.notification_uuid,
                                 Claim.OWN)
            if future is not None:
                futures.append(future)
        return futures

    # --- processing --------------------------------------------------------
    def process(self, context, uuid, claim=Claim.NEW, expected=None):
        """Claim notification ``uuid`` as ``claim`` says and run it; returns
        its final status, ``'held'`` when a pause or the storm brake holds
        it for an operator, or None when it is not this engine's to run.

        ``expected``: the statuses to claim it from, when they are narrower
        than the claim's own (the periodic task names the one it saw).
        """
        context.update_store()
        expected = list(expected or claims.EXPECTED[claim])
        try:
            notification = db_api.notification_get_by_uuid(uuid)
        except exception.NotFound:
            LOG.warning('Notification %s does not exist; nothing to do',
                        uuid)
            return None
        if notification.status not in expected:
            LOG.info('Notification %s is %s, not %s: another engine has '
                     'handled it; skipping', uuid, notification.status,
                     '/'.join(expected))
            return None
        host = _source_host(notification)
        if ha_notifications.ignore_for_disabled_segment(
                host, retry=claim is not Claim.NEW):
            return self._ignore(notification, host, expected)
        with self._host_lock(notification.source_host_uuid):
            if self._stopping:
                return None
            claimed = claims.claim(uuid, claim, self.host, expected,
                                   self.claim_message)
            if claimed is None:
                LOG.info('Notification %s was claimed by another engine; '
                         'skipping', uuid)
                return None
            if isinstance(claimed, claims.Held):
                held.report(context, claimed, host)
                return 'held'
            if claim in (Claim.EXPIRED, Claim.OWN):
                engine_metrics.LEASE_TAKEOVERS.inc()
                LOG.warning('Processing notification %s of type %s again: '
                            'taken over from masakari-engine on host %s',
                            uuid, claimed.type, notification.engine_host)
            else:
                LOG.info('Processing notification %s of type %s%s', uuid,
                         claimed.type,
                         ' (retry)' if claim is Claim.RETRY else '')
            return self._run(context, claimed, host,
                             retry=claim is Claim.RETRY)

    def _ignore(self, notification, host, expected):
        """A first run from a disabled segment: ``ignored``."""
        uuid = notification.notification_uuid
        updated = db_api.notification_update(
            uuid, {'status': 'ignored',
                   'message': ha_notifications.SEGMENT_DISABLED_MESSAGE},
            expected_statuses=expected)
        if updated is None:
            return None
        LOG.info('Notification %s ignored: segment %s is disabled', uuid,
                 host.failover_segment.uuid)
        return 'ignored'

    def _run(self, context, claimed, host, retry):
        """Run a claimed notification under its lease; record the outcome
        (and measure it)."""
        with engine_metrics.recovery(
                claimed, host.name if host else claimed.source_host_uuid,
        ) as measured:
            measured.status = self._run_leased(context, claimed, host, retry)
            return measured.status

    def _run_leased(self, context, claimed, host, retry):
        uuid = claimed.notification_uuid
        lease = self.heartbeat.hold(uuid, self.host)
        try:
            _notify(context, claimed, 'start')
            outcome = recovery.recover(self.driver, context, claimed, host,
                                       lease)
            if lease.lost:
                LOG.warning('Notification %s: this engine lost its lease; '
                            'the engine that took it over records the '
                            'outcome', uuid)
                return None
            status = ('failed' if outcome.status == 'error' and retry
                      else outcome.status)
            final = recovery.record_outcome(uuid, self.host, status,
                                            outcome.message)
        finally:
            self.heartbeat.drop(lease)
        if final is None:
            LOG.warning('Notification %s was taken over by another engine '
                        'before this one recorded its outcome (%s: %s)',
                        uuid, status, outcome.message)
            return None
        if outcome.failed:
            # An operator's log filter at WARNING must show these.
            LOG.warning('Notification %s is %s: %s', uuid, status,
                        outcome.message)
            _notify(context, final, 'error',
                    exc=outcome.error or outcome.message)
        else:
            LOG.info('Notification %s is %s: %s', uuid, status,
                     outcome.message)
            _notify(context, final, 'end')
        return status


def _source_host(notification):
    """The notification's source host, or None when it was deleted."""
    try:
        return db_api.host_get_by_uuid(notification.source_host_uuid)
    except exception.NotFound:
        return None
