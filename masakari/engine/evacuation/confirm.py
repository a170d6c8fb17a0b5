"""Waiting for Nova to finish what the run asked of it.

Both waits read the server from Nova until it is where it should be; the
evacuation wait sleeps on the run's watcher (``watcher.Watcher``), which
wakes it as soon as Nova's evacuation record of the server ends, or Nova's
event about its rebuild arrives.
"""

import time

from masakari.conf import CONF
from masakari.engine.evacuation import plan as planning
from masakari.engine import waiting
from masakari import exception


class EvacuationFailed(Exception):
    """Nova gave up on the evacuation (its record failed, or the server
    is in error, or it settled back on the failed host)."""


def wait_for_evacuation(nova, context, server, source_host,
                        expected_vm_state, watcher, clock=time.monotonic,
                        on_ended=None):
    """The server once it runs elsewhere; EvacuationFailed or WaitTimeout.

    ``expected_vm_state`` None means the state the server has (an
    evacuation requested by an earlier attempt, whose plan is unknown).
    ``on_ended`` is called as soon as the watcher knows that Nova ended
    the evacuation, before the server is read to confirm how.
    """
    last = server
    settling_since = None
    grace = CONF.host_failure.evacuation_settle_grace

    def check():
        nonlocal last, settling_since
        if on_ended is not None and watcher.ended_status(server.id):
            on_ended()
        current = last = nova.get_server(context, server.id)
        state = planning.evacuation_progress(
            current, source_host, expected_vm_state or current.vm_state,
            watcher.ended_status(server.id))
        if state is not planning.Progress.SETTLING:
            settling_since = None
        elif settling_since is None:
            settling_since = clock()
        elif clock() - settling_since >= grace:
            state = planning.Progress.FAILED
        if state is planning.Progress.FAILED:
            raise EvacuationFailed(
                'Nova did not evacuate the instance (%s)%s'
                % (planning.describe(current),
                   ': %s' % current.fault if current.fault else ''))
        return current if state is planning.Progress.DONE else None

    timeout = CONF.wait_period_after_evacuation
    first, longest, check_first = None, None, True
    if watcher.working:
        # It wakes us when the evacuation ends: read the server then, and
        # otherwise only seldom, against a missed wake-up (the watcher
        # shortens the sleeps again should it stop working).
        longest = first = CONF.host_failure.watched_evacuation_poll_interval
        check_first = False
    try:
        return waiting.wait_for(check, timeout,
                                sleep=watcher.sleep_for(server.id),
                                first=first, maximum=longest,
                                check_first=check_first,
                                what='evacuation of %s' % server.id)
    except waiting.WaitTimeout:
        raise waiting.WaitTimeout(
            'evacuation of instance %s not confirmed (%s)'
            % (server.id, planning.describe(last)), timeout)


def stop_and_wait(nova, context, server_id):
    """Power the server off and wait until Nova reports it stopped."""
    try:
        nova.stop_server(context, server_id)
    except exception.Conflict:
        pass  # already stopping or stopped: the poll decides
    waiting.wait_for(
        lambda: nova.get_server(context, server_id).vm_state == 'stopped',
        CONF.wait_period_after_power_off,
        what='stop of instance %s' % server_id)
