"""oslo.messaging plumbing shared by the API (client) and the engine."""

import oslo_messaging as messaging
from oslo_messaging.rpc import dispatcher

from masakari.conf import CONF
from masakari import context as masakari_context

_TRANSPORTS = {}
_NOTIFICATION_TRANSPORT = None
ALLOWED_EXMODS = ['masakari.exception']


def set_defaults():
    messaging.set_transport_defaults(control_exchange='masakari')


def get_transport():
    """One RPC transport per URL per process (fake:// must be shared)."""
    url = CONF.transport_url
    if url not in _TRANSPORTS:
        _TRANSPORTS[url] = messaging.get_rpc_transport(
            CONF, allowed_remote_exmods=ALLOWED_EXMODS)
    return _TRANSPORTS[url]


def get_notification_transport():
    global _NOTIFICATION_TRANSPORT
    if _NOTIFICATION_TRANSPORT is None:
        _NOTIFICATION_TRANSPORT = messaging.get_notification_transport(
            CONF, allowed_remote_exmods=ALLOWED_EXMODS)
    return _NOTIFICATION_TRANSPORT


def cleanup():
    global _NOTIFICATION_TRANSPORT
    for transport in _TRANSPORTS.values():
        transport.cleanup()
    _TRANSPORTS.clear()
    if _NOTIFICATION_TRANSPORT is not None:
        _NOTIFICATION_TRANSPORT.cleanup()
        _NOTIFICATION_TRANSPORT = None


class RequestContextSerializer(messaging.Serializer):
    """Sends JSON payloads and carries the request context across."""

    def __init__(self):
        self._base = messaging.JsonPayloadSerializer()

    def serialize_entity(self, context, entity):
        return self._base.serialize_entity(context, entity)

    def deserialize_entity(self, context, entity):
        return self._base.deserialize_entity(context, entity)

    def serialize_context(self, context):
        return context.to_dict()

    def deserialize_context(self, context):
        return masakari_context.RequestContext.from_dict(context)


def get_client(target, version_cap=None):
    return messaging.get_rpc_client(get_transport(), target,
                                    version_cap=version_cap,
                                    serializer=RequestContextSerializer())


def get_server(target, endpoints):
    return messaging.get_rpc_server(
        get_transport(), target, endpoints, executor='threading',
        serializer=RequestContextSerializer(),
        access_policy=dispatcher.DefaultRPCAccessPolicy)
