"""What to do with each server of a failed host: pure decisions.

Nothing here talks to Nova or the database, or looks at a clock: each
function takes a server as Nova reported it (``compute.resources.Server``) and,
where it matters, masakari's record of the server's evacuation
(``records.EvacuationRecord``), and returns a frozen answer. The run
(``run.HostEvacuation``) carries the answers out.
"""

import dataclasses
import enum

from masakari.compute import resources
from masakari.engine.evacuation import selection

# vm_states Nova can evacuate without a reset.
EVACUABLE_VM_STATES = ('active', 'error', 'stopped')
# Statuses of Nova's evacuation record (migration) that mean it failed.
FAILED_RECORD_STATUSES = ('failed', 'error')
# Task states of a server Nova is rebuilding, i.e. evacuating.
REBUILD_TASK_STATES = ('rebuilding', 'rebuild_block_device_mapping',
                       'rebuild_spawning')


def select_instances(servers, ha_key, evacuate_all, ignore_error_state,
                     exclusions=None, priority_key=None):
    """Which servers of a failed host to evacuate: by restart priority
    (``selection.priority`` of ``priority_key``), then HA-enabled first.

    Returns ``(selected, skipped)``; ``skipped`` holds ``(server, reason)``.
    """
    exclusions = exclusions or selection.Exclusions()
    ha_enabled, others, skipped = [], [], []
    for server in servers:
        excluded = exclusions.reason(server)
        if excluded:
            skipped.append((server, 'it is excluded from evacuation: %s'
                                    % excluded))
        elif ignore_error_state and server.vm_state == 'error':
            skipped.append((server, 'it is in error state and '
                                    '[host_failure] '
                                    'ignore_instances_in_error_state is '
                                    'true'))
        elif server.metadata_flag(ha_key):
            ha_enabled.append(server)
        elif evacuate_all:
            others.append(server)
        else:
            skipped.append((server, 'it is not HA-enabled (metadata %s) and '
                                    '[host_failure] evacuate_all_instances '
                                    'is false' % ha_key))
    selected = sorted(ha_enabled + others,
                      key=lambda s: -selection.priority(s, priority_key))
    return selected, skipped


@dataclasses.dataclass(frozen=True)
class EvacuationPlan:
    """How one server is evacuated, from its state before the evacuation.

    ``reset_to_error``: Nova only evacuates active, stopped or error servers
    with no task in progress, so others are reset to error first.
    ``expected_vm_state``: the vm_state the server keeps through the
    evacuation (compute API < 2.95); an error server comes back active.
    ``stop_after``: power the server off again once it runs elsewhere.
    ``restore_error``: reset it to error at the end, as it was.
    """

    reset_to_error: bool
    expected_vm_state: str
    stop_after: bool
    restore_error: bool


def plan_evacuation(server):
    vm_state, task_state = server.vm_state, server.task_state
    if vm_state not in EVACUABLE_VM_STATES:
        keep_running = (vm_state == 'resized' and
                        server.power_state != resources.POWER_STATE_SHUTDOWN)
        return EvacuationPlan(True, 'error', not keep_running, False)
    if task_state is not None:
        return EvacuationPlan(True, 'error', vm_state != 'active',
                              vm_state == 'error')
    if vm_state == 'error':
        return EvacuationPlan(False, 'error', True, True)
    return EvacuationPlan(False, vm_state, False, False)


class Action(enum.Enum):
    """What the run does first with a server still to be evacuated."""

    # It already runs elsewhere (an earlier attempt moved it): record it.
    ALREADY_MOVED = 'already moved'
    # Nova is still carrying out an evacuation asked for earlier: wait.
    AWAIT_EARLIER = 'await earlier evacuation'
    # Ask Nova to evacuate it now.
    EVACUATE = 'evacuate'


@dataclasses.dataclass(frozen=True)
class Start:
    """The first step for one server, and who owns its lock.

    ``unlock``: masakari holds (or is about to take) the server's lock and
    releases it once the evacuation is over. ``lock``: take the lock now.
    ``plan``: how to evacuate it, for ``Action.EVACUATE``.
    """

    action: Action
    unlock: bool = False
    lock: bool = False
    plan: EvacuationPlan | None = None


def decide_start(server, record, source_host):
    """The first step for ``server`` of ``source_host``, given ``record``.

    A lock counts as masakari's only when the record says an earlier
    attempt took it; a server an operator locked stays locked. A rebuild
    in progress on the failed host is an earlier evacuation only when the
    record says one was asked for (Nova could be rebuilding it for another
    reason when the host failed).
    """
    held = server.locked and record.locked_by_masakari
    if server.host != source_host and server.task_state is None:
        return Start(Action.ALREADY_MOVED, unlock=held)
    if server.task_state in REBUILD_TASK_STATES and (
            server.host != source_host or record.requested):
        return Start(Action.AWAIT_EARLIER, unlock=held)
    return Start(Action.EVACUATE, unlock=held or not server.locked,
                 lock=not server.locked, plan=plan_evacuation(server))


class Progress(enum.Enum):
    """Where an evacuation Nova accepted stands."""

    GOING = 'going'
    DONE = 'done'
    FAILED = 'failed'
    # No task, still on the failed host: finishing, or given up on.
    SETTLING = 'settling'


def evacuation_progress(server, source_host, expected_vm_state,
                        record_status=None):
    """The ``Progress`` of a server polled after Nova accepted its
    evacuation.

    Nova sets task_state ``rebuilding`` before it answers the evacuate
    call. At the end, Nova's compute clears the task of the rebuilt server
    *before* it moves the server's host to itself (the resource tracker's
    ``finish_evacuation``, which first waits for the tracker's lock), so a
    server with no task still on the source host is either in that window
    or given up on. Only an error vm_state or Nova's evacuation record
    (``record_status`` ``failed``/``error``, when known) tell them apart at
    once; otherwise it is ``SETTLING`` and the caller gives it a grace
    period before calling it failed.
    """
    if server.task_state is not None:
        return Progress.GOING
    if server.host == source_host:
        if (record_status in FAILED_RECORD_STATUSES or
                (server.vm_state == 'error' and expected_vm_state != 'error')):
            return Progress.FAILED
        return Progress.SETTLING
    if server.vm_state == 'error':
        return (Progress.FAILED if expected_vm_state != 'error'
                else Progress.GOING)
    return Progress.DONE


def describe(server):
    """The state of ``server`` in a progress message."""
    return ('vm_state=%s, task_state=%s, host=%s'
            % (server.vm_state, server.task_state, server.host))
