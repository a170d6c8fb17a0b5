"""An engine's hold on the notifications it runs: leases and their heartbeat.

A notification an engine runs carries, in the database, the engine's
``[DEFAULT] host`` (``engine_host``) and a lease (``lease_expires_at``) of
``notification_lease_seconds``. The ``Heartbeat`` thread of the engine
renews the leases it holds every ``notification_heartbeat_interval``
seconds, each renewal conditional on the engine still being the owner. An
engine that stops renewing (killed, frozen, cut off from the database)
loses the notification once the lease has expired: another engine's sweep
takes it over (``periodic.take_over_expired``) and finishes it.

An engine that finds it lost a lease (a renewal matched no row) marks its
``Lease`` lost. The recovery tasks look at it before each step and before
each evacuation (``MasakariTask.check_lease`` / ``confirm_lease``) and stop
with ``LeaseLost``; the manager then records nothing, since the
notification belongs to another engine now.
"""

import threading
import time

from oslo_log import log as logging

from masakari.conf import CONF
from masakari.db import api as db_api
from masakari import exception

LOG = logging.getLogger(__name__)


class LeaseLost(exception.MasakariException):
    msg_fmt = ("masakari-engine on host '%(owner)s' no longer holds "
               "notification %(uuid)s: another engine took it over")


class Lease:
    """One engine's claim on one running notification."""

    def __init__(self, notification_uuid, owner, clock=time.monotonic):
        self.notification_uuid = notification_uuid
        self.owner = owner
        self._lost = threading.Event()
        self._clock = clock
        self._renewed_at = None

    @property
    def lost(self):
        return self._lost.is_set()

    def lose(self):
        self._lost.set()

    def check(self):
        """Raise LeaseLost once the heartbeat found the lease gone."""
        if self.lost:
            raise LeaseLost(uuid=self.notification_uuid, owner=self.owner)

    def renew(self):
        """Extend the lease in the database; False once it is lost."""
        if self.lost:
            return False
        asked_at = self._clock()
        if db_api.notification_renew_lease(
                self.notification_uuid, self.owner,
                CONF.notification_lease_seconds):
            self._renewed_at = asked_at
        else:
            self.lose()
            LOG.error('Lost the lease of notification %s: another engine '
                      'took it over; this engine stops working on it',
                      self.notification_uuid)
        return not self.lost

    def confirm(self):
        """Make sure the lease runs for most of its length still, or raise
        LeaseLost: called right before an action that must not be done
        twice (an evacuation), since no engine takes over a lease before it
        expires.

        A lease renewed within the last ``confirm_freshness()`` seconds is
        not renewed again: hundreds of evacuations in a row need not write
        to the database each.
        """
        self.check()
        if (self._renewed_at is not None and
                self._clock() - self._renewed_at < confirm_freshness()):
            return
        if not self.renew():
            self.check()


def confirm_freshness():
    """Seconds a renewal is trusted by ``Lease.confirm``: a quarter of the
    lease, at most 5 s, so at least three quarters of it is left."""
    return min(5.0, CONF.notification_lease_seconds / 4.0)


class Heartbeat:
    """A daemon thread renewing the leases one engine holds.

    Started with the first lease the engine takes, it renews every held
    lease each ``notification_heartbeat_interval`` seconds until stopped
    (engine shutdown). A renewal that fails on a database error is tried
    again at the next beat: the lease is only lost when the database says
    another engine owns it.
    """

    def __init__(self, interval=None):
        self._interval = interval
        self._leases = {}
        self._guard = threading.Lock()
        self._wake = threading.Event()
        self._stopped = False
        self._thread = None

    @property
    def interval(self):
        return self._interval or CONF.notification_heartbeat_interval

    def hold(self, notification_uuid, owner):
        """A new Lease of ``owner`` on a notification it just claimed;
        renewed from now on."""
        lease = Lease(notification_uuid, owner)
        with self._guard:
            self._leases[notification_uuid] = lease
            if not self._stopped and (self._thread is None or
                                      not self._thread.is_alive()):
                self._thread = threading.Thread(
                    target=self._run, daemon=True,
                    name='lease-heartbeat-%s' % owner)
                self._thread.start()
        return lease

    def drop(self, lease):
        """Stop renewing ``lease`` (its notification is done or released)."""
        with self._guard:
            if self._leases.get(lease.notification_uuid) is lease:
                del self._leases[lease.notification_uuid]

    def held(self):
        with self._guard:
            return list(self._leases.values())

    def stop(self):
        """No more renewals (graceful stop, or a test simulating a crash)."""
        with self._guard:
            self._stopped = True
            thread = self._thread
        self._wake.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    def beat(self):
        """Renew every held lease once; returns those found lost."""
        lost = []
        for lease in self.held():
            try:
                if not lease.renew():
                    lost.append(lease)
                    self.drop(lease)
            except Exception:
                LOG.exception('Could not renew the lease of notification '
                              '%s; trying again in %ss',
                              lease.notification_uuid, self.interval)
        return lost

    def _run(self):
        while not self._wake.wait(self.interval):
            with self._guard:
                if self._stopped:
                    return
            self.beat()
