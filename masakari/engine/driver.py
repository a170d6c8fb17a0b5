"""The taskflow notification driver: runs a recovery flow, keeps its record.

Every flow run is persisted through taskflow's SQL backend in the
``[taskflow] connection`` database (``[database] connection`` when unset),
in a logbook whose uuid is the notification uuid. Each processing attempt
of a notification (the first run, a periodic retry) adds flow details
tagged with the attempt number; ``recovery_workflow_details`` shows the
tasks of the latest attempt, in the order they ran.

Host failure recovery methods:

* ``auto``: the auto flow; Nova's scheduler picks the targets.
* ``reserved_host``: the reserved-host flow over ``reserved_host_list``;
  none given → ReservedHostsUnavailable.
* ``auto_priority``: auto, then reserved_host if auto failed (not when it
  was skipped).
* ``rh_priority``: reserved_host, then auto if that failed (including for
  lack of reserved hosts).

``lease`` (``masakari.engine.leases.Lease``), when the manager passes one,
is handed to every task of the flow: they stop with LeaseLost once another
engine has taken the notification over, and no fallback flow or next
reserved host is tried then.

An interrupted attempt (its engine killed) is not resumed from the
logbook: the engine that takes the notification over runs a new attempt
of the whole flow, whose tasks are idempotent (see
``masakari.engine.tasks.host_failure``). The interrupted attempt's records
stay in the logbook.
"""

import contextlib
import threading

from oslo_log import log as logging
import taskflow.engines
from taskflow import exceptions as tf_exc
from taskflow.persistence.backends import impl_sqlalchemy
from taskflow.persistence import models
from taskflow.utils import persistence_utils

from masakari.db import migration
from masakari.engine.flows import base as flow_base
from masakari.engine.flows import host_failure
from masakari.engine.flows import instance_failure
from masakari.engine.flows import process_failure
from masakari.engine import leases
from masakari.compute import nova
from masakari import exception

LOG = logging.getLogger(__name__)

AUTO = 'auto'
RESERVED_HOST = 'reserved_host'
AUTO_PRIORITY = 'auto_priority'
RH_PRIORITY = 'rh_priority'

# Outcomes that are an answer, not a failure of the driver itself.
_EXPECTED = (exception.SkipRecovery, exception.IgnoreInstanceRecoveryException,
             exception.RecoveryFailed, leases.LeaseLost)


def _message(exc):
    return getattr(exc, 'message', None) or str(exc) or type(exc).__name__


def _unwrap(exc):
    """The most telling exception behind a taskflow WrappedFailure."""
    if not isinstance(exc, tf_exc.WrappedFailure):
        return exc
    failures = list(exc)
    for wanted in (leases.LeaseLost, exception.RecoveryFailed,
                   exception.MasakariException):
        for failure in failures:
            if failure.check(wanted) and failure.exception is not None:
                return failure.exception
    for failure in failures:
        if failure.exception is not None:
            return failure.exception
    return exc


class _Attempt:
    """One processing attempt of a notification: its logbook and runs."""

    def __init__(self, backend, action, notification_uuid, lease=None):
        self.backend = backend
        self.notification_uuid = notification_uuid
        self.lease = lease
        with contextlib.closing(backend.get_connection()) as conn:
            try:
                self.book = conn.get_logbook(notification_uuid)
            except tf_exc.NotFound:
                self.book = models.LogBook(action, uuid=notification_uuid)
        attempts = [(fd.meta or {}).get('attempt', 0) for fd in self.book]
        self.number = max(attempts, default=0) + 1
        self.seq = 0

    def run(self, flow, store):
        if self.lease is not None:
            self.lease.check()
            flow_base.attach_lease(flow, self.lease)
        self.seq += 1
        meta = {'attempt': self.number, 'seq': self.seq,
                'tasks': flow_base.atom_names(flow)}
        flow_detail = persistence_utils.create_flow_detail(
            flow, book=self.book, backend=self.backend, meta=meta)
        engine = taskflow.engines.load(flow, store=dict(store),
                                       flow_detail=flow_detail,
                                       book=self.book, backend=self.backend)
        LOG.info('Running flow %s for notification %s (attempt %d)',
                 flow.name, self.notification_uuid, self.number)
        try:
            engine.run()
        except Exception as exc:
            raise _unwrap(exc) from exc


# SQLAlchemy engine options of the taskflow persistence backend.
TASKFLOW_ENGINE_ARGS = {
    # A pooled connection that died with a database restart must not fail
    # the next recovery.
    'pool_pre_ping': True,
}


class _SharedConnectionBackend(impl_sqlalchemy.SQLAlchemyBackend):
    """taskflow's SQL backend, handing out one connection for good.

    Its connections only wrap the engine (``close`` does nothing), but each
    one builds its own MetaData and tables, whose event registrations
    SQLAlchemy keeps: taskflow opens dozens per recovery, and the engine
    grew by about 10 MiB with every 500-instance host recovery.
    """

    def __init__(self, conf, engine=None):
        super().__init__(conf, engine=engine)
        self._connection = None
        self._connection_lock = threading.Lock()

    def get_connection(self):
        with self._connection_lock:
            if self._connection is None:
                self._connection = super().get_connection()
            return self._connection

    def close(self):
        with self._connection_lock:
            self._connection = None
        super().close()


class TaskFlowDriver:
    """The ``taskflow_driver`` of ``[DEFAULT] notification_driver``."""

    def __init__(self, novaclient=None):
        self.novaclient = novaclient or nova.API()
        self._backend = None
        self._backend_url = None
        self._lock = threading.Lock()

    # --- persistence -------------------------------------------------------
    def _persistence(self):
        url = migration.taskflow_connection()
        with self._lock:
            if self._backend is None or self._backend_url != url:
                self.close()
                self._backend = _SharedConnectionBackend({
                    'connection': url, 'engine_args': TASKFLOW_ENGINE_ARGS})
                self._backend_url = url
            return self._backend

    def close(self):
        backend, self._backend = self._backend, None
        if backend is not None:
            try:
                backend.close()
            except Exception:  # closing is best effort
                LOG.debug('Closing the taskflow backend failed',
                          exc_info=True)

    # --- host failure ------------------------------------------------------
    def execute_host_failure(self, context, host_name, recovery_method,
                             notification_uuid, reserved_host_list=None,
                             lease=None):
        attempt = _Attempt(self._persistence(), host_failure.ACTION,
                           notification_uuid, lease)
        store = {'host_name': host_name,
                 'notification_uuid': notification_uuid}
        run_auto = self._runner(attempt, context, store, None)
        run_rh = self._runner(attempt, context, store,
                              reserved_host_list or [])
        try:
            if recovery_method == AUTO:
                run_auto()
            elif recovery_method == RESERVED_HOST:
                run_rh()
            elif recovery_method == AUTO_PRIORITY:
                self._with_fallback(run_auto, run_rh, AUTO, RESERVED_HOST,
                                    host_name)
            elif recovery_method == RH_PRIORITY:
                self._with_fallback(run_rh, run_auto, RESERVED_HOST, AUTO,
                                    host_name)
            else:
                raise exception.HostRecoveryFailureException(
                    message="Unknown recovery method '%s'" % recovery_method)
        except _EXPECTED:
            raise
        except Exception as exc:
            LOG.exception('Host failure flow of notification %s failed',
                          notification_uuid)
            raise exception.MasakariException(
                message="Failed to execute host failure flow for "
                        "notification '%s': %s"
                        % (notification_uuid, _message(exc))) from exc

    def _runner(self, attempt, context, store, reserved_host_list):
        def run():
            if reserved_host_list is None:
                flow = host_failure.get_auto_flow(context, self.novaclient)
                attempt.run(flow, store)
                return
            if not reserved_host_list:
                raise exception.ReservedHostsUnavailable()
            flow = host_failure.get_rh_flow(context, self.novaclient)
            attempt.run(flow, dict(store,
                                   reserved_host_list=reserved_host_list))
        return run

    @staticmethod
    def _with_fallback(first, second, first_name, second_name, host_name):
        try:
            first()
        except (exception.SkipRecovery, leases.LeaseLost,
                exception.HostFencingFailed):
            # Nothing to recover, not ours any more, or not safe to
            # recover at all: no other method changes that.
            raise
        except Exception as exc:
            LOG.warning("Recovery of host '%s' with method '%s' failed (%s); "
                        "now trying '%s'", host_name, first_name, exc,
                        second_name)
            second()

    # --- instance and process failure ------------------------------------
    def execute_instance_failure(self, context, instance_uuid,
                                 notification_uuid, lease=None):
        attempt = _Attempt(self._persistence(), instance_failure.ACTION,
                           notification_uuid, lease)
        flow = instance_failure.get_instance_recovery_flow(context,
                                                           self.novaclient)
        attempt.run(flow, {'instance_uuid': instance_uuid,
                           'notification_uuid': notification_uuid})

    def execute_process_failure(self, context, process_name, host_name,
                                notification_uuid, lease=None):
        attempt = _Attempt(self._persistence(), process_failure.ACTION,
                           notification_uuid, lease)
        flow = process_failure.get_process_recovery_flow(context,
                                                         self.novaclient)
        attempt.run(flow, {'process_name': process_name,
                           'host_name': host_name,
                           'notification_uuid': notification_uuid})

    # --- progress --------------------------------------------------------
    def get_notification_recovery_workflow_details(self, context,
                                                   recovery_method,
                                                   notification):
        """Per-task progress of the latest attempt, in the order the tasks
        ran (what the API shows as ``recovery_workflow_details``)."""
        uuid = notification['notification_uuid']
        backend = self._persistence()
        with contextlib.closing(backend.get_connection()) as conn:
            try:
                book = conn.get_logbook(uuid)
            except tf_exc.NotFound:
                return []
        return workflow_details(book)


def workflow_details(book):
    """The progress entries of a logbook's latest attempt."""
    flow_details = list(book)
    if not flow_details:
        return []
    latest = max((fd.meta or {}).get('attempt', 0) for fd in flow_details)
    chosen = sorted((fd for fd in flow_details
                     if (fd.meta or {}).get('attempt', 0) == latest),
                    key=lambda fd: (fd.meta or {}).get('seq', 0))
    entries = []
    for flow_detail in chosen:
        atoms = {atom.name: atom for atom in flow_detail}
        order = (flow_detail.meta or {}).get('tasks') or sorted(atoms)
        for name in order:
            atom = atoms.get(name)
            entry = _atom_entry(atom) if atom is not None else None
            if entry is not None:
                entries.append(entry)
    return entries


def _atom_entry(atom):
    meta = atom.meta or {}
    progress_details = meta.get('progress_details') or {}
    details = (progress_details.get('details') or {}).get(
        'progress_details') or []
    if not details:
        return None
    return {
        'name': atom.name,
        'state': atom.state,
        'progress': float(meta.get('progress', 0.0) or 0.0),
        'progress_details': [
            {'timestamp': str(item.get('timestamp')),
             'message': str(item.get('message')),
             'progress': str(float(item.get('progress', 0.0) or 0.0))}
            for item in details],
    }
