"""Client side of the engine RPC API, used by the API service.

Messages carry this project's own payload (contract decision 7): a
notification travels as the plain dict of ``notification_to_primitive``.
"""

import oslo_messaging as messaging

from masakari.conf import CONF
from masakari import rpc

RPC_API_VERSION = '1.1'
CAST_RETRIES = 2


def notification_to_primitive(notification):
    """The JSON-safe dict of a notification row that the engine receives."""
    return {
        'notification_uuid': notification.notification_uuid,
        'type': notification.type,
        'status': notification.status,
        'source_host_uuid': notification.source_host_uuid,
        'failover_segment_uuid': notification.failover_segment_uuid,
        'generated_time': notification.generated_time.isoformat(),
    }


class EngineAPI:
    """Casts notifications to, and asks progress of, the engine."""

    def __init__(self):
        target = messaging.Target(topic=CONF.masakari_topic,
                                  version=RPC_API_VERSION)
        self.client = rpc.get_client(target)

    def process_notification(self, context, notification):
        """Fire and forget: the engine owns the notification from here."""
        # Bounded retries: with the broker down the API must answer (the
        # row is stored and the engines' periodic task will pick it up)
        # rather than wait for the broker forever.
        cctxt = self.client.prepare(version='1.0', retry=CAST_RETRIES)
        cctxt.cast(context, 'process_notification',
                   notification=notification_to_primitive(notification))

    def get_notification_recovery_workflow_details(self, context,
                                                   notification):
        """The per-task progress list shown at microversion 1.1."""
        cctxt = self.client.prepare(version='1.1')
        return cctxt.call(context,
                          'get_notification_recovery_workflow_details',
                          notification=notification_to_primitive(
                              notification))
