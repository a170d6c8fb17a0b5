"""The protection check (vSphere's admission control): can a failover
segment absorb the loss of any K of its hosts?

Pure logic over a snapshot of the segment (``HostState``: each host's
capacity, usage, state and the instances the engine would evacuate from
it) taken by ``masakari.ha.segment_protection``. ``evaluate`` fails every
set of K hosts in turn and places their instances, in the engine's
restart order, on the hosts the segment's recovery method would use:

* ``auto``: the other hosts, not reserved, enabled and up in Nova, not on
  maintenance; each instance goes where most memory is free (Nova's
  default RAM weigher spreads load the same way);
* ``reserved_host``: the reserved hosts, in the order the engine tries
  them, first fit. A reserved host whose compute service is disabled
  still counts (the engine enables it); one that has taken the instances
  of one failed host is no longer reserved, so it takes no other's;
* ``auto_priority`` / ``rh_priority``: the first method's hosts, then the
  other's, as the engine falls back.

It is a greedy, conservative estimate: an instance that finds no room is
reported as not fitting although a cleverer packing, or Nova's scheduler
choosing hosts outside the segment, might still place it. Capacity is
``total × allocation ratio - used`` per resource (vCPU, RAM, disk),
Placement's rule.
"""

import dataclasses
import itertools
import math

AUTO = 'auto'
RESERVED_HOST = 'reserved_host'
# The target pools each recovery method tries, in order (as
# ``engine.driver`` runs them).
METHOD_POOLS = {
    'auto': (AUTO,),
    'reserved_host': (RESERVED_HOST,),
    'auto_priority': (AUTO, RESERVED_HOST),
    'rh_priority': (RESERVED_HOST, AUTO),
}

# Why an instance would not fit.
NO_TARGET = 'no_target'
NO_ROOM = 'no_room'
UNKNOWN_SIZE = 'unknown_size'

# More sets of K failed hosts than this are not checked (the work grows
# as C(hosts, K)).
MAX_FAILURE_SETS = 2000


class TooManyFailureSets(ValueError):
    """C(hosts, K) is above MAX_FAILURE_SETS."""


@dataclasses.dataclass(frozen=True)
class Resources:
    """An amount of vCPUs, RAM (MiB) and local disk (GiB)."""

    vcpus: int = 0
    memory_mb: int = 0
    disk_gb: int = 0

    def __add__(self, other):
        return Resources(self.vcpus + other.vcpus,
                         self.memory_mb + other.memory_mb,
                         self.disk_gb + other.disk_gb)

    def __sub__(self, other):
        return Resources(self.vcpus - other.vcpus,
                         self.memory_mb - other.memory_mb,
                         self.disk_gb - other.disk_gb)

    def holds(self, need):
        """Whether ``need`` fits in this (free) amount."""
        return (need.vcpus <= self.vcpus and
                need.memory_mb <= self.memory_mb and
                need.disk_gb <= self.disk_gb)

    def shortfall(self, need):
        """The names of the resources of ``need`` this amount lacks."""
        return tuple(name for name in ('vcpus', 'memory_mb', 'disk_gb')
                     if getattr(need, name) > getattr(self, name))


@dataclasses.dataclass(frozen=True)
class Ratios:
    """Allocation ratios: how far Nova lets a host be overcommitted."""

    vcpu: float = 4.0
    memory: float = 1.0
    disk: float = 1.0

    def capacity(self, total):
        """What Nova may allocate on a host of physical size ``total``."""
        return Resources(math.floor(total.vcpus * self.vcpu),
                         math.floor(total.memory_mb * self.memory),
                         math.floor(total.disk_gb * self.disk))


@dataclasses.dataclass(frozen=True)
class Instance:
    """A server the engine would evacuate; ``need`` is None when Nova did
    not tell its size."""

    id: str
    name: str = ''
    priority: int = 0
    need: Resources | None = None


@dataclasses.dataclass(frozen=True)
class HostState:
    """One host of the segment as the check sees it.

    ``total`` and ``used`` are Nova's physical figures (None: Nova reported
    none for this host); ``service_enabled`` / ``service_up`` its compute
    service; ``instances`` what the engine would evacuate from it, in its
    order.
    """

    name: str
    uuid: str = ''
    reserved: bool = False
    on_maintenance: bool = False
    service_enabled: bool = True
    service_up: bool = True
    total: Resources | None = None
    used: Resources | None = None
    instances: tuple = ()

    @property
    def can_fail(self):
        """Whether a failure of this host would be recovered (a host on
        maintenance gets no notification)."""
        return not self.on_maintenance


def refusal(host):
    """Why ``host`` cannot take evacuated instances, or None when it can."""
    if host.on_maintenance:
        return 'the host is on maintenance'
    if host.total is None or host.used is None:
        return 'Nova reports no capacity for this host'
    if not host.service_up:
        return 'its compute service is down'
    if not host.service_enabled and not host.reserved:
        return 'its compute service is disabled'
    return None


@dataclasses.dataclass(frozen=True)
class Unplaced:
    """An instance that would not fit: ``reason`` is NO_TARGET, NO_ROOM or
    UNKNOWN_SIZE, ``message`` says it in words."""

    instance: Instance
    host: str
    reason: str
    message: str


@dataclasses.dataclass(frozen=True)
class Outcome:
    """The loss of ``failed`` (host names): where each instance would go
    (``placed``: instance id → host) and what would not fit."""

    failed: tuple
    placed: dict
    unplaced: tuple

    @property
    def fits(self):
        return not self.unplaced


@dataclasses.dataclass(frozen=True)
class Report:
    """Whether the segment absorbs the loss of any ``host_failures`` of
    its hosts.

    ``single``: the outcome of each host's own loss, by host name (hosts
    that cannot fail have none); ``failed_sets``: the sets of
    ``host_failures`` hosts whose loss is not absorbed; ``checked``: how
    many sets were checked.
    """

    recovery_method: str
    host_failures: int
    ratios: Ratios
    hosts: tuple
    single: dict
    checked: int
    failed_sets: tuple
    warnings: tuple

    @property
    def protected(self):
        return self.checked > 0 and not self.failed_sets

    def capacity(self, host):
        """``host``'s allocatable amount, None when unknown."""
        return None if host.total is None else self.ratios.capacity(
            host.total)

    def free(self, host):
        if host.total is None or host.used is None:
            return None
        return self.capacity(host) - host.used


def count_failure_sets(hosts, host_failures):
    """How many sets of ``host_failures`` hosts can fail together."""
    return math.comb(sum(1 for host in hosts if host.can_fail),
                     host_failures)


def evaluate(hosts, recovery_method, ratios=Ratios(), host_failures=1):
    """The ``Report`` of a segment whose hosts are ``hosts`` (in the
    engine's list order); TooManyFailureSets when there are more than
    MAX_FAILURE_SETS sets of ``host_failures`` hosts to check."""
    if host_failures < 1:
        raise ValueError('host_failures must be at least 1')
    hosts = tuple(hosts)
    candidates = [host for host in hosts if host.can_fail]
    warnings = _warnings(hosts, candidates, recovery_method, host_failures)
    single = {host.name: place(hosts, (host,), recovery_method, ratios)
              for host in candidates}
    if host_failures == 1:
        sets = [single[host.name] for host in candidates]
    else:
        total = count_failure_sets(hosts, host_failures)
        if total > MAX_FAILURE_SETS:
            raise TooManyFailureSets(
                '%d sets of %d hosts to check, more than %d'
                % (total, host_failures, MAX_FAILURE_SETS))
        sets = [place(hosts, failed, recovery_method, ratios)
                for failed in itertools.combinations(candidates,
                                                     host_failures)]
    return Report(recovery_method=recovery_method,
                  host_failures=host_failures, ratios=ratios, hosts=hosts,
                  single=single, checked=len(sets),
                  failed_sets=tuple(o for o in sets if not o.fits),
                  warnings=tuple(warnings))


def _warnings(hosts, candidates, recovery_method, host_failures):
    warnings = []
    if recovery_method not in METHOD_POOLS:
        warnings.append('Unknown recovery method %r: no host would take '
                        'evacuated instances' % recovery_method)
    if len(candidates) < host_failures:
        warnings.append('The segment has %d host(s) that can fail, fewer '
                        'than the %d checked: nothing to check'
                        % (len(candidates), host_failures))
    unknown = [host.name for host in hosts if host.total is None]
    if unknown:
        warnings.append('Nova reports no capacity for %s: not counted as '
                        'targets' % ', '.join(unknown))
    return warnings


class _Target:
    """A host that may take instances during one outcome, and what is
    left free on it."""

    def __init__(self, host, pool, free):
        self.host = host
        self.pool = pool
        self.free = free
        # The failed host whose instances a reserved host took first.
        self.taken_for = None

    def open_to(self, failed_name):
        return (self.pool != RESERVED_HOST or self.taken_for is None or
                self.taken_for == failed_name)


def _targets(hosts, failed_names, recovery_method, ratios):
    """The targets of each pool the method tries, in order."""
    pools = []
    for pool in METHOD_POOLS.get(recovery_method, ()):
        members = []
        for host in hosts:
            if host.name in failed_names or refusal(host) is not None:
                continue
            if host.reserved != (pool == RESERVED_HOST):
                continue
            members.append(_Target(host, pool,
                                   ratios.capacity(host.total) - host.used))
        pools.append(members)
    return pools


def place(hosts, failed, recovery_method, ratios=Ratios()):
    """The ``Outcome`` of losing the hosts ``failed`` (HostStates): their
    instances, host by host and each host's in the engine's order, put on
    the first pool that has room."""
    failed_names = {host.name for host in failed}
    pools = _targets(hosts, failed_names, recovery_method, ratios)
    placed, unplaced = {}, []
    for source in failed:
        for instance in source.instances:
            target = _choose(pools, instance, source.name)
            if target is not None:
                target.free -= instance.need
                if target.pool == RESERVED_HOST:
                    target.taken_for = source.name
                placed[instance.id] = target.host.name
            else:
                unplaced.append(_why_not(pools, instance, source.name,
                                         recovery_method))
    return Outcome(failed=tuple(host.name for host in failed),
                   placed=placed, unplaced=tuple(unplaced))


def _choose(pools, instance, source_name):
    if instance.need is None:
        return None
    for pool in pools:
        fitting = [t for t in pool if t.open_to(source_name) and
                   t.free.holds(instance.need)]
        if not fitting:
            continue
        if fitting[0].pool == RESERVED_HOST:
            return fitting[0]
        return max(fitting, key=lambda t: (t.free.memory_mb, t.free.vcpus))
    return None


def _why_not(pools, instance, source_name, recovery_method):
    if instance.need is None:
        return Unplaced(instance, source_name, UNKNOWN_SIZE,
                        'Nova did not report the size of its flavor')
    open_targets = [t for pool in pools for t in pool
                    if t.open_to(source_name)]
    if not open_targets:
        return Unplaced(instance, source_name, NO_TARGET,
                        'no host can take it: %s' % _no_target_words(
                            recovery_method))
    need = instance.need
    best = max(open_targets, key=lambda t: (
        -len(t.free.shortfall(need)), t.free.memory_mb, t.free.vcpus))
    short = ', '.join(best.free.shortfall(need))
    return Unplaced(
        instance, source_name, NO_ROOM,
        'needs %s; no target host has room left (the closest, %s, lacks '
        '%s: %s free)' % (_words(need), best.host.name, short,
                         _words(best.free)))


def _no_target_words(recovery_method):
    pools = METHOD_POOLS.get(recovery_method, ())
    if pools == (RESERVED_HOST,):
        return 'no reserved host is available'
    if pools == (AUTO,):
        return 'no other host of the segment is enabled, up and not ' \
               'reserved'
    if pools:
        return 'no reserved or other enabled host is available'
    return 'unknown recovery method %r' % recovery_method


def _words(amount):
    return '%d vCPU, %d MiB RAM, %d GiB disk' % (
        amount.vcpus, amount.memory_mb, amount.disk_gb)
