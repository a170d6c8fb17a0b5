"""The records the simulated cloud is made of.

Plain dataclasses without behaviour beyond small derived values; the state
module owns them and guards them with its lock.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from masakari.simulator import states


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def iso_z(when: datetime.datetime | None) -> str | None:
    """Server timestamps: ``2024-05-01T10:00:00Z``."""
    return when.strftime('%Y-%m-%dT%H:%M:%SZ') if when else None


def iso_us(when: datetime.datetime | None) -> str | None:
    """Service/aggregate/action timestamps: ``2024-05-01T10:00:00.000000``."""
    return when.strftime('%Y-%m-%dT%H:%M:%S.%f') if when else None


@dataclasses.dataclass(frozen=True)
class Flavor:
    id: str
    name: str
    vcpus: int
    ram: int
    disk: int = 1
    ephemeral: int = 0
    swap: int = 0


@dataclasses.dataclass
class Host:
    """A compute host: its nova-compute service and its single node."""

    name: str
    vcpus: int
    memory_mb: int
    local_gb: int
    service_uuid: str
    service_num: int
    node_uuid: str
    node_num: int
    disabled: bool = False
    disabled_reason: str | None = None
    forced_down: bool = False
    # monotonic time the compute process died; None while it runs
    failed_at: float | None = None
    last_heartbeat: datetime.datetime | None = None
    created_at: datetime.datetime = dataclasses.field(default_factory=utcnow)


@dataclasses.dataclass
class ControlService:
    """A non-compute service (scheduler, conductor) shown in os-services."""

    binary: str
    host: str
    uuid: str
    num: int
    created_at: datetime.datetime = dataclasses.field(default_factory=utcnow)


@dataclasses.dataclass
class Fault:
    code: int
    message: str
    details: str = ''
    created: datetime.datetime = dataclasses.field(default_factory=utcnow)


@dataclasses.dataclass
class ActionEvent:
    event: str
    host: str | None
    start_time: datetime.datetime = dataclasses.field(default_factory=utcnow)
    finish_time: datetime.datetime | None = None
    result: str | None = None

    def finish(self, ok: bool) -> None:
        self.finish_time = utcnow()
        self.result = 'Success' if ok else 'Error'


@dataclasses.dataclass
class InstanceAction:
    """One ``os-instance-actions`` record (evacuate, stop, start, ...)."""

    action: str
    request_id: str
    user_id: str
    project_id: str
    start_time: datetime.datetime = dataclasses.field(default_factory=utcnow)
    updated_at: datetime.datetime = dataclasses.field(default_factory=utcnow)
    message: str | None = None
    events: list[ActionEvent] = dataclasses.field(default_factory=list)

    def add_event(self, name: str, host: str | None) -> ActionEvent:
        event = ActionEvent(name, host)
        self.events.append(event)
        self.updated_at = event.start_time
        return event

    def finish_event(self, event: ActionEvent, ok: bool) -> None:
        event.finish(ok)
        self.updated_at = event.finish_time or utcnow()
        if not ok:
            self.message = 'Error'


@dataclasses.dataclass
class Migration:
    """An evacuation record; ``done`` until the source compute restarts."""

    id: int
    uuid: str
    server_id: str
    source: str
    dest: str | None
    status: str = 'accepted'
    migration_type: str = 'evacuation'
    created_at: datetime.datetime = dataclasses.field(default_factory=utcnow)
    updated_at: datetime.datetime = dataclasses.field(default_factory=utcnow)

    def set_status(self, status: str) -> None:
        self.status = status
        self.updated_at = utcnow()


@dataclasses.dataclass
class Server:
    id: str
    num: int
    name: str
    tenant_id: str
    user_id: str
    flavor: Flavor
    image_id: str
    host: str | None
    metadata: dict[str, str]
    vm_state: str = states.ACTIVE
    task_state: str | None = None
    power_state: int = states.RUNNING
    locked: bool = False
    locked_reason: str | None = None
    availability_zone: str | None = None
    created: datetime.datetime = dataclasses.field(default_factory=utcnow)
    updated: datetime.datetime = dataclasses.field(default_factory=utcnow)
    launched_at: datetime.datetime | None = None
    fault: Fault | None = None
    # host holding a claim while an evacuation/boot is in flight
    target_host: str | None = None
    # bumped by every operation so stale timed transitions can tell
    op_token: int = 0
    actions: list[InstanceAction] = dataclasses.field(default_factory=list)

    @property
    def instance_name(self) -> str:
        return 'instance-%08x' % self.num

    @property
    def status(self) -> str:
        return states.status_of(self.vm_state, self.task_state)

    def touch(self) -> None:
        self.updated = utcnow()

    def new_operation(self) -> int:
        """Invalidate pending transitions of earlier operations."""
        self.op_token += 1
        self.touch()
        return self.op_token


@dataclasses.dataclass
class Aggregate:
    id: int
    uuid: str
    name: str
    hosts: list[str] = dataclasses.field(default_factory=list)
    metadata: dict[str, Any] = dataclasses.field(default_factory=dict)
    created_at: datetime.datetime = dataclasses.field(default_factory=utcnow)
    updated_at: datetime.datetime | None = None

    @property
    def availability_zone(self) -> str | None:
        return self.metadata.get('availability_zone')
