"""What masakari reads from Nova, as small immutable records.

Callers never depend on novaclient's resource classes: ``compute.nova.API``
turns every answer into one of these.
"""

import dataclasses
import datetime

from oslo_utils import strutils

# Nova's power_state for a powered-off server.
POWER_STATE_SHUTDOWN = 4


def nova_time(text):
    """A time Nova sent (ISO 8601, UTC, with or without a zone) as a naive
    UTC datetime; None when absent or unreadable."""
    try:
        value = datetime.datetime.fromisoformat(
            (text or '').replace('Z', '+00:00'))
    except ValueError:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value


def _flavor_disk_gb(flavor):
    """Local disk a flavor takes, as Placement counts DISK_GB: root plus
    ephemeral plus swap (MiB, rounded up to GiB)."""
    if 'disk' not in flavor:
        return None
    swap = flavor.get('swap') or 0
    swap_gb = -(-int(swap) // 1024) if swap else 0
    return (int(flavor.get('disk') or 0) + int(flavor.get('ephemeral') or 0)
            + swap_gb)


@dataclasses.dataclass(frozen=True)
class Server:
    """The attributes of a Nova server that recovery decisions need."""

    id: str
    name: str = ''
    metadata: dict = dataclasses.field(default_factory=dict)
    locked: bool = False
    vm_state: str | None = None
    task_state: str | None = None
    power_state: int | None = None
    host: str | None = None
    hypervisor_hostname: str | None = None
    status: str | None = None
    fault: str | None = None
    project_id: str | None = None
    # The flavor as embedded in the server (compute API 2.47+).
    flavor_name: str | None = None
    flavor_extra_specs: dict = dataclasses.field(default_factory=dict)
    # What the server takes on a host: vCPUs, RAM (MiB) and local disk
    # (GiB: root, ephemeral and swap); None when Nova did not say.
    vcpus: int | None = None
    memory_mb: int | None = None
    disk_gb: int | None = None

    @classmethod
    def from_dict(cls, info):
        fault = info.get('fault') or None
        if isinstance(fault, dict):
            fault = fault.get('message') or str(fault)
        hypervisor = info.get('OS-EXT-SRV-ATTR:hypervisor_hostname')
        flavor = info.get('flavor') or {}
        return cls(
            id=info['id'],
            name=info.get('name') or '',
            metadata=dict(info.get('metadata') or {}),
            locked=bool(info.get('locked', False)),
            vm_state=info.get('OS-EXT-STS:vm_state'),
            task_state=info.get('OS-EXT-STS:task_state'),
            power_state=info.get('OS-EXT-STS:power_state'),
            # The compute service host is what masakari host names are
            # validated against; the hypervisor name is the fallback.
            host=info.get('OS-EXT-SRV-ATTR:host') or hypervisor,
            hypervisor_hostname=hypervisor,
            status=info.get('status'),
            fault=fault,
            project_id=info.get('tenant_id'),
            flavor_name=flavor.get('original_name'),
            flavor_extra_specs=dict(flavor.get('extra_specs') or {}),
            vcpus=flavor.get('vcpus'), memory_mb=flavor.get('ram'),
            disk_gb=_flavor_disk_gb(flavor))

    def metadata_flag(self, key):
        """True when metadata ``key`` reads as true (lenient, like oslo)."""
        return strutils.bool_from_string(self.metadata.get(key, False))


@dataclasses.dataclass(frozen=True)
class Service:
    id: str
    host: str
    binary: str
    status: str
    state: str
    forced_down: bool = False
    disabled_reason: str | None = None
    # The service's last heartbeat, as Nova stored it (UTC).
    updated_at: datetime.datetime | None = None

    @classmethod
    def from_dict(cls, info):
        return cls(id=str(info['id']), host=info.get('host'),
                   binary=info.get('binary'), status=info.get('status'),
                   state=info.get('state'),
                   forced_down=bool(info.get('forced_down', False)),
                   disabled_reason=info.get('disabled_reason'),
                   updated_at=nova_time(info.get('updated_at')))

    @property
    def disabled(self):
        return self.status == 'disabled'

    @property
    def down(self):
        return self.forced_down or self.state == 'down'


@dataclasses.dataclass(frozen=True)
class Hypervisor:
    """One compute node: its capacity and what its instances use, as
    Nova's os-hypervisors reports them below compute API 2.88 (physical
    amounts; allocation ratios are not part of the answer)."""

    id: str
    hypervisor_hostname: str
    # The compute service host, which masakari host names match.
    host: str
    state: str | None = None
    status: str | None = None
    vcpus: int | None = None
    vcpus_used: int | None = None
    memory_mb: int | None = None
    memory_mb_used: int | None = None
    local_gb: int | None = None
    local_gb_used: int | None = None

    @classmethod
    def from_dict(cls, info):
        name = info.get('hypervisor_hostname')
        service = info.get('service') or {}
        return cls(id=str(info['id']), hypervisor_hostname=name,
                   host=service.get('host') or name,
                   state=info.get('state'), status=info.get('status'),
                   vcpus=info.get('vcpus'),
                   vcpus_used=info.get('vcpus_used'),
                   memory_mb=info.get('memory_mb'),
                   memory_mb_used=info.get('memory_mb_used'),
                   local_gb=info.get('local_gb'),
                   local_gb_used=info.get('local_gb_used'))

    @property
    def has_statistics(self):
        """Whether Nova reported capacity and usage (it stopped at 2.88)."""
        return None not in (self.vcpus, self.vcpus_used, self.memory_mb,
                            self.memory_mb_used, self.local_gb,
                            self.local_gb_used)


@dataclasses.dataclass(frozen=True)
class Aggregate:
    id: int
    name: str
    hosts: tuple = ()
    availability_zone: str | None = None

    @classmethod
    def from_dict(cls, info):
        return cls(id=info['id'], name=info.get('name'),
                   hosts=tuple(info.get('hosts') or ()),
                   availability_zone=info.get('availability_zone'))


@dataclasses.dataclass(frozen=True)
class Evacuation:
    """One evacuation record of Nova (a migration of type evacuation)."""

    id: int
    instance_uuid: str
    status: str
    updated_at: str | None = None

    # Nova's statuses of an evacuation that is over, for good or bad.
    FINAL_STATUSES = ('done', 'completed', 'failed', 'error')

    @classmethod
    def from_dict(cls, info):
        return cls(id=info['id'], instance_uuid=info.get('instance_uuid'),
                   status=info.get('status'),
                   updated_at=info.get('updated_at'))

    @property
    def over(self):
        return self.status in self.FINAL_STATUSES
