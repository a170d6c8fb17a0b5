"""A small simulated cloud with fast timings for the unit tests."""

import time

from masakari.simulator.state import CloudState

FAST = dict(evacuate_duration=0.06, stop_duration=0.03, start_duration=0.03,
            boot_duration=0.03)


def make_cloud(hosts=('c1', 'c2', 'c3'), vcpus=4, memory_mb=8192,
               clock=time.monotonic, **settings):
    """CloudState with ``hosts`` and fast transitions; caller stops it.
    ``clock`` replaces the monotonic clock of the service's down time."""
    state = CloudState(seed=42, clock=clock)
    state.configure(**dict(FAST, **settings))
    for name in hosts:
        state.add_host(name, vcpus=vcpus, memory_mb=memory_mb)
    return state


def caller(state):
    return state.admin_caller()
