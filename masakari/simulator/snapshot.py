"""Plain-JSON views of the simulated cloud for tests and the admin API.

Unlike the Nova API views these show everything at once: where each server
is, what was done to it and how often it was evacuated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from masakari.simulator.models import (Host, InstanceAction, Migration,
                                       Server, iso_us)

if TYPE_CHECKING:
    from masakari.simulator.state import CloudState


def action(record: InstanceAction) -> dict:
    return {
        'action': record.action,
        'request_id': record.request_id,
        'start_time': iso_us(record.start_time),
        'message': record.message,
        'events': [{'event': e.event, 'host': e.host,
                    'result': e.result,
                    'finish_time': iso_us(e.finish_time)}
                   for e in record.events],
    }


def migration(record: Migration) -> dict:
    return {'id': record.id, 'uuid': record.uuid,
            'server_id': record.server_id, 'source': record.source,
            'dest': record.dest, 'status': record.status,
            'migration_type': record.migration_type,
            'created_at': iso_us(record.created_at),
            'updated_at': iso_us(record.updated_at)}


def server(state: CloudState, record: Server) -> dict:
    return {
        'id': record.id,
        'name': record.name,
        'host': record.host,
        'target_host': record.target_host,
        'status': record.status,
        'vm_state': record.vm_state,
        'task_state': record.task_state,
        'power_state': record.power_state,
        'locked': record.locked,
        'metadata': dict(record.metadata),
        'tenant_id': record.tenant_id,
        'user_id': record.user_id,
        'flavor': {'name': record.flavor.name,
                   'vcpus': record.flavor.vcpus,
                   'ram': record.flavor.ram},
        'fault': ({'code': record.fault.code,
                   'message': record.fault.message}
                  if record.fault else None),
        'evacuations': sum(1 for a in record.actions
                           if a.action == 'evacuate'),
        'actions': [action(a) for a in record.actions],
    }


def host(state: CloudState, record: Host) -> dict:
    used_vcpus, used_ram = state.usage().get(record.name, (0, 0))
    return {
        'name': record.name,
        'vcpus': record.vcpus,
        'memory_mb': record.memory_mb,
        'local_gb': record.local_gb,
        'vcpus_used': used_vcpus,
        'memory_mb_used': used_ram,
        'service_id': record.service_uuid,
        'hypervisor_id': record.node_uuid,
        'status': 'disabled' if record.disabled else 'enabled',
        'disabled_reason': record.disabled_reason,
        'forced_down': record.forced_down,
        'state': 'up' if state.service_is_up(record) else 'down',
        'failed': record.failed_at is not None,
        'zone': state.host_zone(record.name),
        'servers': [s.id for s in state.sorted_servers()
                    if s.host == record.name],
    }


def dump(state: CloudState) -> dict:
    return {
        'settings': state.settings.as_json(),
        'hosts': [host(state, h) for h in state.hosts.values()],
        'servers': [server(state, s) for s in state.sorted_servers()],
        'deleted_servers': sorted(state.deleted_servers),
        'aggregates': [{'id': a.id, 'name': a.name, 'hosts': list(a.hosts),
                        'metadata': dict(a.metadata)}
                       for a in state.aggregates.values()],
        'migrations': [migration(m) for m in state.migrations],
        'evacuation_faults': {k: {'mode': v[0], 'count': v[1]}
                              for k, v in state.evacuation_faults.items()},
        'http_faults': state.http_faults.list(),
        'pending_transitions': state.ticker.pending(),
    }
