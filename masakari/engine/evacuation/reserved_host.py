"""Taking a reserved (spare) host into use as the target of an evacuation.

A reserved host takes the instances of one failed host at a time in this
engine: ``claimed(name)`` refuses a second recovery that wants the same
host while the first runs (the reserved-host flow then tries the next).
"""

import contextlib
import threading

from masakari.conf import CONF
from masakari import exception
from masakari.ha import hosts as ha_hosts

_LOCKS = {}
_LOCKS_GUARD = threading.Lock()


@contextlib.contextmanager
def claimed(name):
    """Hold reserved host ``name`` for this recovery, or raise
    LockAlreadyAcquired when another recovery of this engine holds it."""
    with _LOCKS_GUARD:
        lock = _LOCKS.setdefault(name, threading.Lock())
    if not lock.acquire(blocking=False):
        raise exception.LockAlreadyAcquired(resource=name)
    try:
        yield
    finally:
        lock.release()


def prepare(task, source_host, reserved_host):
    """Put ``reserved_host`` in the failed host's aggregates (when
    configured), enable its compute service and mark it no longer
    reserved; ``task`` reports each step."""
    nova, context = task.novaclient, task.context
    task.update_details("Enabling reserved host: '%s'" % reserved_host, 0.1)
    if CONF.host_failure.add_reserved_host_to_aggregate:
        for aggregate in nova.get_aggregate_list(context):
            if source_host in aggregate.hosts:
                _join_aggregate(task, reserved_host, aggregate)
    nova.enable_disable_service(context, reserved_host, enable=True)
    ha_hosts.take_reserved_host_into_use(context, reserved_host)
    task.update_details("Reserved host '%s' enabled and no longer "
                        'reserved' % reserved_host, 0.3)


def _join_aggregate(task, reserved_host, aggregate):
    if reserved_host in aggregate.hosts:
        task.update_details("Reserved host '%s' is already in aggregate "
                            "'%s'" % (reserved_host, aggregate.name), 0.2)
        return
    try:
        task.novaclient.add_host_to_aggregate(task.context, reserved_host,
                                              aggregate)
    except exception.Conflict as exc:
        task.update_details("Reserved host '%s' not added to aggregate "
                            "'%s': %s" % (reserved_host, aggregate.name,
                                          exc.message), 0.2)
        return
    task.update_details("Added reserved host '%s' to aggregate '%s'"
                        % (reserved_host, aggregate.name), 0.2)
