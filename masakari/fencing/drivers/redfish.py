"""The ``redfish`` driver, through sushy (the OpenStack Redfish library).

Every call opens its own connection with HTTP basic auth: fencing makes a
handful of calls per failure, and a Redfish session left open on a BMC
would hold one of its few session slots. sushy's own retries are turned
down to a single attempt: the fence loop decides about retrying, bounded by
its own timeout.
"""

import sushy
from sushy import auth as sushy_auth

from masakari.fencing.drivers import base
from masakari.fencing.errors import BMCError


class RedfishDriver(base.Driver):

    def power_state(self, bmc):
        with _system(bmc, 'power state read') as system:
            state = system.power_state
        return state.value.lower() if state is not None else 'unknown'

    def power_off(self, bmc):
        with _system(bmc, 'power off') as system:
            system.reset_system(sushy.ResetType.FORCE_OFF)

    def power_on(self, bmc):
        with _system(bmc, 'power on') as system:
            system.reset_system(sushy.ResetType.ON)


class _system:
    """The host's ComputerSystem for the length of a ``with`` block; any
    failure, while connecting or inside the block, becomes BMCError."""

    def __init__(self, bmc, action):
        self.bmc = bmc
        self.action = action
        self.root = None

    def __enter__(self):
        bmc = self.bmc
        timeout = base.call_timeout()
        try:
            self.root = sushy.Sushy(
                bmc.address,
                auth=sushy_auth.BasicAuth(bmc.username, bmc.password),
                verify=bmc.verify, read_timeout=timeout,
                connect_timeout=timeout, server_side_retries=1,
                server_side_retries_delay=1)
            return self.root.get_system(bmc.system_id or None)
        except Exception as exc:
            self._close()
            raise BMCError(bmc, self.action, _describe(exc),
                           answered=_answered(exc))

    def __exit__(self, exc_type, exc, traceback):
        self._close()
        if exc is not None and not isinstance(exc, BMCError):
            raise BMCError(self.bmc, self.action, _describe(exc),
                           answered=_answered(exc)) from None
        return False

    def _close(self):
        connector = getattr(self.root, '_conn', None)
        if connector is not None:
            connector.close()


def _answered(exc):
    """An HTTP error status from the BMC, other than a refused login."""
    return (isinstance(exc, sushy.exceptions.HTTPError) and
            not isinstance(exc, sushy.exceptions.AccessError))


def _describe(exc):
    if isinstance(exc, sushy.exceptions.AccessError):
        return 'the BMC refused the credentials (%s)' % exc
    return '%s: %s' % (type(exc).__name__, exc)
