"""The fixed flavors the simulator offers (the classic m1.* set)."""

from __future__ import annotations

from masakari.simulator.models import Flavor

FLAVORS: dict[str, Flavor] = {f.id: f for f in (
    Flavor('1', 'm1.tiny', vcpus=1, ram=512, disk=1),
    Flavor('2', 'm1.small', vcpus=1, ram=2048, disk=20),
    Flavor('3', 'm1.medium', vcpus=2, ram=4096, disk=40),
    Flavor('4', 'm1.large', vcpus=4, ram=8192, disk=80),
    Flavor('5', 'm1.xlarge', vcpus=8, ram=16384, disk=160),
)}

DEFAULT_FLAVOR = 'm1.small'


def find(ref: str | int) -> Flavor | None:
    """Look a flavor up by id or by name."""
    ref = str(ref)
    if ref in FLAVORS:
        return FLAVORS[ref]
    for flavor in FLAVORS.values():
        if flavor.name == ref:
            return flavor
    return None


def custom(vcpus: int, ram: int, disk: int = 1) -> Flavor:
    """A flavor for servers seeded with an ad-hoc size."""
    for flavor in FLAVORS.values():
        if (flavor.vcpus, flavor.ram) == (vcpus, ram):
            return flavor
    return Flavor('custom-%d-%d' % (vcpus, ram), 'custom-%dc-%dm'
                  % (vcpus, ram), vcpus=vcpus, ram=ram, disk=disk)
