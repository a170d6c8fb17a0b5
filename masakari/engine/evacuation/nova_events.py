"""What one of Nova's versioned notifications says about an evacuation.

Nova sends, for an evacuation (``doc/source/admin/nova-events.rst``):

* ``instance.evacuate`` from nova-api once it accepted the request;
* ``instance.rebuild.start`` and ``instance.rebuild.end`` from the target
  nova-compute, or ``instance.rebuild.error`` (priority error) with the
  fault when the rebuild failed. An evacuation is a rebuild elsewhere, so
  these carry Nova's default action ``rebuild``;
* ``compute_task.rebuild_server.error`` (priority error) from
  nova-conductor when no host could take the server (``NoValidHost``):
  the evacuation ends there, before any compute starts a rebuild.

The payload is a serialised Nova object (``InstanceActionPayload``,
``InstanceActionRebuildPayload``): ``{'nova_object.name': ...,
'nova_object.data': {'uuid': ..., 'host': ..., 'state': ...,
'task_state': ..., 'fault': {...} or None, ...}}``; the conductor's
``ComputeTaskPayload`` names the instance ``instance_uuid`` and its fault
``reason``. ``parse`` reads only
what the engine needs and returns None for anything else, so a payload
of a newer or older Nova, or a message that is not Nova's at all, is
dropped rather than raising on the listener's thread.

Pure: no messaging, no clock.
"""

import dataclasses
import enum

# The notifications the listener subscribes to (an oslo.messaging
# NotificationFilter on event_type).
EVENT_TYPES_PATTERN = (r'^(instance\.(evacuate|rebuild\.(start|end|error))'
                       r'|compute_task\.rebuild_server\.error)$')


class Outcome(enum.Enum):
    """What the event says about the evacuation of its instance."""

    # Nova accepted it (instance.evacuate) or started the rebuild.
    GOING = 'going'
    # The rebuild ended: the server runs on its new host, or is about to
    # (Nova moves the server's host a moment after this event).
    DONE = 'done'
    # The rebuild failed: Nova gave up on this evacuation.
    FAILED = 'failed'


_OUTCOMES = {
    'instance.evacuate': Outcome.GOING,
    'instance.rebuild.start': Outcome.GOING,
    'instance.rebuild.end': Outcome.DONE,
    'instance.rebuild.error': Outcome.FAILED,
    'compute_task.rebuild_server.error': Outcome.FAILED,
}


@dataclasses.dataclass(frozen=True)
class NovaEvent:
    """One notification about one instance's evacuation."""

    event_type: str
    instance_uuid: str
    outcome: Outcome
    host: str | None = None
    vm_state: str | None = None
    task_state: str | None = None
    # "<exception>: <message>" for a failed rebuild, when Nova said.
    fault: str | None = None

    @property
    def ended(self):
        return self.outcome is not Outcome.GOING


def parse(event_type, payload):
    """The ``NovaEvent`` in a notification, or None when it is not one
    about an evacuation or its payload is not shaped like Nova's."""
    outcome = _OUTCOMES.get(event_type)
    if outcome is None or not isinstance(payload, dict):
        return None
    data = payload.get('nova_object.data')
    if not isinstance(data, dict):
        return None
    uuid = data.get('uuid', data.get('instance_uuid'))
    if not isinstance(uuid, str) or not uuid:
        return None
    return NovaEvent(event_type, uuid, outcome,
                     host=_text(data.get('host')),
                     vm_state=_text(data.get('state')),
                     task_state=_text(data.get('task_state')),
                     fault=_fault(data.get('fault', data.get('reason'))))


def _text(value):
    return value if isinstance(value, str) else None


def _fault(fault):
    """``ExceptionPayload`` → "Exception: message" (None when absent)."""
    if not isinstance(fault, dict):
        return None
    data = fault.get('nova_object.data')
    if not isinstance(data, dict):
        return None
    name = _text(data.get('exception'))
    message = _text(data.get('exception_message'))
    if name and message:
        return '%s: %s' % (name, message)
    return name or message
