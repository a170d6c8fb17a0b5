"""The simulated cloud and its Python admin API.

``CloudState`` owns every host, server, aggregate and migration record and
one lock that guards them all. Timed transitions run on its ticker thread.
Tests and the all-in-one runner drive it directly (``add_host``,
``add_servers``, ``fail_host``...) or over HTTP through the admin API.
"""

from __future__ import annotations

import collections
import random
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from masakari.simulator import errors
from masakari.simulator import flavors
from masakari.simulator import lifecycle
from masakari.simulator import snapshot
from masakari.simulator import states
from masakari.simulator.faults import HttpFaults
from masakari.simulator.notifications import NovaNotifier
from masakari.simulator.models import (Aggregate, ControlService, Fault,
                                       Host, InstanceAction, Migration,
                                       Server, utcnow)
from masakari.simulator.settings import Settings
from masakari.simulator.throttle import RequestGate
from masakari.simulator.ticker import Ticker

DEFAULT_PROJECT_ID = '3a9a1c5f0d8e4b6f9c2e7d1a5b8c4e2f'
DEFAULT_USER_ID = '9e1f4b7c2d5a4e8f8b3c6a0d1e2f3a4b'
DEFAULT_IMAGE_ID = '70a599e0-31e7-49b7-b260-868f441e862b'
DEFAULT_ZONE = 'nova'
INTERNAL_ZONE = 'internal'
CONTROLLER_HOST = 'controller'

EVACUATION_FAULT_MODES = ('fail', 'rollback', 'stuck')
_SEED_VM_STATES = {states.ACTIVE: states.RUNNING,
                   states.STOPPED: states.SHUTDOWN,
                   states.ERROR: states.NOSTATE}


class Caller:
    """Who made a request: recorded in instance actions."""

    def __init__(self, request_id: str, user_id: str = DEFAULT_USER_ID,
                 project_id: str = DEFAULT_PROJECT_ID):
        self.request_id = request_id
        self.user_id = user_id
        self.project_id = project_id


class CloudState:
    """Hosts, servers, aggregates and the faults injected into them."""

    def __init__(self, settings: Settings | None = None,
                 seed: int | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.lock = threading.RLock()
        # When a host failed and how long its service has been silent.
        self.clock = clock
        self.settings = settings or Settings()
        self.rng = random.Random(seed)
        self.ticker = Ticker()
        self.http_faults = HttpFaults()
        # nova-api's worker pool: api_max_concurrent requests at once.
        self.api_gate = RequestGate(lambda: self.settings.api_max_concurrent)
        # Nova API requests served, by 'METHOD /route/{template}'.
        self.api_requests: collections.Counter = collections.Counter()
        # Sends Nova's versioned notifications when set (notifications.py).
        self.notifier: NovaNotifier | None = None
        self._clear()

    def _clear(self) -> None:
        self.hosts: dict[str, Host] = {}
        self.servers: dict[str, Server] = {}
        self.deleted_servers: dict[str, Server] = {}
        self.aggregates: dict[int, Aggregate] = {}
        self.migrations: list[Migration] = []
        self.evacuation_faults: dict[str, list] = {}
        # When each target host's resource tracker lock is free again
        # (clock time; evacuate_claim_time).
        self.claim_free_at: dict[str, float] = {}
        self._nums = {'service': 0, 'node': 0, 'server': 0,
                      'aggregate': 0, 'migration': 0}
        self.control_services = [
            ControlService(binary, CONTROLLER_HOST, self.new_uuid(),
                           self._next('service'))
            for binary in ('nova-scheduler', 'nova-conductor')]

    # -- identifiers --

    def _next(self, kind: str) -> int:
        self._nums[kind] += 1
        return self._nums[kind]

    def new_uuid(self) -> str:
        """A UUID4 from the seeded generator, so ``--seed`` replays a run."""
        with self.lock:
            return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def new_request_id(self) -> str:
        return 'req-' + self.new_uuid()

    def admin_caller(self) -> Caller:
        return Caller(self.new_request_id())

    # -- queries used by the API --

    def get_server(self, server_id: str) -> Server:
        server = self.servers.get(server_id)
        if server is None:
            raise errors.instance_not_found(server_id)
        return server

    def get_host(self, name: str) -> Host:
        host = self.hosts.get(name)
        if host is None:
            raise errors.NotFound('Compute host %s could not be found.'
                                  % name)
        return host

    @staticmethod
    def compute_alive(host: Host) -> bool:
        """Whether the nova-compute process runs (not failed)."""
        return host.failed_at is None

    def service_is_up(self, host: Host) -> bool:
        """Nova's servicegroup check: forced down, or a stale heartbeat."""
        if host.forced_down:
            return False
        if host.failed_at is None:
            return True
        silent = self.clock() - host.failed_at
        return silent < self.settings.service_down_time

    def service_updated_at(self, host: Host):
        return host.last_heartbeat if host.failed_at else utcnow()

    def host_zone(self, name: str) -> str:
        for agg in self.aggregates.values():
            if name in agg.hosts and agg.availability_zone:
                return agg.availability_zone
        return DEFAULT_ZONE

    def zones(self) -> set[str]:
        return {self.host_zone(name) for name in self.hosts}

    def usage(self) -> dict[str, tuple[int, int]]:
        """Claimed (vcpus, memory_mb) per host, in-flight targets included."""
        used: dict[str, list[int]] = {}
        for server in self.servers.values():
            for name in {server.host, server.target_host} - {None}:
                entry = used.setdefault(name, [0, 0])
                entry[0] += server.flavor.vcpus
                entry[1] += server.flavor.ram
        return {name: (v[0], v[1]) for name, v in used.items()}

    def servers_on(self, host_name: str) -> list[Server]:
        return [s for s in self.servers.values() if s.host == host_name]

    def sorted_servers(self) -> list[Server]:
        """Newest first, as Nova sorts by created_at desc, id desc."""
        return sorted(self.servers.values(), key=lambda s: -s.num)

    def done_evacuations_from(self, host_name: str) -> list[Migration]:
        return [m for m in self.migrations
                if m.source == host_name and m.status == 'done']

    def new_migration(self, server: Server, source: str) -> Migration:
        migration = Migration(self._next('migration'), self.new_uuid(),
                              server.id, source, None)
        self.migrations.append(migration)
        return migration

    def record_action(self, server: Server, action: str,
                      caller: Caller) -> InstanceAction:
        record = InstanceAction(action, caller.request_id, caller.user_id,
                                caller.project_id)
        server.actions.append(record)
        return record

    def take_evacuation_fault(self, server_id: str) -> str | None:
        """The injected outcome for this evacuation, if any (uses one)."""
        entry = self.evacuation_faults.get(server_id)
        if not entry:
            return None
        mode, remaining = entry
        if remaining is not None:
            if remaining <= 1:
                del self.evacuation_faults[server_id]
            else:
                entry[1] = remaining - 1
        return mode

    def new_server(self, *, name: str, host: str | None, flavor,
                   tenant_id: str = DEFAULT_PROJECT_ID,
                   user_id: str = DEFAULT_USER_ID,
                   image_id: str = DEFAULT_IMAGE_ID,
                   metadata: dict | None = None,
                   vm_state: str = states.ACTIVE,
                   task_state: str | None = None,
                   power_state: int | None = None,
                   availability_zone: str | None = None) -> Server:
        """Insert a server record; the caller holds the lock."""
        server = Server(
            id=self.new_uuid(), num=self._next('server'), name=name,
            tenant_id=tenant_id, user_id=user_id, flavor=flavor,
            image_id=image_id, host=host,
            metadata={str(k): str(v) for k, v in (metadata or {}).items()},
            vm_state=vm_state, task_state=task_state,
            power_state=(states.POWER_FOR_VM_STATE.get(vm_state,
                                                       states.NOSTATE)
                         if power_state is None else power_state),
            availability_zone=availability_zone)
        self.servers[server.id] = server
        return server

    # -- Python admin API: inventory --

    def add_host(self, name: str, vcpus: int = 16, memory_mb: int = 32768,
                 local_gb: int = 1024, enabled: bool = True,
                 disabled_reason: str | None = None) -> dict:
        """Create a compute host (service + node); returns its snapshot."""
        if not name or not isinstance(name, str):
            raise ValueError('a host needs a name')
        if vcpus < 0 or memory_mb < 0 or local_gb < 0:
            raise ValueError('capacities must be >= 0')
        with self.lock:
            if name in self.hosts:
                raise ValueError('host %s already exists' % name)
            host = Host(name=name, vcpus=int(vcpus),
                        memory_mb=int(memory_mb), local_gb=int(local_gb),
                        service_uuid=self.new_uuid(),
                        service_num=self._next('service'),
                        node_uuid=self.new_uuid(),
                        node_num=self._next('node'),
                        disabled=not enabled,
                        disabled_reason=None if enabled else disabled_reason,
                        last_heartbeat=utcnow())
            self.hosts[name] = host
            return self.host_info(name)

    def add_servers(self, host: str, count: int = 1, *,
                    name_prefix: str | None = None,
                    flavor: str | None = None, vcpus: int | None = None,
                    memory_mb: int | None = None,
                    metadata: dict | None = None,
                    vm_state: str = states.ACTIVE,
                    tenant_id: str = DEFAULT_PROJECT_ID,
                    user_id: str = DEFAULT_USER_ID,
                    locked: bool = False,
                    check_capacity: bool = True) -> list[str]:
        """Seed ``count`` settled servers on ``host``; returns their ids.

        The size is ``flavor`` (id or name) or ``vcpus``/``memory_mb``.
        ``vm_state`` is active, stopped or error. With ``check_capacity`` a
        host too small for them raises ValueError, as Nova would not place
        them there either.
        """
        if vm_state not in _SEED_VM_STATES:
            raise ValueError('vm_state must be one of %s'
                             % sorted(_SEED_VM_STATES))
        if count < 0:
            raise ValueError('count must be >= 0')
        if vcpus is not None or memory_mb is not None:
            size = flavors.custom(int(vcpus or 1), int(memory_mb or 512))
        else:
            size = flavors.find(flavor or flavors.DEFAULT_FLAVOR)
            if size is None:
                raise ValueError('unknown flavor %s' % flavor)
        with self.lock:
            target = self.hosts.get(host)
            if target is None:
                raise ValueError('unknown host %s' % host)
            if check_capacity:
                used_v, used_m = self.usage().get(host, (0, 0))
                if (used_v + count * size.vcpus > target.vcpus or
                        used_m + count * size.ram > target.memory_mb):
                    raise ValueError('host %s has no room for %d more %s '
                                     'servers' % (host, count, size.name))
            prefix = name_prefix or '%s-vm' % host
            ids = []
            for _ in range(count):
                server = self.new_server(
                    name='%s-%d' % (prefix, self._nums['server'] + 1),
                    host=host, flavor=size, tenant_id=tenant_id,
                    user_id=user_id, metadata=metadata, vm_state=vm_state,
                    power_state=_SEED_VM_STATES[vm_state])
                server.locked = bool(locked)
                server.launched_at = server.created
                if vm_state == states.ERROR:
                    server.fault = Fault(500, 'Seeded in error state')
                action = self.record_action(server, 'create',
                                            self.admin_caller())
                action.finish_event(
                    action.add_event('compute__do_build_and_run_instance',
                                     host), True)
                ids.append(server.id)
            return ids

    def add_server(self, host: str, name: str | None = None,
                   **kwargs: Any) -> str:
        """Seed one server (see ``add_servers``); returns its id."""
        server_id = self.add_servers(host, 1, **kwargs)[0]
        if name:
            with self.lock:
                self.servers[server_id].name = name
        return server_id

    def fail_host(self, name: str) -> None:
        """Kill the host's compute: heartbeats stop, servers stay put.

        Its service reads ``down`` once ``service_down_time`` has passed
        (at once with the default 0). Actions sent to it are lost.
        """
        with self.lock:
            host = self.get_host(name)
            if host.failed_at is None:
                host.failed_at = self.clock()
                host.last_heartbeat = utcnow()

    def recover_host(self, name: str) -> None:
        """Restart the host's compute, like Nova's compute start-up.

        Heartbeats resume, ``done`` evacuation records from this host move
        to ``completed`` (so forced_down can be unset) and power actions
        that were lost while it was dead are carried out. ``forced_down``
        and ``disabled`` stay as they are: operators clear them.
        """
        with self.lock:
            host = self.get_host(name)
            host.failed_at = None
            host.last_heartbeat = utcnow()
            for migration in self.done_evacuations_from(name):
                migration.set_status('completed')
            for server in self.servers_on(name):
                lifecycle.resume_lost_action(self, server)

    def set_forced_down(self, name: str, forced_down: bool = True) -> None:
        """Set the service's forced_down flag (no Nova-side checks)."""
        with self.lock:
            self.get_host(name).forced_down = bool(forced_down)

    def set_service_status(self, name: str, enabled: bool,
                           reason: str | None = None) -> None:
        with self.lock:
            host = self.get_host(name)
            host.disabled = not enabled
            host.disabled_reason = None if enabled else reason

    # -- Python admin API: faults and settings --

    def inject_evacuation_fault(self, server_id: str, mode: str = 'fail',
                                count: int | None = 1) -> None:
        """Make the next ``count`` evacuations of a server fail or hang.

        ``fail``: the server ends in vm_state error with a fault, the
        evacuation record ``failed``. ``stuck``: it stays in task_state
        rebuild_spawning forever (until os-resetState). count None: always.
        """
        if mode not in EVACUATION_FAULT_MODES:
            raise ValueError('mode must be one of %s'
                             % (EVACUATION_FAULT_MODES,))
        if count is not None and count < 1:
            raise ValueError('count must be >= 1 or None')
        with self.lock:
            self.get_server(server_id)
            self.evacuation_faults[server_id] = [mode, count]

    def clear_evacuation_faults(self) -> None:
        with self.lock:
            self.evacuation_faults.clear()

    def add_http_fault(self, pattern: str, **kwargs: Any) -> int:
        """Inject an HTTP fault (see ``faults.HttpFaults.add``)."""
        return self.http_faults.add(pattern, **kwargs)

    def remove_http_fault(self, fault_id: int) -> bool:
        return self.http_faults.remove(fault_id)

    def clear_http_faults(self) -> None:
        self.http_faults.clear()

    def configure(self, **values: Any) -> dict:
        """Change settings (durations, latency, service_down_time...)."""
        with self.lock:
            self.settings.update(**values)
            return self.settings.as_json()

    def reset(self) -> None:
        """Forget every host, server, aggregate, fault and transition."""
        self.ticker.clear()
        self.http_faults.clear()
        with self.lock:
            self._clear()
            self.api_requests.clear()

    def count_request(self, method: str, route: str) -> None:
        with self.lock:
            self.api_requests['%s %s' % (method, route)] += 1

    def requests_served(self) -> dict[str, int]:
        """Nova API requests so far, by method and route template."""
        with self.lock:
            return dict(self.api_requests)

    def stop(self) -> None:
        self.ticker.stop()

    # -- Python admin API: reading back --

    def host_of(self, server_id: str) -> str | None:
        with self.lock:
            return self.get_server(server_id).host

    def evacuation_count(self, server_id: str) -> int:
        """How many evacuate requests Nova accepted for this server."""
        with self.lock:
            server = (self.servers.get(server_id) or
                      self.deleted_servers.get(server_id))
            if server is None:
                raise errors.instance_not_found(server_id)
            return sum(1 for a in server.actions if a.action == 'evacuate')

    def evacuations(self, server_id: str | None = None) -> list[dict]:
        """Evacuation records (source, dest, status), oldest first."""
        with self.lock:
            return [snapshot.migration(m) for m in self.migrations
                    if server_id is None or m.server_id == server_id]

    def server_info(self, server_id: str) -> dict:
        with self.lock:
            return snapshot.server(self, self.get_server(server_id))

    def servers_info(self, host: str | None = None) -> list[dict]:
        with self.lock:
            return [snapshot.server(self, s) for s in self.sorted_servers()
                    if host is None or s.host == host]

    def host_info(self, name: str) -> dict:
        with self.lock:
            return snapshot.host(self, self.get_host(name))

    def dump(self) -> dict:
        """Everything: settings, hosts with their servers, actions, faults."""
        with self.lock:
            return snapshot.dump(self)

    def wait_for_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no timed transition is pending (stuck ones aside)."""
        return self.ticker.wait_idle(timeout)

    def wait_for(self, predicate: Callable[[CloudState], bool],
                 timeout: float = 10.0, interval: float = 0.02) -> bool:
        """Poll ``predicate(state)`` under the lock until true or timeout."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                if predicate(self):
                    return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(interval)
