"""Choose a compute host for a boot or an evacuation.

A stand-in for nova-scheduler with the filters that matter to Instance HA:
the host must be enabled, up, not the source, and have free vCPUs and RAM
(allocation ratio 1.0). Among the hosts left it spreads load like Nova's
default RAM weigher: the host with the most free RAM wins, ties broken by
free vCPUs and then by name so runs are reproducible.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping

from masakari.simulator.errors import NoValidHost
from masakari.simulator.models import Flavor, Host

Usage = Mapping[str, tuple[int, int]]


def free(host: Host, usage: Usage) -> tuple[int, int]:
    """Free (vcpus, memory_mb) on ``host`` given per-host usage."""
    used_vcpus, used_ram = usage.get(host.name, (0, 0))
    return host.vcpus - used_vcpus, host.memory_mb - used_ram


def fits(host: Host, usage: Usage, flavor: Flavor) -> bool:
    vcpus, ram = free(host, usage)
    return vcpus >= flavor.vcpus and ram >= flavor.ram


def candidates(hosts: Iterable[Host], usage: Usage, flavor: Flavor, *,
               is_up: Callable[[Host], bool],
               exclude: Collection[str] = ()) -> list[Host]:
    """Hosts that pass every filter, best first."""
    passing = [h for h in hosts
               if h.name not in exclude and not h.disabled and is_up(h)
               and fits(h, usage, flavor)]
    passing.sort(key=lambda h: (-free(h, usage)[1], -free(h, usage)[0],
                                h.name))
    return passing


def select_host(hosts: Iterable[Host], usage: Usage, flavor: Flavor, *,
                is_up: Callable[[Host], bool],
                exclude: Collection[str] = (),
                requested: str | None = None) -> Host:
    """The best host, or NoValidHost.

    ``requested`` limits the choice to that host, which must still pass the
    filters (Nova validates a requested destination through the scheduler).
    """
    pool = [h for h in hosts if requested is None or h.name == requested]
    found = candidates(pool, usage, flavor, is_up=is_up, exclude=exclude)
    if not found:
        raise NoValidHost()
    return found[0]
