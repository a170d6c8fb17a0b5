"""The failed host's compute service in Nova: disabled, and seen down.

Nova evacuates a server only once it reports the source host's compute
service down: forced down by an operator or an agent that fenced the host,
or silent for longer than Nova's ``service_down_time`` (60 s by default).
Disabling the service keeps new servers off the host, but on a real Nova
the disable call may block while the dead compute's heartbeat is still
fresh (Nova asks the compute over RPC, and waits up to its
``rpc_response_timeout``), although Nova stores the change at once. So:

* ``Disabler`` sends the disable on a thread of its own, beside the wait
  for ``down``, and ``confirm`` checks afterwards that Nova stored it
  (sending it again, answered at once now that the service is down, when
  it did not);
* ``DownClock`` predicts when Nova will report the service down, from its
  last heartbeat (``updated_at``) and Nova's ``service_down_time`` as last
  seen by this engine (60 s until one was seen), for the log and the
  progress details.
"""

import datetime
import threading

from oslo_log import log as logging
from oslo_utils import timeutils

from masakari.conf import CONF
from masakari import exception

LOG = logging.getLogger(__name__)

# Nova's default, assumed until this engine has seen one of Nova's.
DEFAULT_SERVICE_DOWN_TIME = 60.0


class DownClock:
    """Nova's ``service_down_time``, as learnt from the services seen down
    by this process."""

    def __init__(self):
        self._seconds = None
        self._lock = threading.Lock()

    @property
    def service_down_time(self):
        with self._lock:
            return self._seconds or DEFAULT_SERVICE_DOWN_TIME

    @property
    def learnt(self):
        with self._lock:
            return self._seconds is not None

    def seconds_until_down(self, service, now=None):
        """About how long until Nova reports ``service`` down (<= 0: any
        moment); None when Nova did not say when it last heard from it."""
        if service.updated_at is None:
            return None
        now = now or timeutils.utcnow()
        down_at = service.updated_at + datetime.timedelta(
            seconds=self.service_down_time)
        return (down_at - now).total_seconds()

    def seen_down(self, service, now=None):
        """Nova reports ``service`` (as read before it went down) down now:
        remember how long after its last heartbeat. Returns that."""
        if service.updated_at is None:
            return None
        silent = ((now or timeutils.utcnow()) -
                  service.updated_at).total_seconds()
        if 0 < silent < 24 * 3600:
            with self._lock:
                self._seconds = silent
        return silent


DOWN_CLOCK = DownClock()


class Disabler:
    """Disables a compute service on a thread of its own."""

    def __init__(self, nova, context, host_name):
        self._nova = nova
        self._context = context
        self._host_name = host_name
        self._error = None
        self._thread = threading.Thread(
            target=self._disable, daemon=True,
            name='disable-compute-%s' % host_name)

    def start(self):
        self._thread.start()
        return self

    def _disable(self):
        try:
            disable(self._nova, self._context, self._host_name)
        except Exception as exc:  # confirm() decides what it means
            self._error = exc

    def confirm(self):
        """Make sure Nova stored the disable; returns how: ``'answered'``,
        ``'stored'`` (Nova has not answered yet, but has it) or ``'again'``
        (sent once more). Raises what the last attempt raised."""
        for wait in (0, CONF.nova.call_timeout):
            # Then the service is down, and Nova answers at once.
            self._thread.join(timeout=wait)
            if not self._thread.is_alive() and self._error is None:
                return 'answered'
            if self._nova.is_service_disabled(
                    self._context, self._host_name, 'nova-compute'):
                return 'stored'
            if not self._thread.is_alive():
                break
        LOG.warning('The disable of the compute service of %s is not '
                    'stored (%s); sending it again', self._host_name,
                    self._error or 'no answer yet')
        disable(self._nova, self._context, self._host_name)
        return 'again'


def disable(nova, context, host_name, service=None):
    """Disable the compute service of ``host_name`` (``service`` when it
    was just read); a late answer whose change Nova stored counts as
    done."""
    try:
        nova.enable_disable_service(
            context, host_name, enable=False,
            reason=CONF.host_failure.service_disable_reason, service=service)
    except exception.NovaUnavailable as exc:
        # Nova stores a disable at once but may answer only after its
        # call to the dead compute times out: check what it stored.
        if not nova.is_service_disabled(context, host_name, 'nova-compute'):
            raise
        LOG.info('Disable of %s answered late (%s) but is stored',
                 host_name, exc.message)
