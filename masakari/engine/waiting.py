"""Waiting for Nova: poll with short, growing intervals, never a fixed sleep.

A recovery step that waits for Nova (a service reported down, a server
stopped or rebuilt elsewhere) first looks again after ``FIRST_INTERVAL``
seconds, then doubles the interval up to ``[DEFAULT] verify_interval``, and
gives up when the step's configured timeout has passed. So a change Nova
makes in 0.3 s is seen after about 0.3 s, and a slow one costs at most one
``verify_interval`` of extra latency, like upstream's fixed-period polling.
"""

import time

from masakari.conf import CONF

FIRST_INTERVAL = 0.05


class WaitTimeout(Exception):
    """The condition did not hold within the timeout."""

    def __init__(self, what, timeout):
        self.what = what
        self.timeout = timeout
        super().__init__('%s: still not the case after %ss' % (what, timeout))


def intervals(first=None, maximum=None):
    """The poll intervals: ``first``, doubling, capped at ``maximum``."""
    first = FIRST_INTERVAL if first is None else first
    if maximum is None:
        maximum = CONF.verify_interval
    maximum = max(maximum, first)
    interval = first
    while True:
        yield interval
        interval = min(interval * 2, maximum)


def wait_for(check, timeout, what='condition', first=None, maximum=None,
             sleep=time.sleep, clock=time.monotonic, check_first=True):
    """Call ``check()`` until it returns something truthy, and return that.

    ``check`` runs at least once (with ``check_first``, at once; without,
    after the first interval), then after each interval of
    ``intervals(first, maximum)``; the last sleep is cut short so the final
    check happens at the deadline. Raises WaitTimeout once ``timeout``
    seconds have passed.
    """
    deadline = clock() + timeout
    delays = intervals(first, maximum)
    if not check_first:
        sleep(min(next(delays), timeout))
    while True:
        result = check()
        if result:
            return result
        left = deadline - clock()
        if left <= 0:
            raise WaitTimeout(what, timeout)
        sleep(min(next(delays), left))
