"""Nova's versioned notifications of an evacuation, sent by the simulator.

Off unless the simulator is given a notification transport
(``NovaSimulator(notification_url=...)``, ``masakari-nova-simulator
--notification-url``). Then, as a Nova with ``[notifications]
notification_format = versioned`` and the ``messagingv2`` driver would,
it sends on topic ``versioned_notifications`` (exchange ``nova``):

* ``instance.evacuate`` from ``nova-api:<controller>`` when an evacuation
  is accepted;
* ``instance.rebuild.start`` from ``nova-compute:<target>`` when the
  target starts the rebuild, then ``instance.rebuild.end`` when it clears
  the task (before the server's host moves, as in Nova), or
  ``instance.rebuild.error`` (priority error) with the fault;
* ``compute_task.rebuild_server.error`` (priority error) from
  ``nova-conductor:<controller>`` when no host can take the server.

The payloads have the shape of Nova's ``InstanceActionPayload`` and
``InstanceActionRebuildPayload`` (a serialised Nova object), with the
fields the simulator knows. Messages are built under the state's lock
and sent, in order, by a thread of their own, so a slow broker never
holds the simulated cloud up.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any

from oslo_config import cfg
import oslo_messaging
from oslo_messaging import opts as messaging_opts

from masakari.simulator import models

LOG = logging.getLogger(__name__)
TOPIC = 'versioned_notifications'
EXCHANGE = 'nova'
# Nova's power_state names in notification payloads.
POWER_STATES = {0: 'pending', 1: 'running', 3: 'paused', 4: 'shutdown',
                6: 'crashed', 7: 'suspended'}
# (nova_object.name, nova_object.version) of the payloads sent.
ACTION_PAYLOAD = ('InstanceActionPayload', '1.9')
REBUILD_PAYLOAD = ('InstanceActionRebuildPayload', '1.10')
COMPUTE_TASK_PAYLOAD = ('ComputeTaskPayload', '1.0')


def nova_object(name: str, version: str, data: dict) -> dict:
    return {'nova_object.name': name, 'nova_object.namespace': 'nova',
            'nova_object.version': version, 'nova_object.data': data}


def fault_payload(fault: models.Fault | None,
                  where: tuple[str, str] = ('rebuild_instance',
                                            'nova.compute.manager'),
                  ) -> dict | None:
    if fault is None:
        return None
    return nova_object('ExceptionPayload', '1.1', {
        'exception': fault.details or 'NovaException',
        'exception_message': fault.message,
        'function_name': where[0],
        'module_name': where[1],
        'traceback': ''})


def compute_task_payload(server: models.Server) -> dict:
    """The server's failed conductor task, as Nova's
    ``ComputeTaskPayload`` shows it (no request spec: Nova allows none)."""
    return nova_object(*COMPUTE_TASK_PAYLOAD, {
        'instance_uuid': server.id,
        'request_spec': None,
        'state': server.vm_state,
        'reason': fault_payload(server.fault, ('rebuild_instance',
                                               'nova.conductor.manager')),
    })


def instance_payload(server: models.Server, payload: tuple[str, str],
                     caller_user: str | None = None) -> dict:
    """The server as Nova's instance action payloads show it."""
    data = {
        'uuid': server.id,
        'display_name': server.name,
        'host': server.host,
        'node': server.host,
        'state': server.vm_state,
        'task_state': server.task_state,
        'power_state': POWER_STATES.get(server.power_state, 'pending'),
        'tenant_id': server.tenant_id,
        'user_id': server.user_id,
        'image_uuid': server.image_id,
        'availability_zone': server.availability_zone,
        'metadata': dict(server.metadata),
        'locked': server.locked,
        'locked_reason': server.locked_reason,
        'launched_at': models.iso_z(server.launched_at),
        'created_at': models.iso_z(server.created),
        'updated_at': models.iso_z(server.updated),
        'action_initiator_user': caller_user or server.user_id,
        'action_initiator_project': server.tenant_id,
        'fault': fault_payload(server.fault),
    }
    return nova_object(payload[0], payload[1], data)


def notification_transport(url: str,
                           exchange: str) -> oslo_messaging.Transport:
    """A transport of the simulator's own whose default exchange is Nova's
    (the messagingv2 driver sends to the default exchange)."""
    conf = cfg.ConfigOpts()
    for group, opts in messaging_opts.list_opts():
        if group in (None, 'oslo_messaging_notifications'):
            conf.register_opts(opts, group=group)
    conf.set_override('control_exchange', exchange)
    return oslo_messaging.get_notification_transport(conf, url=url)


class NovaNotifier:
    """Sends the evacuation notifications of one simulated cloud."""

    def __init__(self, url: str | None = None, topic: str = TOPIC,
                 exchange: str = EXCHANGE,
                 transport: oslo_messaging.Transport | None = None,
                 api_host: str = 'controller'):
        if transport is None:
            if not url:
                raise ValueError('a notification URL or transport is needed')
            transport = notification_transport(url, exchange)
        self._notifier = oslo_messaging.Notifier(
            transport, publisher_id='nova-api', driver='messagingv2',
            topics=[topic])
        self.api_host = api_host
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self.sent = 0

    # -- what the lifecycle calls, under the state's lock --

    def evacuate_accepted(self, server: models.Server,
                          user_id: str | None = None) -> None:
        self._put('nova-api:%s' % self.api_host, 'instance.evacuate', 'info',
                  instance_payload(server, ACTION_PAYLOAD, user_id))

    def rebuild(self, server: models.Server, target: str, phase: str) -> None:
        """``phase``: ``start``, ``end`` or ``error``."""
        self._put('nova-compute:%s' % target, 'instance.rebuild.%s' % phase,
                  'error' if phase == 'error' else 'info',
                  instance_payload(server, REBUILD_PAYLOAD))

    def rebuild_unschedulable(self, server: models.Server) -> None:
        """The conductor found no host for the server's evacuation."""
        self._put('nova-conductor:%s' % self.api_host,
                  'compute_task.rebuild_server.error', 'error',
                  compute_task_payload(server))

    def _put(self, publisher: str, event_type: str, priority: str,
             payload: dict) -> None:
        self._queue.put((publisher, event_type, priority, payload))

    # -- the sender --

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._send_all, name='nova-simulator-notifier',
                daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Send what is queued (for up to ``timeout`` s), then stop."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
            self._thread = None

    def _send_all(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            publisher, event_type, priority, payload = item
            try:
                self._send(publisher, event_type, priority, payload)
            except Exception:  # a broker hiccup loses one event, as in Nova
                LOG.exception('could not send %s', event_type)

    def _send(self, publisher: str, event_type: str, priority: str,
              payload: dict[str, Any]) -> None:
        notifier = self._notifier.prepare(publisher_id=publisher)
        getattr(notifier, priority)({}, event_type, payload)
        self.sent += 1
