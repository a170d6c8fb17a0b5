"""The engine: takes notifications, runs their recovery, keeps them moving.

``MasakariManager`` is the RPC endpoint (topic ``[DEFAULT] masakari_topic``)
and holds the processing rules; it runs each notification on its own
thread pool. ``masakari.engine.service.EngineService`` puts it behind an
RPC server and runs its periodic tasks.

How one notification is processed (``MasakariManager.process``):

1. Its segment is disabled → ``ignored`` (first run only).
2. Under an in-process lock per source host, it is *claimed*: one
   conditional UPDATE moves it from ``new`` (or ``error`` on a retry) to
   ``running`` and records this engine (``[DEFAULT] host``) as its owner
   with a lease of ``notification_lease_seconds``. When that changes no
   row another engine (or thread) has it: skip. So a notification is
   never run by two engines at once, whatever the number of engines.
3. While it runs, the engine's heartbeat renews the lease
   (``masakari.engine.leases``). ``rules.decide`` says what the payload
   asks for; the driver runs the flow; the outcome (``finished``,
   ``ignored`` or ``error``, ``failed`` on the retry path) and a message
   explaining it are stored, only if this engine still owns it, and the
   lease is dropped.
4. Versioned notifications ``notification.process.start`` and ``.end`` (or
   ``.error``) are emitted around it.

A notification whose engine died stays ``running`` until its lease
expires; then any engine's sweep (``take_over_expired``) takes it over
with another conditional UPDATE and runs the recovery again. The tasks are
idempotent (they check Nova before acting), so the second run finishes
what the first started without repeating what it did. A restarted engine
takes back its own running notifications at once
(``take_over_own``).
"""

import json
import threading
import time

import futurist
from futurist import waiters
from oslo_log import log as logging
import oslo_messaging as messaging
from oslo_utils import timeutils
from stevedore import driver as stevedore_driver

from masakari.conf import CONF
from masakari import context as masakari_context
from masakari.db import api as db_api
from masakari.engine import leases
from masakari.engine import rules
from masakari import exception

LOG = logging.getLogger(__name__)

DRIVER_NAMESPACE = 'masakari.driver'
# Notifications recovered at the same time by one engine (each one may run
# host_failure_recovery_threads evacuations).
MAX_CONCURRENT_NOTIFICATIONS = 32
# How long stop() waits for recoveries in progress by default.
SHUTDOWN_TIMEOUT = 60.0
# Back-off of the retried write of a notification's outcome.
OUTCOME_RETRY_FIRST_DELAY = 0.5
OUTCOME_RETRY_MAX_DELAY = 5.0

STOPPED_MESSAGE = ("masakari-engine on host '%s' stopped before this "
                   'recovery finished; the next engine to look takes it '
                   'over.')


def load_driver(name=None):
    """The notification driver named by ``[DEFAULT] notification_driver``."""
    name = name or CONF.notification_driver
    return stevedore_driver.DriverManager(DRIVER_NAMESPACE, name,
                                          invoke_on_load=True).driver


def _notify(context, notification, phase, exc=None):
    """Emit ``notification.process.<phase>`` if the emitter is there."""
    try:
        from masakari import notifications
        emit = notifications.notify_notification_process
    except (ImportError, AttributeError):
        return
    try:
        emit(context, notification, phase, exception=exc)
    except Exception:  # telemetry must never break a recovery
        LOG.exception('Could not emit notification.process.%s for %s',
                      phase, notification.notification_uuid)


def _load_payload(notification):
    try:
        payload = json.loads(notification.payload or '{}')
    except (TypeError, ValueError):
        return {}
    return payload if isinstance(payload, dict) else {}


class MasakariManager:
    """RPC endpoint and processing rules of the engine."""

    target = messaging.Target(version='1.1')

    def __init__(self, driver=None, max_workers=MAX_CONCURRENT_NOTIFICATIONS,
                 host=None):
        self.driver = driver or load_driver()
        self.host = host or CONF.host
        self._max_workers = max_workers
        self._executor = futurist.ThreadPoolExecutor(max_workers=max_workers)
        self._host_locks = {}
        self._guard = threading.Lock()
        self._futures = {}
        self._stopping = False
        self.heartbeat = leases.Heartbeat()

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
    def submit(self, context, uuid, retry=False, expected=None,
               takeover=None):
        """Process notification ``uuid`` on the engine's thread pool.

        ``takeover`` (``'expired'`` or ``'own'``) resumes a running one
        instead (see ``take_over``). Returns the future, or None when the
        engine is stopping or already has this notification queued.
        """
        with self._guard:
            if self._stopping:
                LOG.info('Engine stopping: notification %s left for later',
                         uuid)
                return None
            if uuid in self._futures:
                return None
            if takeover is not None:
                future = self._executor.submit(self.take_over, context, uuid,
                                               own=takeover == 'own')
            else:
                future = self._executor.submit(self.process, context, uuid,
                                               retry, expected)
            self._futures[uuid] = future
        future.add_done_callback(lambda _: self._forget(uuid, future))
        return future

    def _forget(self, uuid, future):
        with self._guard:
            if self._futures.get(uuid) is future:
                del self._futures[uuid]

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
                                 takeover='own')
            if future is not None:
                futures.append(future)
        return futures

    def take_over_expired(self, context=None):
        """The sweep: resume running notifications whose lease expired.

        Their engine stopped renewing (killed, frozen, cut off from the
        database). Each is taken over with a conditional UPDATE, so of
        several engines sweeping at once one gets it. At most as many as
        the thread pool has free slots are taken per sweep; the rest wait
        for the next. Returns the futures.
        """
        context = context or masakari_context.get_admin_context()
        with self._guard:
            if self._stopping:
                return []
            busy = set(self._futures)
        free = self._max_workers - len(busy)
        if free <= 0:
            return []
        futures = []
        for row in db_api.notifications_with_expired_lease(
                limit=free + len(busy)):
            if row.notification_uuid in busy or len(futures) >= free:
                continue
            LOG.warning('The lease of notification %s held by engine %s '
                        'expired at %s; taking it over',
                        row.notification_uuid, row.engine_host,
                        row.lease_expires_at)
            future = self.submit(context, row.notification_uuid,
                                 takeover='expired')
            if future is not None:
                futures.append(future)
        return futures

    # --- processing --------------------------------------------------------
    def process(self, context, uuid, retry=False, expected=None):
        """Process one notification; returns its final status or None.

        ``retry`` is the periodic path: the segment's ``enabled`` flag is
        not checked again, and an ``error`` outcome becomes ``failed``.
        """
        if hasattr(context, 'update_store'):
            context.update_store()
        expected = list(expected or (['error', 'new'] if retry else ['new']))
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
        try:
            host = db_api.host_get_by_uuid(notification.source_host_uuid)
        except exception.NotFound:
            host = None
        if not retry and host is not None and \
                not host.failover_segment.enabled:
            updated = db_api.notification_update(
                uuid, {'status': 'ignored',
                       'message': rules.SEGMENT_DISABLED_MESSAGE},
                expected_statuses=expected)
            if updated is not None:
                LOG.info('Notification %s ignored: segment %s is disabled',
                         uuid, host.failover_segment.uuid)
                return 'ignored'
            return None
        with self._host_lock(notification.source_host_uuid):
            if self._stopping:
                return None
            claimed = db_api.notification_claim(
                uuid, self.host, CONF.notification_lease_seconds, expected,
                message=self.claim_message)
            if claimed is None:
                LOG.info('Notification %s was claimed by another engine; '
                         'skipping', uuid)
                return None
            LOG.info('Processing notification %s of type %s%s', uuid,
                     claimed.type, ' (retry)' if retry else '')
            return self._run(context, claimed, host, retry)

    def take_over(self, context, uuid, own=False):
        """Resume a running notification whose lease expired (with
        ``own``: that this engine's previous run held); returns its final
        status, or None when another engine got it first."""
        if hasattr(context, 'update_store'):
            context.update_store()
        try:
            notification = db_api.notification_get_by_uuid(uuid)
        except exception.NotFound:
            return None
        try:
            host = db_api.host_get_by_uuid(notification.source_host_uuid)
        except exception.NotFound:
            host = None
        with self._host_lock(notification.source_host_uuid):
            if self._stopping:
                return None
            claimed = db_api.notification_take_over(
                uuid, self.host, CONF.notification_lease_seconds,
                message=self.claim_message, own=own)
            if claimed is None:
                LOG.info('Notification %s is no longer running with an '
                         'expired lease: another engine has it; skipping',
                         uuid)
                return None
            LOG.warning('Processing notification %s of type %s again: '
                        'taken over from masakari-engine on host %s',
                        uuid, claimed.type, notification.engine_host)
            return self._run(context, claimed, host, retry=False)

    def _run(self, context, claimed, host, retry):
        """Run a claimed notification under its lease; record the outcome."""
        uuid = claimed.notification_uuid
        lease = self.heartbeat.hold(uuid, self.host)
        try:
            _notify(context, claimed, 'start')
            status, message, error = self._recover(context, claimed, host,
                                                   lease)
            if lease.lost:
                LOG.warning('Notification %s: this engine lost its lease; '
                            'the engine that took it over records the '
                            'outcome', uuid)
                return None
            if status == 'error' and retry:
                status = 'failed'
            final = self._record_outcome(uuid, status, message)
        finally:
            self.heartbeat.drop(lease)
        if final is None:
            LOG.warning('Notification %s was taken over by another engine '
                        'before this one recorded its outcome (%s: %s)',
                        uuid, status, message)
            return None
        # An operator's log filter at WARNING must show failed recoveries.
        log = LOG.warning if status in ('error', 'failed') else LOG.info
        log('Notification %s is %s: %s', uuid, status, message)
        if status in ('error', 'failed'):
            _notify(context, final, 'error', exc=error or message)
        else:
            _notify(context, final, 'end')
        return status

    def _record_outcome(self, uuid, status, message):
        """Write the outcome, trying again while the database is away.

        A recovery cut short by a database restart ends ``error``; written
        as soon as the database is back, the periodic task retries it then,
        instead of after its lease has run out. The lease is held (and
        renewed once the database answers) meanwhile.
        """
        deadline = time.monotonic() + CONF.notification_lease_seconds
        delay = OUTCOME_RETRY_FIRST_DELAY
        while True:
            try:
                return db_api.notification_finish(
                    uuid, self.host, {'status': status, 'message': message})
            except db_api.UNAVAILABLE_ERRORS as exc:
                if time.monotonic() + delay > deadline:
                    raise
                LOG.warning('Cannot record that notification %s is %s (%s);'
                            ' trying again in %.1fs', uuid, status, exc,
                            delay)
                time.sleep(delay)
                delay = min(delay * 2, OUTCOME_RETRY_MAX_DELAY)

    def _recover(self, context, notification, host, lease=None):
        """Run what the notification asks for: (status, message, exc)."""
        if host is None:
            message = ("The source host '%s' of this notification no longer "
                       'exists.' % notification.source_host_uuid)
            return 'error', message, None
        payload = _load_payload(notification)
        decision = rules.decide(notification.type, payload)
        if decision.outcome is not None:
            return decision.outcome, decision.message, None
        try:
            if decision.set_maintenance:
                values = {'on_maintenance': True}
                if decision.recovery == 'host' and host.reserved:
                    values['reserved'] = False
                db_api.host_update(host.uuid, values, check_recovery=False)
            if decision.recovery == 'host':
                message = self._recover_host(context, notification, host,
                                             lease)
            elif decision.recovery == 'process':
                message = self._recover_process(context, notification, host,
                                                decision.process_name, lease)
            else:
                message = self._recover_instance(context, notification,
                                                 decision.instance_uuid,
                                                 lease)
        except leases.LeaseLost as exc:
            return 'error', exc.message, exc
        except exception.SkipRecovery as exc:
            return 'finished', exc.message, None
        except exception.IgnoreInstanceRecoveryException as exc:
            return 'ignored', exc.message, None
        except exception.MasakariException as exc:
            return 'error', exc.message, exc
        except Exception as exc:
            LOG.exception('Unexpected failure processing notification %s',
                          notification.notification_uuid)
            return 'error', 'Unexpected error: %s' % exc, exc
        return 'finished', message, None

    def _recover_host(self, context, notification, host, lease):
        segment = host.failover_segment
        method = segment.recovery_method
        reserved = []
        if method != 'auto':
            reserved = [candidate.name for candidate in
                        db_api.reserved_hosts_of_segment(segment.uuid)
                        if candidate.uuid != host.uuid]
        self.driver.execute_host_failure(
            context, host.name, method, notification.notification_uuid,
            reserved_host_list=reserved, lease=lease)
        moved = db_api.vmove_get_all(filters={
            'notification_uuid': notification.notification_uuid,
            'status': 'succeeded'})
        return ("Host '%s' recovered (%s): %d instance(s) evacuated."
                % (host.name, method, len(moved)))

    def _recover_process(self, context, notification, host, process_name,
                         lease):
        if process_name != 'nova-compute':
            return ("Host '%s' set on maintenance; no recovery exists for "
                    "process '%s'." % (host.name, process_name))
        self.driver.execute_process_failure(
            context, process_name, host.name, notification.notification_uuid,
            lease=lease)
        return ("Process '%s' recovered: its service on host '%s' is "
                'disabled.' % (process_name, host.name))

    def _recover_instance(self, context, notification, instance_uuid,
                          lease):
        self.driver.execute_instance_failure(
            context, instance_uuid, notification.notification_uuid,
            lease=lease)
        return "Instance '%s' recovered: it is active again." % instance_uuid

    # --- periodic tasks ----------------------------------------------------
    def process_unfinished_notifications(self, context=None):
        """Retry ``error`` notifications once, and run lost ``new`` ones.

        An attempt from here that ends in error makes the notification
        ``failed``: every error gets exactly one automatic retry.
        Returns the futures of the notifications it dispatched.
        """
        context = context or masakari_context.get_admin_context()
        rows = db_api.notification_get_all(
            filters={'status': ['error', 'new']})
        futures = []
        for row in rows:
            if row.status == 'new' and not timeutils.is_older_than(
                    row.generated_time,
                    CONF.retry_notification_new_status_interval):
                continue
            LOG.info('Dispatching %s notification %s again', row.status,
                     row.notification_uuid)
            future = self.submit(context, row.notification_uuid, retry=True,
                                 expected=[row.status])
            if future is not None:
                futures.append(future)
        waiters.wait_for_all(futures)
        return futures

    def check_expired_notifications(self, context=None):
        """Mark ``failed`` what stayed new/running/error for too long."""
        interval = CONF.notifications_expired_interval
        rows = db_api.notification_get_all(
            filters={'status': ['new', 'running', 'error']})
        expired = 0
        for row in rows:
            if not timeutils.is_older_than(row.generated_time, interval):
                continue
            updated = db_api.notification_update(
                row.notification_uuid,
                {'status': 'failed', 'engine_host': None,
                 'lease_expires_at': None,
                 'message': 'Expired: still %s after %ss.'
                            % (row.status, interval)},
                expected_statuses=[row.status])
            if updated is not None:
                expired += 1
                LOG.warning('Notification %s expired (was %s)',
                            row.notification_uuid, row.status)
        return expired

    # Upstream's names for the two periodic tasks.
    _process_unfinished_notifications = process_unfinished_notifications
    _check_expired_notifications = check_expired_notifications
