"""Server operations with Nova's checks and timed state transitions.

Each public function validates like Nova's compute API (raising
``errors.NovaError``), changes the state at once the way the API does
(task_state, instance action, migration record) and schedules the rest on
the ticker the way conductor and nova-compute would finish it later.
A transition only applies if the server's ``op_token`` is unchanged, so a
reset-state or a delete cancels whatever was in flight.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from masakari.simulator import errors
from masakari.simulator import scheduler
from masakari.simulator import states
from masakari.simulator import throttle
from masakari.simulator.models import (ActionEvent, Fault, InstanceAction,
                                       Migration, Server, utcnow)

if TYPE_CHECKING:
    from masakari.simulator.state import Caller, CloudState

EVACUATE_FAILED = ('Simulated evacuation failure (fault injected into the '
                   'Nova simulator).')


def _check_state(server: Server, action: str, vm_states: tuple,
                 task_states: tuple = (None,)) -> None:
    if server.vm_state not in vm_states:
        raise errors.invalid_state(action, server.id, 'vm_state',
                                   server.vm_state)
    if server.task_state not in task_states:
        raise errors.invalid_state(action, server.id, 'task_state',
                                   server.task_state)


def _later(state: CloudState, delay: float, server: Server,
           fn: Callable[[Server], None]) -> None:
    """Run ``fn(server)`` after ``delay`` unless the server moved on."""
    server_id, token = server.id, server.op_token

    def run() -> None:
        with state.lock:
            current = state.servers.get(server_id)
            if current is not None and current.op_token == token:
                fn(current)
                current.touch()

    state.ticker.call_later(delay, run)


def _compute_alive(state: CloudState, host_name: str | None) -> bool:
    host = state.hosts.get(host_name) if host_name else None
    return host is None or state.compute_alive(host)


def _release_migration(state: CloudState, server: Server,
                       status: str) -> None:
    for migration in state.migrations:
        if (migration.server_id == server.id and
                migration.status in ('accepted', 'pre-migrating')):
            migration.set_status(status)
    server.target_host = None


# -- evacuate --

def evacuate(state: CloudState, server_id: str, caller: Caller, *,
             host: str | None = None, force: bool = False,
             lands_stopped: bool = False) -> None:
    """Rebuild a server of a dead host elsewhere.

    Refused (400) while the source service is up. Scheduling happens at
    once; a failure to find a host is reported asynchronously (the server
    goes to ERROR with a "No valid host" fault) as in Nova, where the API
    has already answered 200 when the conductor fails to schedule.
    """
    with state.lock:
        server = state.get_server(server_id)
        if host is not None:
            if host not in state.hosts:
                raise errors.NotFound('Compute host %s not found.' % host)
            if server.host == host:
                raise errors.BadRequest(
                    "The target host can't be the same one.")
        _check_state(server, 'evacuate',
                     (states.ACTIVE, states.STOPPED, states.ERROR))
        source = state.get_host(server.host) if server.host else None
        if source is None:
            raise errors.NotFound('Compute host %s could not be found.'
                                  % server.host)
        if state.service_is_up(source):
            raise errors.BadRequest('Compute service of %s is still in use.'
                                    % source.name)
        action = state.record_action(server, 'evacuate', caller)
        conductor = action.add_event('conductor_rebuild_server', None)
        migration = state.new_migration(server, source.name)
        original_vm_state = server.vm_state
        server.task_state = states.REBUILDING
        server.new_operation()
        if state.notifier is not None:
            state.notifier.evacuate_accepted(server, caller.user_id)
        try:
            if force and host is not None:
                target = state.hosts[host]
            else:
                target = scheduler.select_host(
                    state.hosts.values(), state.usage(), server.flavor,
                    is_up=state.service_is_up, exclude={source.name},
                    requested=host)
        except errors.NoValidHost as exc:
            message = str(exc)
            def unschedulable(s: Server) -> None:
                _unschedulable(s, action, conductor, migration, message)
                if state.notifier is not None:
                    state.notifier.rebuild_unschedulable(s)

            _later(state, state.settings.no_valid_host_delay, server,
                   unschedulable)
            return
        action.finish_event(conductor, True)
        server.target_host = target.name
        migration.dest = target.name
        migration.set_status('pre-migrating')
        mode = state.take_evacuation_fault(server.id)
        duration = (_claim(state, target.name) +
                    state.settings.evacuate_duration.sample(state.rng))
        event = action.add_event('compute_rebuild_instance', target.name)
        _announce(state, server, target.name, 'start')

        def spawning(s: Server) -> None:
            s.task_state = states.REBUILD_SPAWNING

        stopped = lands_stopped or original_vm_state == states.STOPPED
        lag = state.settings.evacuate_host_lag

        def move(s: Server) -> None:
            _evacuated(s, action, event, migration, stopped=stopped)

        def finish(s: Server) -> None:
            if not _compute_alive(state, s.target_host):
                return  # the target died: the rebuild never reports back
            if mode in ('fail', 'rollback'):
                _evacuation_failed(s, action, event, migration,
                                   rolled_back=mode == 'rollback')
                _announce(state, s, target.name, 'error')
            elif lag > 0:
                # Nova's order: the task is cleared on the old host first.
                _rebuilt_in_place(s, stopped)
                _announce(state, s, target.name, 'end')
                _later(state, lag, s, move)
            else:
                move(s)
                _announce(state, s, target.name, 'end')

        _later(state, duration / 2, server, spawning)
        if mode != 'stuck':
            _later(state, duration, server, finish)


def _claim(state: CloudState, target: str) -> float:
    """Seconds until this evacuation's claim on ``target`` is done: the
    claims on one host are taken one after another."""
    claim = state.settings.evacuate_claim_time
    if claim <= 0:
        return 0.0
    wait, state.claim_free_at[target] = throttle.claim_slot(
        state.claim_free_at.get(target, 0.0), state.clock(), claim)
    return wait


def _announce(state: CloudState, server: Server, target: str,
              phase: str) -> None:
    """``instance.rebuild.<phase>`` from the target's compute, when the
    simulator sends Nova's notifications."""
    if state.notifier is not None:
        state.notifier.rebuild(server, target, phase)


def _unschedulable(server: Server, action: InstanceAction,
                   event: ActionEvent, migration: Migration,
                   message: str) -> None:
    server.vm_state = states.ERROR
    server.task_state = None
    server.target_host = None
    server.fault = Fault(500, message, 'NoValidHost')
    migration.set_status('error')
    action.finish_event(event, False)


def _evacuated(server: Server, action: InstanceAction, event: ActionEvent,
               migration: Migration, stopped: bool) -> None:
    server.host = server.target_host
    server.target_host = None
    _rebuilt_in_place(server, stopped)
    server.launched_at = utcnow()
    migration.set_status('done')
    action.finish_event(event, True)


def _rebuilt_in_place(server: Server, stopped: bool) -> None:
    server.task_state = None
    if stopped:
        server.vm_state, server.power_state = states.STOPPED, states.SHUTDOWN
    else:
        server.vm_state, server.power_state = states.ACTIVE, states.RUNNING


def _evacuation_failed(server: Server, action: InstanceAction,
                       event: ActionEvent, migration: Migration,
                       rolled_back: bool = False) -> None:
    """``rolled_back``: as Nova after a failed claim on the target host,
    the server keeps its vm_state and gets no fault; only the record
    says the evacuation failed."""
    server.target_host = None
    server.task_state = None
    if not rolled_back:
        server.vm_state = states.ERROR
        server.fault = Fault(500, EVACUATE_FAILED, 'InjectedFault')
    migration.set_status('failed')
    action.finish_event(event, False)


# -- power actions --

_POWER = {
    # action: (allowed vm_states, task while running, event, result)
    'stop': ((states.ACTIVE, states.ERROR, 'rescued'), states.POWERING_OFF,
             'compute_stop_instance', (states.STOPPED, states.SHUTDOWN)),
    'start': ((states.STOPPED,), states.POWERING_ON,
              'compute_start_instance', (states.ACTIVE, states.RUNNING)),
}


def stop(state: CloudState, server_id: str, caller: Caller) -> None:
    """os-stop: powering-off, then stopped/power_state 4."""
    _power(state, server_id, caller, 'stop')


def start(state: CloudState, server_id: str, caller: Caller) -> None:
    """os-start: powering-on, then active/power_state 1."""
    _power(state, server_id, caller, 'start')


def _power(state: CloudState, server_id: str, caller: Caller,
           name: str) -> None:
    allowed, task_state, event_name, _ = _POWER[name]
    with state.lock:
        server = state.get_server(server_id)
        _check_state(server, name, allowed)
        action = state.record_action(server, name, caller)
        action.add_event(event_name, server.host)
        server.task_state = task_state
        server.new_operation()
        if _compute_alive(state, server.host):
            _schedule_power_finish(state, server, name)
        # else: the cast to the dead compute is lost; a restart resumes it


def _schedule_power_finish(state: CloudState, server: Server,
                           name: str) -> None:
    duration = getattr(state.settings, '%s_duration' % name)

    def finish(s: Server) -> None:
        s.vm_state, s.power_state = _POWER[name][3]
        s.task_state = None
        action = s.actions[-1] if s.actions else None
        if action is not None and action.action == name:
            for event in action.events:
                if event.finish_time is None:
                    action.finish_event(event, True)

    _later(state, duration.sample(state.rng), server, finish)


def resume_lost_action(state: CloudState, server: Server) -> None:
    """On compute restart, finish power actions that were sent to it."""
    for name, spec in _POWER.items():
        if server.task_state == spec[1]:
            _schedule_power_finish(state, server, name)


# -- simple actions --

def reset_state(state: CloudState, server_id: str, vm_state: str) -> None:
    """os-resetState: set vm_state, clear task_state, cancel in-flight work."""
    with state.lock:
        server = state.get_server(server_id)
        server.vm_state = vm_state
        server.task_state = None
        _release_migration(state, server, 'error')
        server.new_operation()


def lock(state: CloudState, server_id: str, caller: Caller,
         reason: str | None = None) -> None:
    with state.lock:
        server = state.get_server(server_id)
        state.record_action(server, 'lock', caller)
        server.locked, server.locked_reason = True, reason
        server.touch()


def unlock(state: CloudState, server_id: str, caller: Caller) -> None:
    with state.lock:
        server = state.get_server(server_id)
        state.record_action(server, 'unlock', caller)
        server.locked, server.locked_reason = False, None
        server.touch()


def update_metadata(state: CloudState, server_id: str, items: dict,
                    replace: bool = False) -> dict:
    with state.lock:
        server = state.get_server(server_id)
        if replace:
            server.metadata = {}
        server.metadata.update({str(k): str(v) for k, v in items.items()})
        server.touch()
        return dict(server.metadata)


def delete_metadata_item(state: CloudState, server_id: str,
                         key: str) -> None:
    with state.lock:
        server = state.get_server(server_id)
        if key not in server.metadata:
            raise errors.NotFound('Metadata item was not found')
        del server.metadata[key]
        server.touch()


# -- boot and delete --

def boot(state: CloudState, caller: Caller, *, name: str, flavor,
         image_id: str, metadata: dict | None = None,
         zone: str | None = None, forced_host: str | None = None,
         requested_host: str | None = None, count: int = 1) -> list[Server]:
    """POST /servers: BUILD on a scheduled host, ACTIVE after boot_duration.

    ``forced_host`` (from ``availability_zone: "zone:host"``) bypasses the
    filters; ``requested_host`` (2.74 ``host``) goes through them. With no
    valid host the server goes to ERROR with a fault, asynchronously.
    """
    with state.lock:
        if requested_host is not None and requested_host not in state.hosts:
            raise errors.BadRequest('Compute host %s could not be found.'
                                    % requested_host)
        if zone and zone not in state.zones():
            raise errors.BadRequest(
                'The requested availability zone is not available')
        created = []
        for index in range(count):
            server = state.new_server(
                name=name if count == 1 else '%s-%d' % (name, index + 1),
                host=None, flavor=flavor, tenant_id=caller.project_id,
                user_id=caller.user_id, image_id=image_id,
                metadata=metadata, vm_state=states.BUILDING,
                task_state=states.SCHEDULING, availability_zone=zone)
            action = state.record_action(server, 'create', caller)
            created.append(server)
            try:
                target = _boot_target(state, server, zone, forced_host,
                                      requested_host)
            except errors.NoValidHost as exc:
                event = action.add_event('conductor_schedule_and_build_'
                                         'instances', None)
                _later(state, 0.0, server,
                       lambda s, e=event, a=action, m=str(exc):
                       _boot_failed(s, a, e, m))
                continue
            server.host = target
            server.task_state = states.SPAWNING
            event = action.add_event('compute__do_build_and_run_instance',
                                     target)
            if _compute_alive(state, target):
                _later(state,
                       state.settings.boot_duration.sample(state.rng),
                       server, lambda s, e=event, a=action:
                       _booted(s, a, e))
        return created


def _boot_target(state: CloudState, server: Server, zone: str | None,
                 forced_host: str | None,
                 requested_host: str | None) -> str:
    if forced_host is not None:
        if forced_host not in state.hosts:
            raise errors.NoValidHost()
        return forced_host
    pool = [h for h in state.hosts.values()
            if zone is None or state.host_zone(h.name) == zone]
    return scheduler.select_host(pool, state.usage(), server.flavor,
                                 is_up=state.service_is_up,
                                 requested=requested_host).name


def _booted(server: Server, action: InstanceAction,
            event: ActionEvent) -> None:
    server.vm_state, server.power_state = states.ACTIVE, states.RUNNING
    server.task_state = None
    server.launched_at = utcnow()
    action.finish_event(event, True)


def _boot_failed(server: Server, action: InstanceAction, event: ActionEvent,
                 message: str) -> None:
    server.vm_state, server.task_state = states.ERROR, None
    server.fault = Fault(500, message, 'NoValidHost')
    action.finish_event(event, False)


def delete(state: CloudState, server_id: str, caller: Caller) -> None:
    """DELETE /servers/{id}: gone at once (Nova takes a moment)."""
    with state.lock:
        server = state.get_server(server_id)
        state.record_action(server, 'delete', caller)
        _release_migration(state, server, 'error')
        server.new_operation()
        server.vm_state, server.task_state = states.DELETED, None
        del state.servers[server.id]
        state.deleted_servers[server.id] = server
