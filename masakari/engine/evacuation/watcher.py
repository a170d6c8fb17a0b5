"""Notice the end of each evacuation of a failed host within about 0.1 s.

Each evacuation waits by polling its server with growing intervals (see
``waiting``), capped at ``[DEFAULT] verify_interval``: cheap for one
server, but on average half an interval late, and a host recovery runs
``N / P`` rounds of evacuations one after the other, so that lag adds up.

A ``Watcher`` instead lists Nova's evacuation records of the failed host
(one ``GET /os-migrations?source_compute=...`` call for every evacuation in
flight) every ``INTERVAL`` seconds while someone waits, and wakes the
waiter of each server whose record just ended. After the first listing it
asks only for the records updated since the newest it saw (``changes-since``,
less ``OVERLAP``), so a poll costs the same at the end of a recovery of 500
servers as at its start. The waiter then reads its
server as before, so the watcher only decides *when* to look, never what
happened: if the watcher's poll fails, or Nova has no migration records,
the per-server polling still finishes the job, only later.
"""

import datetime
import threading

from oslo_log import log as logging

from masakari.compute import resources

LOG = logging.getLogger(__name__)

# Seconds between two polls of the evacuation records.
INTERVAL = 0.05
# How far before the newest update seen the next listing starts: Nova may
# store times to the second, and commit an update after a later one.
OVERLAP = datetime.timedelta(seconds=2)


class Watcher:
    """Polls the evacuation records of one source host while needed.

    Use as a context manager around the evacuations; ``sleep_for(id)``
    gives the sleep function a waiter for server ``id`` passes to
    ``waiting.wait_for``; while the watcher is ``working`` that waiter
    can poll its server seldom.
    """

    def __init__(self, novaclient, context, source_host, interval=INTERVAL):
        self._novaclient = novaclient
        self._context = context
        self._source_host = source_host
        self._interval = interval
        self._lock = threading.Lock()
        self._wakeups = {}
        self._waiting = 0
        self._anyone_waiting = threading.Condition(self._lock)
        self._stopped = False
        self._known = None
        self._ended = {}
        self._trust_status = True
        self._newest = None
        self._failing = False
        self._thread = None

    # --- lifetime --------------------------------------------------------
    def __enter__(self):
        # Records that ended before the recovery started wake nobody.
        self._known = self._final_record_ids()
        self._thread = threading.Thread(
            target=self._run, daemon=True,
            name='evacuation-watch-%s' % self._source_host)
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        with self._lock:
            self._stopped = True
            self._anyone_waiting.notify_all()
        self._thread.join()

    # --- for the waiters -------------------------------------------------
    @property
    def working(self):
        """False while Nova's evacuation records cannot be listed."""
        return not self._failing

    def ended_status(self, server_id):
        """The status of the evacuation record of ``server_id`` that ended
        while watched (``done``, ``failed``...), or None. None too when
        the first listing failed: an old record (an earlier attempt's
        failure) could then pass for this one."""
        with self._lock:
            return self._ended.get(server_id)

    def sleep_for(self, server_id):
        """A ``sleep(seconds)`` that returns early once the evacuation
        record of ``server_id`` has ended."""
        with self._lock:
            wakeup = self._wakeups.setdefault(server_id, threading.Event())

        def sleep(seconds):
            with self._lock:
                self._waiting += 1
                self._anyone_waiting.notify_all()
            try:
                if wakeup.wait(seconds):
                    wakeup.clear()
            finally:
                with self._lock:
                    self._waiting -= 1

        return sleep

    # --- the poller ------------------------------------------------------
    def _since(self):
        if self._newest is None:
            return None
        return (self._newest - OVERLAP).isoformat()

    def _note_newest(self, records):
        for record in records:
            updated = resources.nova_time(record.updated_at)
            if updated is None:
                continue
            if self._newest is None or updated > self._newest:
                self._newest = updated

    def _final_record_ids(self):
        try:
            records = self._novaclient.get_evacuations(
                self._context, self._source_host,
                changes_since=self._since())
        except Exception as exc:
            if not self._failing:
                LOG.warning('Cannot list the evacuations from %s (%s); '
                            'each evacuation is polled on its own',
                            self._source_host, exc)
            self._failing = True
            return None
        if self._failing:
            LOG.info('Listing the evacuations from %s works again',
                     self._source_host)
        self._failing = False
        self._note_newest(records)
        return {record.id: (record.instance_uuid, record.status)
                for record in records if record.over}

    def _run(self):
        while True:
            with self._lock:
                while not self._stopped and not self._waiting:
                    self._anyone_waiting.wait()
                if self._stopped:
                    return
            final = self._final_record_ids()
            if final is not None:
                self._wake(final)
            with self._lock:
                if self._anyone_waiting.wait_for(lambda: self._stopped,
                                                 self._interval):
                    return

    def _wake(self, final):
        if self._known is None:
            # The first listing failed: every ended record is news, to
            # wake its waiter, but its status may be an old one.
            self._known = {}
            self._trust_status = False
        new = {record_id: ended for record_id, ended in final.items()
               if record_id not in self._known}
        self._known.update(new)
        with self._lock:
            for server_id, status in new.values():
                if self._trust_status:
                    self._ended[server_id] = status
                # Set even before anyone waits: the waiter sees it then.
                self._wakeups.setdefault(server_id, threading.Event()).set()
