"""The ``noop`` driver: a host listed but deliberately not fenced.

It claims nothing about the host: ``fences`` is False, so ``fence`` returns
None for it and the engine recovers the host as it does without fencing.
Its calls return at once; the power state it reports is 'unknown'.
"""

from masakari.fencing.drivers import base

UNKNOWN = 'unknown'


class NoopDriver(base.Driver):
    fences = False

    def power_state(self, bmc):
        return UNKNOWN

    def power_off(self, bmc):
        return None

    def power_on(self, bmc):
        return None
