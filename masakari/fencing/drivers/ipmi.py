"""The ``ipmi`` driver, through pyghmi (IPMI 2.0 over LAN, UDP).

pyghmi keeps its own retry timers and can take longer than
``bmc_call_timeout`` to give up on a silent BMC, so each call runs in a
short-lived daemon thread that the caller waits for no longer than the
timeout. A call abandoned that way finishes, or fails, on its own; until
it has, pyghmi makes new logins to the same BMC wait for it, so the next
calls may time out too (the engine's retry comes minutes later).

Each call logs in, acts and logs out: a fenced host's BMC is asked a few
questions, minutes apart, and no session should outlive them.
"""

import threading

from pyghmi import exceptions as pyghmi_exc
from pyghmi.ipmi import command
from pyghmi.ipmi.private import session

from masakari.fencing.drivers import base
from masakari.fencing.errors import BMCError


class IpmiDriver(base.Driver):

    def power_state(self, bmc):
        reply = _call(bmc, 'power state read',
                      lambda ipmi: ipmi.get_power())
        return str(reply.get('powerstate', 'unknown')).lower()

    def power_off(self, bmc):
        _call(bmc, 'power off',
              lambda ipmi: ipmi.set_power('off', wait=False))

    def power_on(self, bmc):
        _call(bmc, 'power on', lambda ipmi: ipmi.set_power('on', wait=False))


def _call(bmc, action, operation):
    """``operation(Command)`` on a fresh session, bounded in time."""
    outcome = {}

    def run():
        try:
            ipmi = command.Command(bmc=bmc.address, userid=bmc.username,
                                   password=bmc.password, port=bmc.port,
                                   keepalive=False)
            try:
                outcome['reply'] = operation(ipmi)
            except pyghmi_exc.IpmiException as exc:
                # Logged in, then the command failed: a completion code.
                outcome['answered'] = exc
            finally:
                _end_session(ipmi.ipmi_session)
        except Exception as exc:
            outcome['error'] = exc

    timeout = base.call_timeout()
    worker = threading.Thread(target=run, daemon=True,
                              name='ipmi-%s' % bmc.host)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise BMCError(bmc, action, 'no answer within %.1f s' % timeout)
    for kind in ('error', 'answered'):
        if kind in outcome:
            error = outcome[kind]
            raise BMCError(bmc, action, '%s: %s' % (type(error).__name__,
                                                    error),
                           answered=kind == 'answered')
    reply = outcome.get('reply') or {}
    if 'error' in reply:
        # A completion code: the BMC is there and took the session.
        raise BMCError(bmc, action, reply['error'], answered=True)
    return reply


def _end_session(ipmi_session):
    """Log out, and make pyghmi forget the session.

    pyghmi 1.6 keeps a finished login in ``Session.initting_sessions`` and
    hands that logged-out session to the next ``Command`` for the same BMC
    and user, which then fails or waits forever. Removing it by identity is
    harmless where a pyghmi version does not keep it.
    """
    try:
        ipmi_session.logout()
    finally:
        registry = getattr(session.Session, 'initting_sessions', {})
        for key, value in list(registry.items()):
            if value is ipmi_session:
                registry.pop(key, None)
