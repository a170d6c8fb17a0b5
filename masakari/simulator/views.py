"""Nova API JSON bodies, shaped per microversion.

Microversion differences are tested where a field appears or changes,
so one function per resource serves every version.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any, Protocol

from masakari.simulator import states
from masakari.simulator.inventory import Service, binary_of, host_of
from masakari.simulator.models import (Aggregate, Flavor, Host,
                                       InstanceAction, Migration, Server,
                                       iso_us, iso_z, utcnow)

if TYPE_CHECKING:
    from masakari.simulator.state import CloudState

HOST_IP = '127.0.0.1'


class LinkMaker(Protocol):
    mv: tuple[int, int]

    def links(self, collection: str, item: Any) -> list[dict]: ...


def _host_status(state: CloudState, server: Server) -> str:
    host = state.hosts.get(server.host) if server.host else None
    if host is None:
        return ''
    if host.forced_down:
        return 'DOWN'
    if host.disabled:
        return 'MAINTENANCE'
    return 'UP' if state.service_is_up(host) else 'UNKNOWN'


def _host_id(server: Server) -> str:
    if not server.host:
        return ''
    return hashlib.sha224((server.tenant_id + server.host).encode()
                          ).hexdigest()


def server_summary(ctx: LinkMaker, server: Server) -> dict:
    return {'id': server.id, 'name': server.name,
            'links': ctx.links('servers', server.id)}


def server(ctx: LinkMaker, state: CloudState, server: Server) -> dict:
    mv = ctx.mv
    zone = (state.host_zone(server.host) if server.host
            else server.availability_zone or '')
    body: dict[str, Any] = {
        'id': server.id,
        'name': server.name,
        'status': server.status,
        'tenant_id': server.tenant_id,
        'user_id': server.user_id,
        'metadata': dict(server.metadata),
        'hostId': _host_id(server),
        'image': {'id': server.image_id,
                  'links': ctx.links('images', server.image_id)[1:]},
        'created': iso_z(server.created),
        'updated': iso_z(server.updated),
        'addresses': {},
        'accessIPv4': '',
        'accessIPv6': '',
        'links': ctx.links('servers', server.id),
        'OS-DCF:diskConfig': 'MANUAL',
        'progress': 0,
        'config_drive': '',
        'key_name': None,
        'OS-EXT-AZ:availability_zone': zone,
        'OS-SRV-USG:launched_at': iso_us(server.launched_at),
        'OS-SRV-USG:terminated_at': None,
        'OS-EXT-SRV-ATTR:host': server.host,
        'OS-EXT-SRV-ATTR:hypervisor_hostname': server.host,
        'OS-EXT-SRV-ATTR:instance_name': server.instance_name,
        'OS-EXT-STS:vm_state': server.vm_state,
        'OS-EXT-STS:task_state': server.task_state,
        'OS-EXT-STS:power_state': server.power_state,
        'os-extended-volumes:volumes_attached': [],
    }
    if mv >= (2, 3):
        body.update({
            'OS-EXT-SRV-ATTR:hostname': server.name.lower().replace(' ', '-'),
            'OS-EXT-SRV-ATTR:reservation_id': 'r-%08x' % server.num,
            'OS-EXT-SRV-ATTR:launch_index': 0,
            'OS-EXT-SRV-ATTR:kernel_id': '',
            'OS-EXT-SRV-ATTR:ramdisk_id': '',
            'OS-EXT-SRV-ATTR:root_device_name': '/dev/vda',
            'OS-EXT-SRV-ATTR:user_data': None,
        })
    if mv >= (2, 9):
        body['locked'] = server.locked
    if mv >= (2, 16):
        body['host_status'] = _host_status(state, server)
    if mv >= (2, 19):
        body['description'] = None
    if mv >= (2, 26):
        body['tags'] = []
    flavor = server.flavor
    if mv >= (2, 47):
        body['flavor'] = {'vcpus': flavor.vcpus, 'ram': flavor.ram,
                          'disk': flavor.disk, 'ephemeral': flavor.ephemeral,
                          'swap': flavor.swap, 'original_name': flavor.name,
                          'extra_specs': {}}
    else:
        body['flavor'] = {'id': flavor.id,
                          'links': ctx.links('flavors', flavor.id)[1:]}
    if mv >= (2, 63):
        body['trusted_image_certificates'] = None
    if mv >= (2, 73):
        body['locked_reason'] = server.locked_reason
    if mv >= (2, 96):
        body['pinned_availability_zone'] = None
    if server.fault and server.vm_state in (states.ERROR, states.DELETED):
        body['fault'] = {'code': server.fault.code,
                         'created': iso_z(server.fault.created),
                         'message': server.fault.message,
                         'details': server.fault.details}
    return body


def service(ctx: LinkMaker, state: CloudState, svc: Service) -> dict:
    mv = ctx.mv
    if isinstance(svc, Host):
        body = {'id': svc.service_uuid if mv >= (2, 53) else svc.service_num,
                'zone': state.host_zone(svc.name),
                'status': 'disabled' if svc.disabled else 'enabled',
                'state': 'up' if state.service_is_up(svc) else 'down',
                'updated_at': iso_us(state.service_updated_at(svc)),
                'disabled_reason': svc.disabled_reason,
                'forced_down': svc.forced_down}
    else:
        body = {'id': svc.uuid if mv >= (2, 53) else svc.num,
                'zone': 'internal', 'status': 'enabled', 'state': 'up',
                'updated_at': iso_us(utcnow()),
                'disabled_reason': None, 'forced_down': False}
    body.update(binary=binary_of(svc), host=host_of(svc))
    if mv < (2, 11):
        del body['forced_down']
    return body


def hypervisor(ctx: LinkMaker, state: CloudState, host: Host, *,
               detail: bool, servers: bool = False) -> dict:
    mv = ctx.mv
    uuids = mv >= (2, 53)
    body: dict[str, Any] = {
        'id': host.node_uuid if uuids else host.node_num,
        'hypervisor_hostname': host.name,
        'state': 'up' if state.service_is_up(host) else 'down',
        'status': 'disabled' if host.disabled else 'enabled',
    }
    if detail:
        body.update({
            'host_ip': HOST_IP,
            'hypervisor_type': 'fake',
            'hypervisor_version': 1000,
            'service': {'host': host.name,
                        'id': host.service_uuid if uuids
                        else host.service_num,
                        'disabled_reason': host.disabled_reason},
        })
        if mv < (2, 88):
            body.update(_hypervisor_stats(state, host, mv))
        else:
            body['uptime'] = None
    if servers:
        on_host = [s for s in state.sorted_servers() if s.host == host.name]
        if on_host or mv >= (2, 75):
            body['servers'] = [{'name': s.instance_name, 'uuid': s.id}
                               for s in on_host]
    return body


def _hypervisor_stats(state: CloudState, host: Host, mv) -> dict:
    used_vcpus, used_ram = state.usage().get(host.name, (0, 0))
    used_disk = sum(s.flavor.disk for s in state.servers.values()
                    if host.name in (s.host, s.target_host))
    running = sum(1 for s in state.servers.values() if s.host == host.name)
    return {
        'vcpus': host.vcpus, 'memory_mb': host.memory_mb,
        'local_gb': host.local_gb, 'vcpus_used': used_vcpus,
        'memory_mb_used': used_ram, 'local_gb_used': used_disk,
        'free_ram_mb': host.memory_mb - used_ram,
        'free_disk_gb': host.local_gb - used_disk,
        'current_workload': 0, 'running_vms': running,
        'disk_available_least': host.local_gb - used_disk,
        'cpu_info': {} if mv >= (2, 28) else '{}',
    }


def aggregate(ctx: LinkMaker, agg: Aggregate, *, full: bool = True) -> dict:
    body: dict[str, Any] = {
        'id': agg.id, 'name': agg.name,
        'availability_zone': agg.availability_zone,
        'created_at': iso_us(agg.created_at),
        'updated_at': iso_us(agg.updated_at),
        'deleted': False, 'deleted_at': None,
    }
    if full:
        body['hosts'] = list(agg.hosts)
        body['metadata'] = dict(agg.metadata)
    if ctx.mv >= (2, 41):
        body['uuid'] = agg.uuid
    return body


def flavor(ctx: LinkMaker, flv: Flavor, *, detail: bool) -> dict:
    mv = ctx.mv
    body: dict[str, Any] = {'id': flv.id, 'name': flv.name,
                            'links': ctx.links('flavors', flv.id)}
    if mv >= (2, 55):
        body['description'] = None
    if detail:
        body.update({
            'ram': flv.ram, 'vcpus': flv.vcpus, 'disk': flv.disk,
            'OS-FLV-EXT-DATA:ephemeral': flv.ephemeral,
            'OS-FLV-DISABLED:disabled': False,
            'os-flavor-access:is_public': True,
            'rxtx_factor': 1.0,
            'swap': flv.swap if (flv.swap or mv >= (2, 75)) else '',
        })
        if mv >= (2, 61):
            body['extra_specs'] = {}
    return body


def instance_action(ctx: LinkMaker, server_id: str, record: InstanceAction,
                    *, events: bool = False) -> dict:
    mv = ctx.mv
    body: dict[str, Any] = {
        'action': record.action, 'instance_uuid': server_id,
        'message': record.message, 'project_id': record.project_id,
        'request_id': record.request_id, 'user_id': record.user_id,
        'start_time': iso_us(record.start_time),
    }
    if mv >= (2, 58):
        body['updated_at'] = iso_us(record.updated_at)
    if events:
        body['events'] = []
        for event in record.events:
            item = {'event': event.event,
                    'start_time': iso_us(event.start_time),
                    'finish_time': iso_us(event.finish_time),
                    'result': event.result, 'traceback': None}
            if mv >= (2, 62):
                item['host'] = event.host or ''
                item['hostId'] = ''
            if mv >= (2, 84):
                item['details'] = None
            body['events'].append(item)
    return body


def migration(ctx: LinkMaker, record: Migration) -> dict:
    body: dict[str, Any] = {
        'id': record.id, 'instance_uuid': record.server_id,
        'source_compute': record.source, 'source_node': record.source,
        'dest_compute': record.dest, 'dest_node': record.dest,
        'dest_host': HOST_IP if record.dest else None,
        'old_instance_type_id': None, 'new_instance_type_id': None,
        'source_region': 'RegionOne', 'dest_region': 'RegionOne',
        'status': record.status,
        'created_at': iso_us(record.created_at),
        'updated_at': iso_us(record.updated_at),
    }
    if ctx.mv >= (2, 23):
        body['migration_type'] = record.migration_type
    if ctx.mv >= (2, 59):
        body['uuid'] = record.uuid
    return body
