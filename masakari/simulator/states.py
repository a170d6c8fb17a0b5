"""Nova's vm_state and task_state vocabulary, and the derived ``status``.

The public ``status`` of a server is a function of its vm_state and
task_state; the same table answers the ``?status=`` list filter.
"""

from __future__ import annotations

ACTIVE = 'active'
BUILDING = 'building'
STOPPED = 'stopped'
ERROR = 'error'
DELETED = 'deleted'

SCHEDULING = 'scheduling'
SPAWNING = 'spawning'
REBUILDING = 'rebuilding'
REBUILD_SPAWNING = 'rebuild_spawning'
POWERING_OFF = 'powering-off'
POWERING_ON = 'powering-on'
DELETING = 'deleting'

NOSTATE = 0
RUNNING = 1
SHUTDOWN = 4

_REBUILD = {REBUILDING: 'REBUILD', 'rebuild_block_device_mapping': 'REBUILD',
            REBUILD_SPAWNING: 'REBUILD'}

# vm_state -> {task_state or 'default' -> status}
STATE_MAP: dict[str, dict[str, str]] = {
    ACTIVE: {'default': 'ACTIVE', 'rebooting': 'REBOOT',
             'reboot_pending': 'REBOOT', 'reboot_started': 'REBOOT',
             'rebooting_hard': 'HARD_REBOOT', 'migrating': 'MIGRATING',
             'resize_prep': 'RESIZE', **_REBUILD},
    BUILDING: {'default': 'BUILD'},
    STOPPED: {'default': 'SHUTOFF', 'resize_prep': 'RESIZE', **_REBUILD},
    ERROR: {'default': 'ERROR', **_REBUILD},
    'paused': {'default': 'PAUSED', 'migrating': 'MIGRATING'},
    'suspended': {'default': 'SUSPENDED'},
    'rescued': {'default': 'RESCUE'},
    'resized': {'default': 'VERIFY_RESIZE'},
    'soft-delete': {'default': 'SOFT_DELETED'},
    'shelved': {'default': 'SHELVED'},
    'shelved_offloaded': {'default': 'SHELVED_OFFLOADED'},
    DELETED: {'default': 'DELETED'},
}

# power states Nova reports for a settled vm_state
POWER_FOR_VM_STATE = {ACTIVE: RUNNING, STOPPED: SHUTDOWN, BUILDING: NOSTATE}


def status_of(vm_state: str, task_state: str | None) -> str:
    """The API ``status`` string for a vm_state/task_state pair."""
    task_map = STATE_MAP.get(vm_state, {'default': 'UNKNOWN'})
    if task_state == DELETING:
        return 'DELETED'
    return task_map.get(task_state or 'default', task_map['default'])


def filter_for_status(statuses: list[str]) -> tuple[set, set | None]:
    """vm_states and task_states that ``?status=`` selects.

    Like Nova, a status that is the default of a vm_state selects that
    vm_state whatever its task_state (``ACTIVE`` also matches an active
    server that is rebuilding); the task-state set is None then.
    """
    wanted = {s.upper() for s in statuses}
    vm_states: set[str] = set()
    task_states: set[str] = set()
    for vm_state, task_map in STATE_MAP.items():
        for task_state, status in task_map.items():
            if status in wanted:
                vm_states.add(vm_state)
                task_states.add(task_state)
    if 'default' in task_states:
        return vm_states, None
    return vm_states, task_states
