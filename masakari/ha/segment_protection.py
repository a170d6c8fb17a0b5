"""The protection check of one segment, from the database and Nova.

``check(context, segment_uuid)`` reads the segment's hosts (in the list
order the engine tries reserved hosts in), asks Nova once for its
hypervisors (capacity, usage, compute service state) and once per host
that can fail for its servers, selects the servers the engine would
evacuate with the engine's own rules (``evacuation.plan``), and hands the
snapshot to ``ha.protection.evaluate``. Nothing is written.
"""

from masakari.compute import nova
from masakari.conf import CONF
from masakari.db import api as db_api
from masakari.engine.evacuation import plan as planning
from masakari.engine.evacuation import selection
from masakari.ha import protection
from masakari.ha import segments as ha_segments


def ratios_from_conf():
    conf = CONF.protection
    return protection.Ratios(vcpu=conf.cpu_allocation_ratio,
                             memory=conf.ram_allocation_ratio,
                             disk=conf.disk_allocation_ratio)


def check(context, segment_uuid, host_failures=None, novaclient=None):
    """``(segment, Report)`` for the live segment ``segment_uuid`` (404
    when absent); TooManyFailureSets when ``host_failures`` (default
    ``[protection] host_failures``) makes too many sets to check."""
    segment = ha_segments.get(context, segment_uuid)
    return segment, check_segment(context, segment, host_failures,
                                  novaclient)


def check_segment(context, segment, host_failures=None, novaclient=None):
    """The ``Report`` of ``segment`` (a row)."""
    novaclient = novaclient or nova.API()
    host_failures = host_failures or CONF.protection.host_failures
    rows = db_api.host_get_all(
        filters={'failover_segment_id': segment.uuid})
    nodes = _nodes_by_host(novaclient.get_hypervisors(context))
    hosts = [_host_state(context, novaclient, row, nodes.get(row.name))
             for row in rows]
    return protection.evaluate(hosts, segment.recovery_method,
                               ratios_from_conf(), host_failures)


def _nodes_by_host(hypervisors):
    """Hypervisors grouped by compute service host (several nodes per
    host are summed)."""
    nodes = {}
    for hypervisor in hypervisors:
        nodes.setdefault(hypervisor.host, []).append(hypervisor)
    return nodes


def _host_state(context, novaclient, row, nodes):
    total = used = None
    enabled = up = False
    if nodes and all(node.has_statistics for node in nodes):
        total = sum((protection.Resources(n.vcpus, n.memory_mb, n.local_gb)
                     for n in nodes), protection.Resources())
        used = sum((protection.Resources(n.vcpus_used, n.memory_mb_used,
                                         n.local_gb_used) for n in nodes),
                   protection.Resources())
    if nodes:
        enabled = all(node.status == 'enabled' for node in nodes)
        up = all(node.state == 'up' for node in nodes)
    instances = ()
    if not row.on_maintenance:
        instances = tuple(_instances(novaclient.get_servers(context,
                                                            row.name)))
    return protection.HostState(
        name=row.name, uuid=row.uuid, reserved=bool(row.reserved),
        on_maintenance=bool(row.on_maintenance), service_enabled=enabled,
        service_up=up, total=total, used=used, instances=instances)


def _instances(servers):
    """The servers the engine would evacuate, in its order."""
    conf = CONF.host_failure
    selected, _skipped = planning.select_instances(
        servers, conf.ha_enabled_instance_metadata_key,
        conf.evacuate_all_instances, conf.ignore_instances_in_error_state,
        exclusions=selection.Exclusions.from_conf(),
        priority_key=conf.priority_metadata_key)
    for server in selected:
        need = None
        if None not in (server.vcpus, server.memory_mb, server.disk_gb):
            need = protection.Resources(server.vcpus, server.memory_mb,
                                        server.disk_gb)
        yield protection.Instance(
            id=server.id, name=server.name,
            priority=selection.priority(server, conf.priority_metadata_key),
            need=need)
