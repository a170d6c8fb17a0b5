"""One run of a failed host's evacuations: ``HostEvacuation``.

A run evacuates the servers whose records (``records``) are unfinished,
``[DEFAULT] host_failure_recovery_threads`` (P) at a time in Nova while P
more get ready (``pacing.Slots``). For its lifetime it owns the slots, a
listing of the host's servers, renewed when old (``pacing.ServerSnapshot``),
and the watcher of Nova's evacuation records and events
(``watcher.Watcher``), and knows the failed host and the target. Each
server goes through the same steps on a thread of its own:

1. read it in Nova (from the listing) and decide the first step from
   Nova's state and its record (``plan.decide_start``);
2. record that its evacuation is asked for, lock it, reset it to error
   when Nova needs that, ask Nova to evacuate it (one of P in Nova);
3. wait until it runs elsewhere (``confirm``), stop it again or restore
   its error state when its plan says so, unlock it;
4. record the outcome: unlocked first, so an engine killed in between
   leaves a record that says the server is still locked by masakari.

The task that owns the run (``task``) reports progress and holds the
engine's lease: nothing more is asked of Nova once the lease is lost.
"""

from concurrent import futures
import time

from oslo_log import log as logging

from masakari.conf import CONF
from masakari.engine.evacuation import confirm
from masakari.engine.evacuation import listener
from masakari.engine.evacuation import pacing
from masakari.engine.evacuation import plan as planning
from masakari.engine.evacuation import records
from masakari.engine.evacuation import selection
from masakari.engine.evacuation import watcher as evacuation_watcher
from masakari.engine import leases
from masakari.engine import waiting
from masakari import exception
from masakari.metrics import engine as engine_metrics

LOG = logging.getLogger(__name__)


class HostEvacuation:
    """The evacuations of one failed host, to ``target`` when given."""

    def __init__(self, task, source_host, unfinished, target=None,
                 priority_key=None, wait_by_priority=False,
                 notification_uuid=None):
        self.task = task
        # Whose listing of the host (``pacing.RECENT_LISTINGS``) to use.
        self.notification_uuid = notification_uuid
        self.nova = task.novaclient
        self.context = task.context
        self.source_host = source_host
        self.target = target
        self.unfinished = list(unfinished)
        # Restart order: see ``selection``.
        self.priority_key = priority_key
        self.wait_by_priority = wait_by_priority
        self.parallel = max(1, min(CONF.host_failure_recovery_threads,
                                   len(self.unfinished) or 1))
        self.slots = pacing.Slots(self.parallel)
        self.watcher = evacuation_watcher.Watcher(
            self.nova, self.context, source_host,
            interval=CONF.host_failure.evacuation_watch_interval,
            events=listener.ensure_started(),
            server_ids=[record.instance_uuid for record in self.unfinished],
            event_interval=CONF.nova_events.evacuation_watch_interval,
            unwatched_interval=max(CONF.verify_interval,
                                   waiting.FIRST_INTERVAL))
        # Listed when the run starts.
        self.snapshot = None
        # When each server's evacuation was asked of Nova (monotonic).
        self.asked_at = {}
        self.succeeded = []
        self.order = selection.StartOrder([])

    def run(self):
        """Evacuate the servers of the unfinished records; returns when
        every one has an outcome (recorded, or left to the engine that
        took the notification over)."""
        self.task.update_details(
            'Evacuating %d instance(s) from host %s%s, %d at a time'
            % (len(self.unfinished), self.source_host, self._to(),
               self.parallel), 0.4)
        with self.watcher, futures.ThreadPoolExecutor(
                max_workers=min(2 * self.parallel,
                                len(self.unfinished) or 1),
                thread_name_prefix='evacuate-%s' % self.source_host) as pool:
            self.snapshot = self._list_servers()
            levels = self._in_priority_order()
            self.order = selection.StartOrder(
                [[record.instance_uuid for record in level]
                 for level in levels])
            if not self.wait_by_priority:
                levels = [[record for level in levels for record in level]]
            for level in levels:
                self.task.wait_reporting_progress(
                    [pool.submit(self._recover_one, record)
                     for record in level])
        if self.succeeded:
            engine_metrics.TIMELINE.mark(self.source_host, 'last_active')

    def _in_priority_order(self):
        """The unfinished records by restart priority, highest first."""
        if not self.priority_key:
            return [self.unfinished]
        listed = self.snapshot.listed()
        return selection.in_priority_order(
            self.unfinished, lambda record: selection.priority(
                listed.get(record.instance_uuid), self.priority_key))

    def _to(self):
        return " to '%s'" % self.target if self.target else ''

    def _list_servers(self):
        servers = []
        if self.unfinished:
            recent = pacing.RECENT_LISTINGS.take(
                self.notification_uuid, self.source_host,
                relist=self._relist)
            if recent is not None:
                return recent
            try:
                servers = self._relist()
            except exception.MasakariException as exc:
                LOG.warning('Cannot list the servers of %s (%s); each is '
                            'read on its own', self.source_host, exc.message)
        return pacing.ServerSnapshot(servers, relist=self._relist)

    def _relist(self):
        return self.nova.get_servers(self.context, self.source_host)

    # --- one server, from start to outcome ---------------------------------
    def _recover_one(self, record):
        try:
            self.order.wait_turn(record.instance_uuid)
            with self.slots.server():
                # Nothing more for an engine that lost the notification.
                self.task.confirm_lease()
                self._evacuate_and_record(record)
        except leases.LeaseLost:
            return
        except waiting.WaitTimeout as exc:
            self._failed(record, 'Failed reason: timeout. %s' % exc)
        except exception.InstanceNotFound:
            if self._still_owner():
                records.mark_ignored(record, 'The instance no longer '
                                             'exists in Nova.')
                self.task.update_details("Instance '%s' no longer exists: "
                                         'nothing to evacuate'
                                         % record.instance_uuid, 0.8)
        except (exception.MasakariException, confirm.EvacuationFailed) as exc:
            self._failed(record, getattr(exc, 'message', str(exc)))
        except Exception as exc:  # a bug must not hide the other servers
            LOG.exception('Unexpected error evacuating %s',
                          record.instance_uuid)
            self._failed(record, str(exc))
        finally:
            self.order.started(record.instance_uuid)

    def _still_owner(self):
        """False once another engine has the notification: then its record
        of this server is not ours to overwrite (Nova may have refused
        this engine's late request because the other one already moved
        the server)."""
        try:
            self.task.confirm_lease()
        except leases.LeaseLost:
            return False
        return True

    def _failed(self, record, message):
        if not self._still_owner():
            return
        self._measure(record, 'failed')
        records.mark_failed(record, message)
        self.task.update_details("Failed to evacuate instance '%s': %s"
                                 % (record.instance_uuid, message), 0.8)

    def _succeeded(self, record, server, message):
        self._measure(record, 'succeeded')
        self.succeeded.append(record.instance_uuid)
        engine_metrics.TIMELINE.mark(self.source_host, 'first_active')
        records.mark_succeeded(record, server.host)
        self.task.update_details(message, 0.8)

    def _evacuated(self, record, server):
        self._succeeded(record, server, "Instance '%s' evacuated to host "
                                        "'%s'" % (server.id, server.host))

    def _evacuate_and_record(self, record):
        server = (self.snapshot.take(record.instance_uuid) or
                  self.nova.get_server(self.context, record.instance_uuid))
        start = planning.decide_start(server, record, self.source_host)
        if start.action is planning.Action.ALREADY_MOVED:
            self._unlock(server, start.unlock)
            self._succeeded(record, server,
                            "Instance '%s' is already on host '%s' (evacuated "
                            'earlier): not evacuated again'
                            % (server.id, server.host))
            return
        if start.action is planning.Action.AWAIT_EARLIER:
            self.order.started(server.id)
            self.task.update_details(
                "Instance '%s' is already being evacuated (%s): waiting for "
                'it, not evacuating it again'
                % (server.id, planning.describe(server)), 0.5)
            try:
                server = confirm.wait_for_evacuation(
                    self.nova, self.context, server, self.source_host, None,
                    self.watcher)
            finally:
                self._unlock(server, start.unlock)
            self._evacuated(record, server)
            return
        # Recorded before the lock, so whoever finishes this unlocks it.
        record = records.mark_requested(record, start.unlock)
        if start.lock:
            self.nova.lock_server(self.context, server.id)
        try:
            server = self._evacuate(server, start.plan)
        finally:
            self._unlock(server, start.unlock)
        self._evacuated(record, server)

    def _unlock(self, server, ours):
        if not ours:
            return
        try:
            self.nova.unlock_server(self.context, server.id)
        except exception.MasakariException as exc:
            LOG.warning('Could not unlock server %s: %s', server.id,
                        exc.message)

    def _evacuate(self, server, plan):
        if plan.reset_to_error:
            self.task.update_details(
                "Resetting instance '%s' to error so Nova can evacuate it "
                '(%s)' % (server.id, planning.describe(server)), 0.5)
            self.nova.reset_instance_state(self.context, server.id, 'error')
        self.task.update_details("Evacuating instance '%s' (%s) from host "
                                 "'%s'%s" % (server.id, server.vm_state,
                                             self.source_host, self._to()),
                                 0.5)
        with self.slots.in_nova() as leave_nova:
            self.task.confirm_lease()
            self.watcher.forget(server.id)
            self._ask_nova(server)
            self.order.started(server.id)
            try:
                server = confirm.wait_for_evacuation(
                    self.nova, self.context, server, self.source_host,
                    plan.expected_vm_state, self.watcher,
                    on_ended=leave_nova)
            except confirm.EvacuationFailed:
                self._undo_error_state(server, plan)
                raise
        self.task.check_lease()
        if plan.stop_after and server.vm_state != 'stopped':
            self.task.update_details(
                "Stopping instance '%s' again on host '%s' (it was not "
                'running before)' % (server.id, server.host), 0.7)
            confirm.stop_and_wait(self.nova, self.context, server.id)
        if plan.restore_error:
            self.nova.reset_instance_state(self.context, server.id, 'error')
        return server

    def _measure(self, record, outcome):
        asked = self.asked_at.pop(record.instance_uuid, None)
        if asked is not None:
            engine_metrics.EVACUATION_SECONDS.labels(outcome).observe(
                time.monotonic() - asked)

    def _ask_nova(self, server):
        self.asked_at[server.id] = time.monotonic()
        try:
            self.nova.evacuate_instance(self.context, server.id,
                                        target=self.target)
        except (exception.NovaUnavailable, exception.Conflict):
            # No answer (did Nova take it anyway?), or refused because an
            # evacuation is under way already: a request of an earlier
            # attempt that Nova took late. Either way, Nova's state says.
            current = self.nova.get_server(self.context, server.id)
            if (current.task_state not in planning.REBUILD_TASK_STATES and
                    current.host == self.source_host):
                raise

    def _undo_error_state(self, server, plan):
        """Nova sets a server whose evacuation failed to error; put an
        active one back to active, so a retry brings it back running
        instead of treating it as an error server (stopped at the end)."""
        if plan.reset_to_error or plan.expected_vm_state != 'active':
            return
        try:
            current = self.nova.get_server(self.context, server.id)
            if (current.host == self.source_host and
                    current.vm_state == 'error' and
                    current.task_state is None):
                self.nova.reset_instance_state(self.context, server.id,
                                               'active')
                self.task.update_details("Instance '%s' reset back to "
                                         'active after its failed '
                                         'evacuation' % server.id, 0.7)
        except exception.MasakariException as exc:
            LOG.warning('Could not reset %s back to active: %s', server.id,
                        exc.message)
