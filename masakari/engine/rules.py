"""What the engine does with a notification, decided from its type and
payload alone (the same rules as upstream's engine: a host failure is
recovered only once the monitor confirms it with ``host_status`` NORMAL;
a process or host that started again needs nothing; only some libvirt
events of an instance are recovered). Pure functions: no Nova, no
database.

``decide(type, payload)`` returns a ``Decision``:

* ``outcome`` ``'ignored'`` or ``'finished'`` with a ``message``: nothing
  to recover;
* ``outcome`` ``None``: run the ``recovery`` (``'host'``, ``'process'`` or
  ``'instance'``), after setting the source host on maintenance when
  ``set_maintenance`` is true.
"""

import dataclasses

COMPUTE_HOST = 'COMPUTE_HOST'
PROCESS = 'PROCESS'
VM = 'VM'

STARTED = 'STARTED'
STOPPED = 'STOPPED'
NORMAL = 'NORMAL'

# (event, vir_domain_event) pairs of a VM notification that are recovered.
RECOVERABLE_VM_EVENTS = frozenset({
    ('LIFECYCLE', 'STOPPED_FAILED'),
    ('QEMU_GUEST_AGENT_ERROR', 'STOPPED_FAILED'),
    ('IO_ERROR', 'IO_ERROR_REPORT'),
})


@dataclasses.dataclass(frozen=True)
class Decision:
    outcome: str | None = None
    message: str | None = None
    recovery: str | None = None
    set_maintenance: bool = False
    process_name: str | None = None
    instance_uuid: str | None = None


def _upper(value):
    return str(value).upper() if value is not None else None


def decide(notification_type, payload):
    payload = payload if isinstance(payload, dict) else {}
    kind = _upper(notification_type)
    if kind == COMPUTE_HOST:
        return _decide_host(payload)
    if kind == PROCESS:
        return _decide_process(payload)
    if kind == VM:
        return _decide_vm(payload)
    return Decision('ignored', 'Unknown notification type %r: nothing to do.'
                    % (notification_type,))


def _decide_host(payload):
    event = _upper(payload.get('event'))
    host_status = _upper(payload.get('host_status'))
    if host_status is None:
        return Decision('ignored', 'Ignored: the payload has no host_status, '
                                   'so the host failure is not confirmed.')
    if host_status != NORMAL:
        return Decision('ignored', "Ignored: host_status is '%s', not NORMAL;"
                                   ' evacuating a host that may still run its '
                                   'instances is unsafe.'
                        % payload.get('host_status'))
    if event == STARTED:
        return Decision('finished', 'Host started: no recovery needed.')
    if event == STOPPED:
        return Decision(recovery='host', set_maintenance=True)
    return Decision('ignored', "Ignored: unknown host event '%s'."
                    % payload.get('event'))


def _decide_process(payload):
    event = _upper(payload.get('event'))
    if event == STARTED:
        return Decision('finished', 'Process started: no recovery needed.')
    if event == STOPPED:
        return Decision(recovery='process', set_maintenance=True,
                        process_name=payload.get('process_name'))
    return Decision('ignored', "Ignored: unknown process event '%s'."
                    % payload.get('event'))


def _decide_vm(payload):
    pair = (_upper(payload.get('event')),
            _upper(payload.get('vir_domain_event')))
    if pair not in RECOVERABLE_VM_EVENTS:
        return Decision('ignored', "Ignored: instance event '%s' / '%s' needs "
                                   'no recovery.'
                        % (payload.get('event'),
                           payload.get('vir_domain_event')))
    return Decision(recovery='instance',
                    instance_uuid=payload.get('instance_uuid'))
