"""Notice the end of each evacuation of a failed host soon after Nova.

Each evacuation waits by polling its server with growing intervals (see
``waiting``), capped at ``[DEFAULT] verify_interval``: cheap for one
server, but on average half an interval late, and a host recovery runs
``N / P`` rounds of evacuations one after the other, so that lag adds up.

A ``Watcher`` instead lists Nova's evacuation records of the failed host
(one ``GET /os-migrations?source_compute=...`` call for every evacuation in
flight) every ``interval`` seconds (``[host_failure]
evacuation_watch_interval``) while someone waits, and wakes the waiter of
each server whose record just ended. After the first listing it
asks only for the records updated since the newest it saw (``changes-since``,
less ``OVERLAP``), so a poll costs the same at the end of a recovery of 500
servers as at its start. The waiter then reads its
server as before, so the watcher only decides *when* to look, never what
happened: if the watcher's poll fails, or Nova has no migration records,
the per-server polling still finishes the job, only later.

With ``[nova_events] enabled`` the watcher also hears Nova's own events
about its servers (``listener.Subscribers``): an ``instance.rebuild.end``
or ``.error`` wakes the waiter at once, and ends the wait's long sleeps
(Nova moves the server's host a moment after ``rebuild.end``, so the
waiter then looks again after 0.05, 0.1, 0.2... s). Once any event about
its servers arrived, Nova's events evidently reach this engine, and the
listing slows to ``event_interval`` (``[nova_events]
evacuation_watch_interval``): it only catches what an event missed. A
wake-up comes from whichever is first, the event or the listing.
"""

import collections

import datetime
import threading
import time

from oslo_log import log as logging

from masakari.compute import resources
from masakari.engine.evacuation import nova_events

LOG = logging.getLogger(__name__)

# Seconds between two polls of the evacuation records (the option's default).
INTERVAL = 0.5
# A waiter's longest sleep while nothing would wake it (verify_interval's
# default).
UNWATCHED_INTERVAL = 1.0
# The first short sleep of a waiter after an event woke it.
FOLLOW_UP = 0.05
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

    def __init__(self, novaclient, context, source_host, interval=INTERVAL,
                 events=None, server_ids=(), event_interval=None,
                 unwatched_interval=UNWATCHED_INTERVAL):
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
        self._events = events
        self._server_ids = tuple(server_ids)
        self._event_interval = event_interval or interval
        # The longest sleep of a waiter while nothing would wake it.
        self._unwatched_interval = unwatched_interval
        self._subscription = None
        # Set once the records that ended before the recovery are known.
        self._first_listing = threading.Event()
        self._events_seen = False
        self._follow_up = {}
        # Wake-ups given, by source: 'event' or 'poll'.
        self.wakeups = collections.Counter()

    # --- lifetime --------------------------------------------------------
    def __enter__(self):
        if self._events is not None:
            self._subscription = self._events.subscribe(self._server_ids,
                                                        self._on_event)
        # The first listing (records that ended before the recovery
        # started, which wake nobody) is made on the watcher's thread,
        # beside the servers' preparation; ``forget`` waits for it.
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
        if self._subscription is not None:
            self._subscription.cancel()

    # --- for the waiters -------------------------------------------------
    @property
    def working(self):
        """False while Nova's evacuation records cannot be listed and no
        event from Nova has come: then nothing may wake a waiter. Known
        once the first listing has been tried (it waits for that)."""
        self._first_listing.wait()
        return self._working_now()

    def _working_now(self):
        return not self._failing or self._events_seen

    @property
    def events_flow(self):
        """True once an event of Nova's about one of the servers came."""
        return self._events_seen

    def forget(self, server_id):
        """Before asking Nova (again) to evacuate ``server_id``: whatever
        ended before is not about this request (once the first listing
        says which records ended before the recovery)."""
        self._first_listing.wait()
        with self._lock:
            self._ended.pop(server_id, None)
            self._follow_up.pop(server_id, None)
            wakeup = self._wakeups.get(server_id)
            if wakeup is not None:
                wakeup.clear()

    def ended_status(self, server_id):
        """The status of the evacuation record of ``server_id`` that ended
        while watched (``done``, ``failed``...), or None. None too when
        the first listing failed: an old record (an earlier attempt's
        failure) could then pass for this one."""
        with self._lock:
            return self._ended.get(server_id)

    def sleep_for(self, server_id):
        """A ``sleep(seconds)`` that returns early once the evacuation
        record of ``server_id`` has ended. After a wake-up its sleeps are
        short again (0.05, 0.1, 0.2... s) until the waiter is done, and
        none is longer than ``unwatched_interval`` while the watcher is
        not ``working``."""
        with self._lock:
            wakeup = self._wakeups.setdefault(server_id, threading.Event())

        def sleep(seconds):
            # Whether anything will wake this waiter is known once the
            # first listing of Nova's records has been tried.
            began = time.monotonic()
            self._first_listing.wait(seconds)
            seconds = max(0.0, seconds - (time.monotonic() - began))
            with self._lock:
                self._waiting += 1
                self._anyone_waiting.notify_all()
                if not self._working_now():
                    seconds = min(seconds, self._unwatched_interval)
                short = self._follow_up.get(server_id)
                if short is not None:
                    seconds = min(seconds, short)
                    self._follow_up[server_id] = short * 2
            try:
                if wakeup.wait(seconds):
                    wakeup.clear()
            finally:
                with self._lock:
                    self._waiting -= 1

        return sleep

    # --- Nova's events ---------------------------------------------------
    def _on_event(self, event):
        """On the listener's thread: an event about one of the servers."""
        with self._lock:
            self._events_seen = True
            if not event.ended:
                return
            failed = event.outcome is nova_events.Outcome.FAILED
            self._ended[event.instance_uuid] = 'failed' if failed else 'done'
            self._follow_up[event.instance_uuid] = FOLLOW_UP
            self.wakeups['event'] += 1
            self._wakeups.setdefault(event.instance_uuid,
                                     threading.Event()).set()
        # INFO: the operator's evidence that Nova's events reach the engine.
        LOG.info("Evacuation of %s ended (Nova's %s event)",
                 event.instance_uuid, event.event_type)

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
        try:
            self._known = self._final_record_ids()
        finally:
            self._first_listing.set()
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
                interval = (self._event_interval if self._events_seen
                            else self._interval)
                if self._anyone_waiting.wait_for(lambda: self._stopped,
                                                 interval):
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
                self._follow_up[server_id] = FOLLOW_UP
                self.wakeups['poll'] += 1
                # Set even before anyone waits: the waiter sees it then.
                self._wakeups.setdefault(server_id, threading.Event()).set()
