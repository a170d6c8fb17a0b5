"""Keep Nova busy with exactly P evacuations during a host recovery.

A host recovery evacuates N servers, ``[DEFAULT]
host_failure_recovery_threads`` (P) at a time, so it can't take less than
``ceil(N / P)`` evacuation times. What it takes beyond that is the engine's
own work per server (read it, record it, lock it, ask Nova; then confirm,
unlock, record) wherever that work keeps a slot of Nova's idle. Two helpers
move that work out of the way:

``Slots`` lets P servers be prepared while P others are in Nova, so a slot
freed by one evacuation is taken at once by a server that is ready.

``ServerSnapshot`` is one listing of the failed host's servers at the start,
so the first wave of servers needs no read of its own each, listed again
when it gets old, so the later waves need none either. The first listing
is the one the preparing task made moments before when there is one
(``RECENT_LISTINGS``): listing hundreds of servers again would cost Nova
and the engine, and would stand between the failure and the first
evacuation.
"""

import contextlib
import threading
import time

from oslo_log import log as logging

LOG = logging.getLogger(__name__)

# A listed server is used instead of a read of its own for this long.
SNAPSHOT_MAX_AGE = 5.0


class Slots:
    """At most ``size`` servers in Nova, and ``size`` more being prepared.

    Each server's work runs in one thread: ``server()`` around all of it,
    ``in_nova()`` around the evacuation request and the wait for its end.
    A server that enters Nova lets the next one start its preparation.
    """

    def __init__(self, size):
        self._preparing = threading.BoundedSemaphore(size)
        self._in_nova = threading.BoundedSemaphore(size)
        self._local = threading.local()

    def _done_preparing(self):
        if getattr(self._local, 'preparing', False):
            self._local.preparing = False
            self._preparing.release()

    @contextlib.contextmanager
    def server(self):
        self._preparing.acquire()
        self._local.preparing = True
        try:
            yield
        finally:
            self._done_preparing()

    @contextlib.contextmanager
    def in_nova(self):
        """Yields ``leave``: called once Nova has ended the evacuation
        (before the engine confirms it), it hands the slot on at once, so
        the next evacuation does not wait for this one's confirmation."""
        self._in_nova.acquire()
        left = threading.Event()

        def leave():
            if not left.is_set():
                left.set()
                self._in_nova.release()

        try:
            self._done_preparing()
            yield leave
        finally:
            leave()


class ServerSnapshot:
    """The failed host's servers as listed, each handed out once.

    A listing older than SNAPSHOT_MAX_AGE is not acted on. With ``relist``
    (a callable listing the host again) the first thread that needs a
    server from a stale listing lists the host again, once for all the
    threads waiting for it: a large recovery then reads the host's servers
    a few times in all, not each later server on its own. A server missing
    from the new listing (it left the host) or a listing that fails leaves
    the caller to read the server itself.
    """

    def __init__(self, servers, clock=time.monotonic, taken_at=None,
                 relist=None):
        self._clock = clock
        self._taken_at = clock() if taken_at is None else taken_at
        self._servers = {server.id: server for server in servers}
        self._handed_out = set()
        self._relist = relist
        self._lock = threading.Lock()
        self._relisting = threading.Lock()

    def listed(self):
        """The servers not handed out yet, by id (for decisions made before
        the first one is)."""
        with self._lock:
            return dict(self._servers)

    def _fresh(self):
        return self._clock() - self._taken_at <= SNAPSHOT_MAX_AGE

    def _hand_out(self, server_id):
        with self._lock:
            self._handed_out.add(server_id)
            server = self._servers.pop(server_id, None)
            return server if self._fresh() else None

    def take(self, server_id):
        """The listed server, or None when it was not listed, was handed
        out already, or the listing is too old to act on (and could not be
        renewed)."""
        with self._lock:
            fresh = self._fresh()
        if fresh or self._relist is None:
            return self._hand_out(server_id)
        with self._relisting:
            with self._lock:
                fresh = self._fresh()
            if not fresh:
                self._renew()
        return self._hand_out(server_id)

    def _renew(self):
        try:
            servers = self._relist()
        except Exception as exc:  # each server is then read on its own
            LOG.warning('Cannot list the servers of the failed host again '
                        '(%s); each is read on its own', exc)
            servers = []
        with self._lock:
            self._servers = {server.id: server for server in servers
                             if server.id not in self._handed_out}
            self._taken_at = self._clock()


class RecentListings:
    """The latest listing of a failed host's servers made for a
    notification in this process, handed to that notification's next
    evacuation of the host while it is fresh, once."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._listings = {}
        self._lock = threading.Lock()

    def remember(self, notification_uuid, host, servers):
        now = self._clock()
        with self._lock:
            # Drop what nobody took (a recovery that ended before it
            # evacuated): nothing older than SNAPSHOT_MAX_AGE is handed out.
            for key, (taken_at, _) in list(self._listings.items()):
                if now - taken_at > SNAPSHOT_MAX_AGE:
                    del self._listings[key]
            self._listings[notification_uuid, host] = (now, list(servers))

    def take(self, notification_uuid, host, relist=None):
        """A ``ServerSnapshot`` of the host's listing (renewed with
        ``relist``), or None when there is none young enough to act on."""
        with self._lock:
            listed = self._listings.pop((notification_uuid, host), None)
        if listed is None:
            return None
        taken_at, servers = listed
        if self._clock() - taken_at > SNAPSHOT_MAX_AGE:
            return None
        return ServerSnapshot(servers, clock=self._clock, taken_at=taken_at,
                              relist=relist)


RECENT_LISTINGS = RecentListings()
