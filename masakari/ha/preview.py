"""The recovery preview: what a host recovery would do now, doing nothing.

``preview(context, segment_uuid, host_uuid)`` reads the host and its
segment from the database and the host's servers and compute service from
Nova, and answers with the engine's own rules, never a copy of them:

* which servers, in what order: ``plan.select_instances`` (exclusions,
  HA-enabled first, the restart priority), grouped as
  ``run.HostEvacuation`` groups them (one group per priority when the
  segment waits for higher priorities, ``selection.waits_for_higher_
  priority``; else one group);
* how each is evacuated: ``plan.plan_evacuation`` (reset to error first,
  stopped or reset to error again after);
* where: the segment's recovery method, and for the reserved-host methods
  the spares ``ha.hosts.reserved_hosts_for_evacuation`` names, in the
  order the engine tries them;
* what the engine does before Nova accepts an evacuation: fence the host
  (its BMC in ``fencing.inventory``), force its compute service down, or
  disable it and wait until Nova reports it down.

Nothing is written to the database and nothing is asked of Nova but two
reads (the servers of the host, its compute service).
"""

import dataclasses

from masakari.compute import nova
from masakari.conf import CONF
from masakari.engine.evacuation import plan as planning
from masakari.engine.evacuation import selection
from masakari.fencing import api as fencing_api
from masakari.fencing import drivers as fencing_drivers
from masakari.fencing.errors import FencingError
from masakari.fencing import inventory
from masakari.ha import hosts as ha_hosts
from masakari.ha import notifications as ha_notifications

AUTO = 'auto'
RESERVED_HOST = 'reserved_host'
# The methods a host recovery runs, in order, for each recovery_method
# (``engine.driver.TaskFlowDriver.execute_host_failure``): the second one
# only when the first failed.
METHOD_STEPS = {
    'auto': (AUTO,),
    'reserved_host': (RESERVED_HOST,),
    'auto_priority': (AUTO, RESERVED_HOST),
    'rh_priority': (RESERVED_HOST, AUTO),
}

# What the engine does to the compute service before evacuating.
SERVICE_DOWN = 'none'
FORCE_DOWN = 'force_down'
DISABLE_AND_WAIT = 'disable_and_wait'


@dataclasses.dataclass(frozen=True)
class Fencing:
    """Whether the engine powers the host off through its BMC first.

    ``error``: the inventory (or the host's entry) cannot be used; the
    recovery would then fail before evacuating anything.
    ``kdump_wait``: seconds the engine first waits for a fence_kdump
    message from the host (``[fencing] kdump_wait``; 0 when it does not).
    """

    fenced_first: bool
    driver: str | None = None
    error: str | None = None
    kdump_wait: float = 0.0


@dataclasses.dataclass(frozen=True)
class ServicePlan:
    """What the engine does to the compute service before any evacuation:
    ``action`` is SERVICE_DOWN, FORCE_DOWN or DISABLE_AND_WAIT."""

    evacuable_now: bool
    action: str
    message: str


@dataclasses.dataclass(frozen=True)
class Target:
    """One recovery method the engine runs: ``auto`` (Nova's scheduler
    picks) or ``reserved_host`` (``reserved_hosts``, tried in order)."""

    method: str
    reserved_hosts: tuple = ()
    message: str = ''


@dataclasses.dataclass(frozen=True)
class Instance:
    """A server to evacuate, its restart priority and how it goes."""

    server: object
    ha_enabled: bool
    priority: int
    plan: planning.EvacuationPlan
    notes: tuple = ()


@dataclasses.dataclass(frozen=True)
class Preview:
    host: object
    segment: object
    service: object
    service_plan: ServicePlan
    fencing: Fencing
    targets: tuple
    waits_for_higher_priority: bool
    # Tuples of Instance: each group starts once the one before is over.
    groups: tuple
    # (server, reason) pairs.
    skipped: tuple
    # Why a recovery notified now would not run, would fail at once or
    # would have nothing to do.
    warnings: tuple

    @property
    def instances(self):
        """Every Instance to evacuate, in the order they would start."""
        return [item for group in self.groups for item in group]


def preview(context, segment_uuid, host_uuid, novaclient=None):
    """The ``Preview`` of a recovery of host ``host_uuid`` of segment
    ``segment_uuid`` (404 when either does not exist)."""
    host = ha_hosts.get(context, segment_uuid, host_uuid)
    segment = host.failover_segment
    novaclient = novaclient or nova.API()
    service = novaclient.get_service(context, host.name)
    servers = novaclient.get_servers(context, host.name)

    conf = CONF.host_failure
    ha_key = conf.ha_enabled_instance_metadata_key
    priority_key = conf.priority_metadata_key
    selected, skipped = planning.select_instances(
        servers, ha_key, conf.evacuate_all_instances,
        conf.ignore_instances_in_error_state,
        exclusions=selection.Exclusions.from_conf(),
        priority_key=priority_key)
    waits = selection.waits_for_higher_priority(segment)
    instances = [_instance(server, ha_key, priority_key)
                 for server in selected]
    if waits and priority_key:
        groups = selection.in_priority_order(
            instances, lambda item: item.priority)
    else:
        groups = [instances] if instances else []

    fencing = fencing_plan(host.name)
    service_plan = plan_service(service, fencing.fenced_first,
                                conf.force_down_failed_host,
                                CONF.wait_period_after_service_update)
    targets = tuple(_target(method, context, host)
                    for method in METHOD_STEPS.get(segment.recovery_method,
                                                   ()))
    return Preview(
        host=host, segment=segment, service=service,
        service_plan=service_plan, fencing=fencing, targets=targets,
        waits_for_higher_priority=waits,
        groups=tuple(tuple(group) for group in groups),
        skipped=tuple(skipped),
        warnings=tuple(_warnings(host, segment, fencing, targets,
                                 selected)))


def _instance(server, ha_key, priority_key):
    plan = planning.plan_evacuation(server)
    return Instance(server=server, ha_enabled=server.metadata_flag(ha_key),
                    priority=selection.priority(server, priority_key),
                    plan=plan, notes=tuple(plan_notes(server, plan)))


def plan_notes(server, plan):
    """What the engine does around the evacuation of ``server``, in words
    (nothing for a server Nova evacuates as it is)."""
    notes = []
    if plan.reset_to_error:
        notes.append(
            'Nova does not evacuate a server in vm_state %s with task_state '
            '%s: the engine resets it to error first'
            % (server.vm_state, server.task_state))
    if plan.stop_after:
        notes.append('the engine stops it once it runs on the new host, '
                     'as it was not running before')
    if plan.restore_error:
        notes.append('the engine resets it to error at the end, as it was')
    return notes


def fencing_plan(host_name):
    """Whether a recovery of ``host_name`` fences it first: it has a BMC
    in the inventory whose driver fences (``noop`` does not)."""
    try:
        bmc = inventory.lookup(host_name)
    except FencingError as exc:
        return Fencing(False, error=str(exc))
    if bmc is None or not fencing_drivers.get(bmc.driver).fences:
        return Fencing(False)
    return Fencing(True, driver=bmc.driver,
                   kdump_wait=fencing_api.kdump_wait(bmc))


def plan_service(service, fenced, force_down, wait_seconds):
    """What ``DisableComputeServiceTask`` does to ``service`` before Nova
    accepts an evacuation, which it refuses while it reads the service up."""
    if service.down:
        return ServicePlan(True, SERVICE_DOWN,
                           'Nova reports the compute service %s: it '
                           'evacuates at once' % (
                               'forced down' if service.forced_down
                               else 'down'))
    if fenced or force_down:
        return ServicePlan(False, FORCE_DOWN,
                           'Nova reports the compute service up and refuses '
                           'to evacuate; the engine would %s force it down '
                           'and disable it, then evacuate at once' % (
                               'fence the host, then' if fenced
                               else '([host_failure] '
                                    'force_down_failed_host)'))
    return ServicePlan(False, DISABLE_AND_WAIT,
                       'Nova reports the compute service up and refuses to '
                       'evacuate; the engine would disable it and wait up '
                       'to %ss for Nova to report it down' % wait_seconds)


def _target(method, context, host):
    if method == AUTO:
        return Target(AUTO, message="Nova's scheduler picks the host of "
                                    'each instance')
    spares = tuple(spare.name for spare in
                   ha_hosts.reserved_hosts_for_evacuation(context, host))
    if not spares:
        return Target(RESERVED_HOST, message='No reserved host is '
                                             'available: this method fails')
    return Target(RESERVED_HOST, spares,
                  'All instances go to the first reserved host; the next '
                  'one is tried when an attempt fails')


def _warnings(host, segment, fencing, targets, selected):
    warnings = []
    if host.on_maintenance:
        warnings.append('The host is on maintenance: a notification for it '
                        'is refused (409)')
    if ha_notifications.ignore_for_disabled_segment(host):
        warnings.append('The segment is disabled: a notification for its '
                        'hosts is ignored')
    if fencing.error:
        warnings.append('The host cannot be fenced (%s): the recovery '
                        'would fail before evacuating anything'
                        % fencing.error)
    if targets and all(target.method == RESERVED_HOST and
                       not target.reserved_hosts for target in targets):
        warnings.append('No reserved host is available in the segment: '
                        'the recovery would fail')
    if not selected:
        warnings.append('No instance to evacuate: the recovery would end '
                        'at once (finished)')
    return warnings
