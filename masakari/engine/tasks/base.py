"""The base class of recovery tasks, and the no-op task.

A task is built by the flow builder as ``Task(context=..., novaclient=...,
**options)`` (keyword arguments, as upstream does, so third-party tasks
written for upstream masakari load unchanged). Its ``execute`` arguments
name what it needs from the flow's store: ``host_name``,
``notification_uuid``, ``instance_uuid``, ``process_name``,
``reserved_host``...

``update_details(message, progress)`` is how a task explains itself: each
call appends ``{timestamp, progress, message}`` to the task's list and
hands the whole list to taskflow as a progress event, which taskflow saves
in the atom's metadata in the ``[taskflow] connection`` database. The API
shows these lists as ``recovery_workflow_details`` (microversion 1.1).

``lease`` is the engine's hold on the notification (set by the driver; None
when a task runs outside an engine). A task does not start once the lease
is lost, and ``confirm_lease()`` renews it right before an action that
must not be done twice, raising LeaseLost when another engine has taken
the notification over.
"""

import threading
import time

from oslo_log import log as logging
from oslo_utils import timeutils
from taskflow import task

LOG = logging.getLogger(__name__)
# Shortest time between two saves of a task's progress details.
FLUSH_INTERVAL = 1.0


def timestamp():
    """``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC (always six digits)."""
    return timeutils.utcnow().strftime('%Y-%m-%d %H:%M:%S.%f')


class MasakariTask(task.Task):
    """A recovery step; subclasses implement ``execute`` (and maybe
    ``revert``)."""

    lease = None

    def __init__(self, context, novaclient, **options):
        super().__init__(name=options.pop('name', None) or type(self).__name__,
                         provides=options.pop('provides', None),
                         requires=options.pop('requires', None),
                         rebind=options.pop('rebind', None),
                         inject=options.pop('inject', None))
        self.context = context
        self.novaclient = novaclient
        # Keyword arguments a third-party task may be built with.
        self.options = options
        self.progress_details = []
        # Notified when a helper thread records details or a helper's
        # work ends (see wait_reporting_progress).
        self._details_changed = threading.Condition()
        self._last_progress = 0.0
        self._unsent = False
        self._runner = None
        self._last_flush = 0.0

    # taskflow runs a task while holding its storage lock (serial engine),
    # so only the thread running the task may hand progress to taskflow;
    # helper threads record theirs and the running thread flushes them.
    def pre_execute(self):
        self._runner = threading.get_ident()
        self.check_lease()

    def post_execute(self):
        self.flush_details(force=True)
        self._runner = None

    def pre_revert(self):
        self._runner = threading.get_ident()

    post_revert = post_execute

    def check_lease(self):
        """Raise LeaseLost once the engine's heartbeat found the lease gone."""
        if self.lease is not None:
            self.lease.check()

    def confirm_lease(self):
        """Renew the lease now; raise LeaseLost if another engine has it."""
        if self.lease is not None:
            self.lease.confirm()

    def update_details(self, message, progress=0.0):
        """Record ``message`` in this task's persisted progress details.

        Safe from any thread: from the thread running the task it is saved
        at once, from others at the next ``flush_details``.
        """
        entry = {'timestamp': timestamp(), 'progress': progress,
                 'message': message}
        with self._details_changed:
            self.progress_details.append(entry)
            self._last_progress = progress
            self._unsent = True
            self._details_changed.notify_all()
        LOG.info('%s (request %s): %s', self.name,
                 getattr(self.context, 'request_id', '-'), message)
        if self._runner in (None, threading.get_ident()):
            self.flush_details()

    def wait_reporting_progress(self, futures):
        """Wait for work running on helper threads, saving the details
        they record as they come (at most once per FLUSH_INTERVAL);
        call from the thread running the task."""
        futures = list(futures)
        # Counted down as they end: every wake-up (each detail a helper
        # records) checks a number, not all the futures of a recovery.
        running = [len(futures)]

        def ended(_future):
            with self._details_changed:
                running[0] -= 1
                self._details_changed.notify_all()

        for future in futures:
            future.add_done_callback(ended)
        while not self._wait_for_unsent(lambda: running[0] == 0):
            self.flush_details()
        self.flush_details()

    def _wait_for_unsent(self, finished):
        """Block until ``finished()`` (True) or details are due for a
        save (False)."""
        with self._details_changed:
            while not finished():
                if self._unsent:
                    due = self._last_flush + FLUSH_INTERVAL - time.monotonic()
                    if due <= 0:
                        return False
                    self._details_changed.wait(due)
                else:
                    self._details_changed.wait()
            return True

    def flush_details(self, force=False):
        """Save recorded details; call from the thread running the task.

        taskflow rewrites the task's whole detail list on every save, so
        saves are spaced by FLUSH_INTERVAL (a task with hundreds of
        instances would otherwise spend seconds saving); the last save,
        when the task ends, is always made.
        """
        with self._details_changed:
            if not self._unsent:
                return
            now = time.monotonic()
            if not force and now - self._last_flush < FLUSH_INTERVAL:
                return
            self._last_flush = now
            details = list(self.progress_details)
            progress = self._last_progress
            self._unsent = False
        self.notifier.notify(task.EVENT_UPDATE_PROGRESS,
                             {'progress': progress,
                              'progress_details': details})


class NoOpTask(MasakariTask):
    """Does nothing; exists to try out flow customisation."""

    def execute(self):
        self.update_details('No-op task: nothing to do.', 1.0)
