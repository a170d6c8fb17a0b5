"""The storm brake's rule: when is a burst of host failures a storm?

Many hosts of one segment reported failed at about the same time are more
often a network partition or a broken monitor than many broken machines;
evacuating them all would start the same instances twice (split brain).
So host recovery of the segment is held when, within ``[storm_brake]
window`` seconds, more hosts failed than ``max_failed_hosts`` or a larger
share of the segment than ``max_failed_share``. One host alone never trips
it: it is not a burst, and it may be all a one-host segment has.

Pure functions of counts and limits; ``masakari.ha.holds`` applies them.
"""

import dataclasses

from masakari.conf import CONF


@dataclasses.dataclass(frozen=True)
class Limits:
    enabled: bool = True
    window: int = 300
    max_failed_hosts: int = 2
    max_failed_share: float = 0.5

    @classmethod
    def from_conf(cls):
        group = CONF.storm_brake
        return cls(group.enabled, group.window, group.max_failed_hosts,
                   group.max_failed_share)


def tripped(failed, segment_hosts, limits):
    """Whether ``failed`` hosts failed within the window, of a segment of
    ``segment_hosts`` hosts, trip the brake."""
    if not limits.enabled or failed < 2:
        return False
    if failed > limits.max_failed_hosts:
        return True
    return failed > limits.max_failed_share * max(segment_hosts, 1)


def first_to_trip(segment_hosts, limits):
    """How many failed hosts of a segment of ``segment_hosts`` trip the
    brake (None: never); what the documentation's table shows."""
    for failed in range(1, segment_hosts + 1):
        if tripped(failed, segment_hosts, limits):
            return failed
    return None
