"""Host failure: fence the compute service, pick instances, evacuate them.

Flow store: ``host_name``, ``notification_uuid`` and, for the reserved-host
methods, ``reserved_host_list`` (the retry controller turns it into
``reserved_host``, one spare host per attempt).

The tasks are idempotent, so a retried notification (or a retry onto the
next reserved host, or another engine taking over from one that died)
picks up where the last attempt stopped: the VMove rows of the
notification are the record of what is left to do, and Nova's real state
is checked before anything is evacuated again. An ``ongoing`` VMove whose
message is ``LOCKED_MESSAGE`` records that masakari locked the server, so
the attempt that finishes the evacuation unlocks it.
"""

from concurrent import futures as concurrent_futures
import dataclasses
import threading
import time

from oslo_log import log as logging
from oslo_utils import timeutils

from masakari.conf import CONF
from masakari.db import api as db_api
from masakari.engine import evacuation_pacing
from masakari.engine import evacuation_watch
from masakari.engine import leases
from masakari.compute import nova
from masakari.engine.tasks import base
from masakari.engine import waiting
from masakari import exception

LOG = logging.getLogger(__name__)

# vm_states Nova can evacuate without a reset.
EVACUABLE_VM_STATES = ('active', 'error', 'stopped')
# Statuses of Nova's evacuation record (migration) that mean it failed.
FAILED_RECORD_STATUSES = ('failed', 'error')
# How long a server may read "no task, still on the failed host" after its
# evacuation before it counts as failed (Nova's window between the two;
# see evacuation_progress) when Nova's record does not say.
SETTLE_GRACE = 30.0
REBUILD_TASK_STATES = ('rebuilding', 'rebuild_block_device_mapping',
                       'rebuild_spawning')
VMOVE_TYPE = 'evacuation'
UNFINISHED_VMOVES = ('pending', 'ongoing', 'failed')
# The message of an ongoing VMove whose server masakari locked.
LOCKED_MESSAGE = 'Evacuating; the instance is locked by masakari.'


# --- pure decisions ----------------------------------------------------------
def select_instances(servers, ha_key, evacuate_all, ignore_error_state):
    """Which servers of a failed host to evacuate, HA-enabled ones first.

    Returns ``(selected, skipped)``; ``skipped`` holds ``(server, reason)``.
    """
    ha_enabled, others, skipped = [], [], []
    for server in servers:
        if ignore_error_state and server.vm_state == 'error':
            skipped.append((server, 'it is in error state and '
                                    '[host_failure] '
                                    'ignore_instances_in_error_state is '
                                    'true'))
        elif server.metadata_flag(ha_key):
            ha_enabled.append(server)
        elif evacuate_all:
            others.append(server)
        else:
            skipped.append((server, 'it is not HA-enabled (metadata %s) and '
                                    '[host_failure] evacuate_all_instances '
                                    'is false' % ha_key))
    return ha_enabled + others, skipped


@dataclasses.dataclass(frozen=True)
class EvacuationPlan:
    """How one server is evacuated (contract §5.4, in one place).

    ``reset_to_error``: Nova only evacuates active, stopped or error servers
    with no task in progress, so others are reset to error first.
    ``expected_vm_state``: the vm_state the server keeps through the
    evacuation (compute API < 2.95); an error server comes back active.
    ``stop_after``: power the server off again once it runs elsewhere.
    ``restore_error``: reset it to error at the end, as it was.
    """

    reset_to_error: bool
    expected_vm_state: str
    stop_after: bool
    restore_error: bool


def plan_evacuation(server):
    vm_state, task_state = server.vm_state, server.task_state
    if vm_state not in EVACUABLE_VM_STATES:
        keep_running = (vm_state == 'resized' and
                        server.power_state != nova.POWER_STATE_SHUTDOWN)
        return EvacuationPlan(True, 'error', not keep_running, False)
    if task_state is not None:
        return EvacuationPlan(True, 'error', vm_state != 'active',
                              vm_state == 'error')
    if vm_state == 'error':
        return EvacuationPlan(False, 'error', True, True)
    return EvacuationPlan(False, vm_state, False, False)


def evacuation_progress(server, source_host, expected_vm_state,
                        record_status=None):
    """``'done'``, ``'failed'``, ``'settling'`` or None (still going) for a
    server polled after Nova accepted its evacuation.

    Nova sets task_state ``rebuilding`` before it answers the evacuate
    call. At the end, Nova's compute clears the task of the rebuilt server
    *before* it moves the server's host to itself (the resource tracker's
    ``finish_evacuation``, which first waits for the tracker's lock), so a
    server with no task still on the source host is either in that window
    or given up on. Only an error vm_state or Nova's evacuation record
    (``record_status`` ``failed``/``error``, when known) tell them apart at
    once; otherwise it is ``'settling'`` and the caller gives it a grace
    period before calling it failed.
    """
    if server.task_state is not None:
        return None
    if server.host == source_host:
        if (record_status in FAILED_RECORD_STATUSES or
                (server.vm_state == 'error' and expected_vm_state != 'error')):
            return 'failed'
        return 'settling'
    if server.vm_state == 'error':
        return 'failed' if expected_vm_state != 'error' else None
    return 'done'


def _describe(server):
    return ('vm_state=%s, task_state=%s, host=%s'
            % (server.vm_state, server.task_state, server.host))


# --- tasks -------------------------------------------------------------------
class DisableComputeServiceTask(base.MasakariTask):
    """Fence the failed host in Nova, then wait until Nova sees it down.

    Upstream sleeps ``wait_period_after_service_update`` (180 s) here. This
    task polls the service with growing intervals instead and goes on as
    soon as Nova reports it down; with ``[host_failure]
    force_down_failed_host`` it marks the service forced_down and goes on
    at once.
    """

    def execute(self, host_name):
        self.update_details("Disabling compute service on host: '%s'"
                            % host_name, 0.0)
        service = self.novaclient.get_service(self.context, host_name)
        forced = service.forced_down
        if CONF.host_failure.force_down_failed_host and not forced:
            # Before disabling: Nova then skips its call to the dead
            # compute, which would otherwise hold the disable for ~60 s.
            self.novaclient.force_down_service(self.context, host_name, True)
            forced = True
            self.update_details("Marked compute service on host '%s' as "
                                'forced down' % host_name, 0.3)
        if service.disabled:
            self.update_details("Compute service on host '%s' was already "
                                'disabled' % host_name, 0.5)
        else:
            self._disable(host_name)
        if forced:
            self.update_details("Compute service on host '%s' is disabled "
                                'and forced down' % host_name, 1.0)
            return
        timeout = CONF.wait_period_after_service_update
        self.update_details("Waiting up to %ss for Nova to report the compute "
                            "service on host '%s' down" % (timeout, host_name),
                            0.6)
        started = timeutils.utcnow()
        try:
            waiting.wait_for(
                lambda: self.novaclient.is_service_down(self.context,
                                                        host_name),
                timeout, what='compute service of %s down' % host_name)
        except waiting.WaitTimeout:
            self.update_details("Nova still reports the compute service on "
                                "host '%s' up after %ss; evacuating anyway"
                                % (host_name, timeout), 1.0)
            return
        elapsed = (timeutils.utcnow() - started).total_seconds()
        self.update_details("Disabled compute service on host: '%s'; Nova "
                            'reports it down after %.1fs'
                            % (host_name, elapsed), 1.0)

    def _disable(self, host_name):
        try:
            self.novaclient.enable_disable_service(
                self.context, host_name, enable=False,
                reason=CONF.host_failure.service_disable_reason)
        except exception.NovaUnavailable as exc:
            # Nova stores a disable at once but may answer only after its
            # call to the dead compute times out: check what it stored.
            if not self.novaclient.is_service_disabled(
                    self.context, host_name, 'nova-compute'):
                raise
            LOG.info('Disable of %s answered late (%s) but is stored',
                     host_name, exc.message)
        self.update_details("Disabled compute service on host '%s'"
                            % host_name, 0.5)


class PrepareHAEnabledInstancesTask(base.MasakariTask):
    """List the failed host's servers and record one VMove per evacuee.

    On a retry the VMoves of the earlier attempt are reused, never
    duplicated: those of servers still on the failed host go back to
    ``pending``; the evacuation task checks the others against Nova.
    """

    def execute(self, host_name, notification_uuid):
        self.update_details("Preparing instances for evacuation from host "
                            "'%s'" % host_name, 0.0)
        servers = self.novaclient.get_servers(self.context, host_name)
        conf = CONF.host_failure
        selected, skipped = select_instances(
            servers, conf.ha_enabled_instance_metadata_key,
            conf.evacuate_all_instances,
            conf.ignore_instances_in_error_state)
        self.update_details("Found %d instance(s) on host '%s'"
                            % (len(servers), host_name), 0.2)
        for server, reason in skipped:
            self.update_details("Skipping instance '%s' (%s): %s"
                                % (server.id, server.name, reason), 0.3)
        ha_key = conf.ha_enabled_instance_metadata_key
        for server in selected:
            kind = ('HA-enabled' if server.metadata_flag(ha_key)
                    else 'not HA-enabled, evacuate_all_instances is true')
            self.update_details("Instance '%s' (%s) will be evacuated: %s"
                                % (server.id, server.name, kind), 0.5)
        existing = {vmove.instance_uuid: vmove for vmove in
                    db_api.vmove_get_all(
                        filters={'notification_uuid': notification_uuid})}
        new_vmoves = []
        for server in selected:
            vmove = existing.get(server.id)
            if vmove is None:
                new_vmoves.append({
                    'notification_uuid': notification_uuid,
                    'instance_uuid': server.id,
                    'instance_name': server.name or server.id,
                    'source_host': host_name, 'type': VMOVE_TYPE,
                    'status': 'pending'})
            elif vmove.status not in ('pending', 'ongoing'):
                # Still on the failed host: evacuate it (again).
                db_api.vmove_update(vmove.uuid, {
                    'status': 'pending', 'end_time': None, 'message': None,
                    'dest_host': None})
        # One transaction for all of them: hundreds of instances per host.
        db_api.vmove_create_many(new_vmoves)
        unfinished = [vmove for vmove in existing.values()
                      if vmove.status in UNFINISHED_VMOVES]
        if not selected and not unfinished:
            message = ("Skipped host '%s' recovery: no instances to "
                       'evacuate' % host_name)
            self.update_details(message, 1.0)
            raise exception.SkipHostRecoveryException(message=message)
        self.update_details('%d instance(s) to evacuate: %s'
                            % (len(selected),
                               ', '.join(s.id for s in selected) or '-'),
                            1.0)


_RESERVED_HOST_LOCKS = {}
_RESERVED_HOST_LOCKS_GUARD = threading.Lock()


def _reserved_host_lock(name):
    with _RESERVED_HOST_LOCKS_GUARD:
        return _RESERVED_HOST_LOCKS.setdefault(name, threading.Lock())


class _EvacuationFailed(Exception):
    pass


class EvacuateInstancesTask(base.MasakariTask):
    """Evacuate the notification's pending VMoves, several at a time.

    Runs ``[DEFAULT] host_failure_recovery_threads`` evacuations in
    parallel. Each one checks the server in Nova first (already moved by
    an earlier attempt? still rebuilding?), locks it for the duration,
    evacuates it (to ``reserved_host`` when given), polls until it runs
    elsewhere and settles, stops it again when it was not running, and
    records the outcome in its VMove as it goes.
    """

    # Set for the duration of ``_evacuate_all``.
    _watcher = None
    _slots = None
    _snapshot = None

    def execute(self, host_name, notification_uuid, reserved_host=None):
        if not reserved_host:
            return self._evacuate_all(host_name, notification_uuid, None)
        lock = _reserved_host_lock(reserved_host)
        if not lock.acquire(blocking=False):
            raise exception.LockAlreadyAcquired(resource=reserved_host)
        try:
            self._prepare_reserved_host(host_name, reserved_host)
            return self._evacuate_all(host_name, notification_uuid,
                                      reserved_host)
        finally:
            lock.release()

    def _prepare_reserved_host(self, host_name, reserved_host):
        self.update_details("Enabling reserved host: '%s'" % reserved_host,
                            0.1)
        if CONF.host_failure.add_reserved_host_to_aggregate:
            for aggregate in self.novaclient.get_aggregate_list(self.context):
                if host_name not in aggregate.hosts:
                    continue
                if reserved_host in aggregate.hosts:
                    self.update_details(
                        "Reserved host '%s' is already in aggregate '%s'"
                        % (reserved_host, aggregate.name), 0.2)
                    continue
                try:
                    self.novaclient.add_host_to_aggregate(
                        self.context, reserved_host, aggregate)
                    self.update_details("Added reserved host '%s' to "
                                        "aggregate '%s'"
                                        % (reserved_host, aggregate.name),
                                        0.2)
                except exception.Conflict as exc:
                    self.update_details("Reserved host '%s' not added to "
                                        "aggregate '%s': %s"
                                        % (reserved_host, aggregate.name,
                                           exc.message), 0.2)
        self.novaclient.enable_disable_service(self.context, reserved_host,
                                               enable=True)
        update_host = self.options.get('update_host_method')
        if update_host is not None:
            update_host(self.context, reserved_host)
        else:
            host = db_api.host_get_by_name(reserved_host)
            db_api.host_update(host.uuid, {'reserved': False},
                               check_recovery=False)
        self.update_details("Reserved host '%s' enabled and no longer "
                            'reserved' % reserved_host, 0.3)

    def _evacuate_all(self, host_name, notification_uuid, reserved_host):
        vmoves = sorted(
            (vmove for vmove in db_api.vmove_get_all(
                filters={'notification_uuid': notification_uuid})
             if vmove.status in UNFINISHED_VMOVES),
            key=lambda vmove: vmove.id)
        threads = max(1, min(CONF.host_failure_recovery_threads,
                             len(vmoves) or 1))
        self.update_details('Evacuating %d instance(s) from host %s%s, %d at '
                            'a time' % (len(vmoves), host_name,
                                        " to '%s'" % reserved_host
                                        if reserved_host else '', threads),
                            0.4)
        # ``threads`` evacuations run in Nova at a time, and as many
        # servers get ready for a slot meanwhile (read, lock, record).
        self._slots = evacuation_pacing.Slots(threads)
        workers = min(2 * threads, len(vmoves) or 1)
        watcher = evacuation_watch.Watcher(self.novaclient, self.context,
                                           host_name)
        with watcher, concurrent_futures.ThreadPoolExecutor(
                max_workers=workers,
                thread_name_prefix='evacuate-%s' % host_name) as pool:
            self._watcher = watcher
            self._snapshot = self._list_servers(host_name, vmoves)
            futures = [pool.submit(self._recover_one, vmove, host_name,
                                   reserved_host) for vmove in vmoves]
            while concurrent_futures.wait(futures, timeout=0.2)[1]:
                self.flush_details()
        self.flush_details()
        self.check_lease()
        failed = [vmove.instance_uuid for vmove in db_api.vmove_get_all(
            filters={'notification_uuid': notification_uuid,
                     'status': 'failed'})]
        if failed:
            message = ("Failed to evacuate instances '%s' from host '%s'"
                       % (','.join(sorted(failed)), host_name))
            self.update_details(message, 1.0)
            raise exception.HostRecoveryFailureException(message=message)
        self.update_details('Evacuation process completed!', 1.0)

    def _list_servers(self, host_name, vmoves):
        servers = []
        if vmoves:
            try:
                servers = self.novaclient.get_servers(self.context,
                                                      host_name)
            except exception.MasakariException as exc:
                LOG.warning('Cannot list the servers of %s (%s); each is '
                            'read on its own', host_name, exc.message)
        return evacuation_pacing.ServerSnapshot(servers)

    # --- one instance ----------------------------------------------------
    def _recover_one(self, vmove, host_name, reserved_host):
        instance_id = vmove.instance_uuid
        try:
            with self._slots.server():
                # Nothing more for an engine that lost the notification.
                self.confirm_lease()
                self._evacuate_and_confirm(vmove, host_name, reserved_host)
        except leases.LeaseLost:
            return
        except waiting.WaitTimeout as exc:
            self._vmove_failed(vmove, 'Failed reason: timeout. %s' % exc)
        except exception.InstanceNotFound:
            if not self._still_owner():
                return
            db_api.vmove_update(vmove.uuid, {
                'status': 'ignored', 'end_time': timeutils.utcnow(),
                'message': 'The instance no longer exists in Nova.'})
            self.update_details("Instance '%s' no longer exists: nothing to "
                                'evacuate' % instance_id, 0.8)
        except (exception.MasakariException, _EvacuationFailed) as exc:
            self._vmove_failed(vmove, getattr(exc, 'message', str(exc)))
        except Exception as exc:  # a bug must not hide the other instances
            LOG.exception('Unexpected error evacuating %s', instance_id)
            self._vmove_failed(vmove, str(exc))

    def _still_owner(self):
        """False once another engine has the notification: then its record
        of this instance is not ours to overwrite (Nova may have refused
        this engine's late request because the other one already moved
        the instance)."""
        try:
            self.confirm_lease()
        except leases.LeaseLost:
            return False
        return True

    def _vmove_failed(self, vmove, message):
        if not self._still_owner():
            return
        db_api.vmove_update(vmove.uuid, {
            'status': 'failed', 'end_time': timeutils.utcnow(),
            'message': message})
        self.update_details("Failed to evacuate instance '%s': %s"
                            % (vmove.instance_uuid, message), 0.8)

    def _vmove_succeeded(self, vmove, server, message):
        values = {'status': 'succeeded', 'dest_host': server.host,
                  'end_time': timeutils.utcnow(), 'message': None}
        if vmove.start_time is None:
            values['start_time'] = values['end_time']
        db_api.vmove_update(vmove.uuid, values)
        self.update_details(message, 0.8)

    def _evacuate_and_confirm(self, vmove, host_name, reserved_host):
        instance_id = vmove.instance_uuid
        server = (self._snapshot.take(instance_id) or
                  self.novaclient.get_server(self.context, instance_id))
        # Locked by an earlier attempt that did not get to unlock it.
        locked_before = (server.locked and vmove.status == 'ongoing' and
                         vmove.message == LOCKED_MESSAGE)
        if server.host != host_name and server.task_state is None:
            self._unlock(server, locked_before)
            self._vmove_succeeded(
                vmove, server, "Instance '%s' is already on host '%s' "
                               '(evacuated earlier): not evacuated again'
                % (instance_id, server.host))
            return
        if server.task_state in REBUILD_TASK_STATES and (
                server.host != host_name or vmove.start_time is not None):
            # An evacuation requested by an earlier attempt (or another
            # engine) is still running: it has a start_time.
            self.update_details("Instance '%s' is already being evacuated "
                                '(%s): waiting for it, not evacuating it '
                                'again' % (instance_id, _describe(server)),
                                0.5)
            try:
                server = self._wait_for_evacuation(server, host_name, None)
            finally:
                self._unlock(server, locked_before)
            self._vmove_succeeded(vmove, server,
                                  "Instance '%s' evacuated to host '%s'"
                                  % (instance_id, server.host))
            return
        plan = plan_evacuation(server)
        locked_here = locked_before or not server.locked
        # Recorded before the lock, so whoever finishes this unlocks it.
        vmove = db_api.vmove_update(vmove.uuid, {
            'status': 'ongoing', 'start_time': timeutils.utcnow(),
            'end_time': None,
            'message': LOCKED_MESSAGE if locked_here else None})
        if locked_here and not server.locked:
            self.novaclient.lock_server(self.context, instance_id)
        try:
            server = self._evacuate(vmove, server, plan, host_name,
                                    reserved_host)
        finally:
            self._unlock(server, locked_here)
        # Recorded after the unlock: an engine that dies in between leaves
        # the record ongoing, and whoever resumes it unlocks the server.
        self._vmove_succeeded(vmove, server,
                              "Instance '%s' evacuated to host '%s'"
                              % (instance_id, server.host))

    def _unlock(self, server, locked_here):
        if not locked_here:
            return
        try:
            self.novaclient.unlock_server(self.context, server.id)
        except exception.MasakariException as exc:
            LOG.warning('Could not unlock server %s: %s', server.id,
                        exc.message)

    def _evacuate(self, vmove, server, plan, host_name, reserved_host):
        instance_id = server.id
        if plan.reset_to_error:
            self.update_details("Resetting instance '%s' to error so Nova "
                                'can evacuate it (%s)'
                                % (instance_id, _describe(server)), 0.5)
            self.novaclient.reset_instance_state(self.context, instance_id,
                                                 'error')
        self.update_details("Evacuating instance '%s' (%s) from host '%s'%s"
                            % (instance_id, server.vm_state, host_name,
                               " to '%s'" % reserved_host
                               if reserved_host else ''), 0.5)
        with self._slots.in_nova():
            self.confirm_lease()
            try:
                self.novaclient.evacuate_instance(
                    self.context, instance_id, target=reserved_host)
            except exception.NovaUnavailable:
                # No answer: see whether Nova took the request anyway.
                current = self.novaclient.get_server(self.context,
                                                     instance_id)
                if (current.task_state not in REBUILD_TASK_STATES and
                        current.host == host_name):
                    raise
            try:
                server = self._wait_for_evacuation(server, host_name,
                                                   plan.expected_vm_state)
            except _EvacuationFailed:
                self._undo_error_state(server, plan, host_name)
                raise
        self.check_lease()
        if plan.stop_after and server.vm_state != 'stopped':
            self._stop(server)
        if plan.restore_error:
            self.novaclient.reset_instance_state(self.context, instance_id,
                                                 'error')
        return server

    def _undo_error_state(self, server, plan, host_name):
        """Nova sets a server whose evacuation failed to error; put an
        active one back to active, so a retry brings it back running
        instead of treating it as an error instance (stopped at the end)."""
        if plan.reset_to_error or plan.expected_vm_state != 'active':
            return
        try:
            current = self.novaclient.get_server(self.context, server.id)
            if (current.host == host_name and current.vm_state == 'error'
                    and current.task_state is None):
                self.novaclient.reset_instance_state(self.context, server.id,
                                                     'active')
                self.update_details("Instance '%s' reset back to active "
                                    'after its failed evacuation'
                                    % server.id, 0.7)
        except exception.MasakariException as exc:
            LOG.warning('Could not reset %s back to active: %s', server.id,
                        exc.message)

    def _wait_for_evacuation(self, server, host_name, expected_vm_state):
        last = server
        settling_since = None
        watcher = self._watcher

        def check():
            nonlocal last, settling_since
            current = last = self.novaclient.get_server(self.context,
                                                        server.id)
            record = watcher.ended_status(server.id) if watcher else None
            state = evacuation_progress(current, host_name,
                                        expected_vm_state or current.vm_state,
                                        record)
            if state != 'settling':
                settling_since = None
            elif settling_since is None:
                settling_since = time.monotonic()
            elif time.monotonic() - settling_since >= SETTLE_GRACE:
                state = 'failed'
            if state == 'failed':
                raise _EvacuationFailed(
                    'Nova did not evacuate the instance (%s)%s'
                    % (_describe(current),
                       ': %s' % current.fault if current.fault else ''))
            return current if state == 'done' else None

        timeout = CONF.wait_period_after_evacuation
        sleep, first, check_first = time.sleep, None, True
        if watcher is not None:
            sleep = watcher.sleep_for(server.id)
            if watcher.working:
                # It wakes us when the evacuation ends: poll seldom, and
                # not before the first wake-up or interval.
                first = max(CONF.verify_interval, waiting.FIRST_INTERVAL)
                check_first = False
        try:
            return waiting.wait_for(check, timeout, sleep=sleep, first=first,
                                    check_first=check_first,
                                    what='evacuation of %s' % server.id)
        except waiting.WaitTimeout:
            raise waiting.WaitTimeout(
                'evacuation of instance %s not confirmed (%s)'
                % (server.id, _describe(last)), timeout)

    def _stop(self, server):
        self.update_details("Stopping instance '%s' again on host '%s' (it "
                            'was not running before)'
                            % (server.id, server.host), 0.7)
        try:
            self.novaclient.stop_server(self.context, server.id)
        except exception.Conflict:
            pass  # already stopping or stopped: the poll decides
        timeout = CONF.wait_period_after_power_off
        waiting.wait_for(
            lambda: self.novaclient.get_server(
                self.context, server.id).vm_state == 'stopped',
            timeout, what='stop of instance %s' % server.id)
