"""Which servers of a failed host this service leaves alone, and in what
order it evacuates the others: pure rules, from the configuration.

Exclusions (``[host_failure] excluded_*``) name servers that something
else recovers, or that must stay where they are: Octavia's amphorae (their
load balancer fails over by itself), servers of a project that runs its
own failover, a flavor reserved for pinned workloads. An excluded server is
never evacuated, whatever its HA metadata says, and the reason is reported
for it.

The restart order (``[host_failure] priority_metadata_key``) reads a
server's priority from its metadata: ``high``, ``medium``, ``low`` (3, 2,
1) or an integer; a server without one, or with a value that is neither,
has priority 0. Higher priorities are evacuated first, servers of the same
priority in parallel.
"""

import dataclasses
import fnmatch
import itertools
import threading

from masakari.conf import CONF

PRIORITY_WORDS = {'high': 3, 'medium': 2, 'low': 1}


@dataclasses.dataclass(frozen=True)
class Exclusions:
    """What excludes a server from evacuation; empty excludes nothing."""

    metadata_keys: tuple = ()
    projects: frozenset = frozenset()
    flavors: frozenset = frozenset()
    flavor_extra_specs: tuple = ()
    name_patterns: tuple = ()

    @classmethod
    def from_conf(cls):
        conf = CONF.host_failure
        specs = tuple(tuple(item.split('=', 1)) if '=' in item
                      else (item, None)
                      for item in conf.excluded_flavor_extra_specs)
        return cls(metadata_keys=tuple(conf.excluded_metadata_keys),
                   projects=frozenset(conf.excluded_projects),
                   flavors=frozenset(conf.excluded_flavors),
                   flavor_extra_specs=specs,
                   name_patterns=tuple(conf.excluded_name_patterns))

    def reason(self, server):
        """Why ``server`` is excluded, or None when it is not."""
        for key in self.metadata_keys:
            if server.metadata_flag(key):
                return 'its metadata %s is set' % key
        if server.project_id in self.projects:
            return 'its project %s is excluded' % server.project_id
        if server.flavor_name in self.flavors:
            return 'its flavor %s is excluded' % server.flavor_name
        for key, value in self.flavor_extra_specs:
            if key in server.flavor_extra_specs and (
                    value is None or
                    str(server.flavor_extra_specs[key]) == value):
                return 'its flavor has %s' % (
                    key if value is None else '%s=%s' % (key, value))
        for pattern in self.name_patterns:
            if fnmatch.fnmatchcase(server.name or '', pattern):
                return 'its name matches %s' % pattern
        return None


def priority(server, key):
    """The restart priority of ``server`` read from metadata ``key``."""
    if not key or server is None:
        return 0
    value = str(server.metadata.get(key, '')).strip().lower()
    if value in PRIORITY_WORDS:
        return PRIORITY_WORDS[value]
    try:
        return int(value)
    except ValueError:
        return 0


def in_priority_order(items, priority_of):
    """``items`` grouped by ``priority_of(item)``, highest first, each
    group in the order given."""
    ranked = sorted(items, key=lambda item: -priority_of(item))
    return [list(group) for _, group in itertools.groupby(
        ranked, key=priority_of)]


class StartOrder:
    """Holds each server until every server of a higher priority has been
    taken by Nova (its evacuation request answered) or has ended without
    one: Nova then records the evacuations in priority order, although
    the servers of one priority start in parallel.

    ``levels`` are server ids grouped as ``in_priority_order`` groups them.
    """

    def __init__(self, levels):
        self._level = {server_id: index
                       for index, level in enumerate(levels)
                       for server_id in level}
        self._waiting = [len(level) for level in levels]
        self._cond = threading.Condition()

    def may_start(self, server_id):
        """Whether every server of a higher priority has started."""
        with self._cond:
            level = self._level.get(server_id, 0)
            return not any(self._waiting[:level])

    def wait_turn(self, server_id):
        """Block until ``may_start(server_id)``."""
        with self._cond:
            self._cond.wait_for(lambda: self.may_start(server_id))

    def started(self, server_id):
        """Nova took the server, or it ended; only the first call counts."""
        with self._cond:
            level = self._level.pop(server_id, None)
            if level is not None:
                self._waiting[level] -= 1
                self._cond.notify_all()


def waits_for_higher_priority(segment):
    """Whether recoveries in ``segment`` wait for every server of a
    priority to be ACTIVE before evacuating the next priority."""
    names = CONF.host_failure.wait_for_higher_priority_segments
    return bool(segment is not None and (
        '*' in names or segment.name in names or segment.uuid in names))
