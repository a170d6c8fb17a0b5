"""What a fencing driver is: three calls on one host's BMC.

A driver turns every failure of its library (refused login, timeout,
unexpected reply) into ``BMCError``; callers never see a library's own
exceptions. Each call is bounded by ``[fencing] bmc_call_timeout``.
"""

import abc

from masakari.conf import CONF

ON = 'on'
OFF = 'off'


class Driver(abc.ABC):
    """A way to read and switch a host's power through its BMC."""

    #: False for a driver that cannot make sure a host is off (``noop``):
    #: the engine then recovers the host without fencing.
    fences = True

    @abc.abstractmethod
    def power_state(self, bmc):
        """'on', 'off', or another lower-case word the BMC reported (for
        example 'poweringoff'); only 'off' means fenced."""

    @abc.abstractmethod
    def power_off(self, bmc):
        """Hard power off, at once: no graceful shutdown of the OS."""

    @abc.abstractmethod
    def power_on(self, bmc):
        """Power on. Only ever called on an operator's request."""


def call_timeout():
    """Seconds one BMC call may take (connect and read)."""
    return CONF.fencing.bmc_call_timeout
