"""Versioned notifications masakari sends.

``<resource>.<action>.<phase>`` events go to the ``versioned_notifications``
topic of the notification transport, with an oslo.versionedobjects-style
payload. The API sends ``segment.*``, ``host.*`` and
``notification.create.*`` around its database writes; the engine sends
``notification.process.*``. Nothing is sent while
``[oslo_messaging_notifications] driver`` is unset.

One sender per event, all called the same way,
``notify_<resource>_<action>(context, subject, phase, exception=None)``:
``notify_segment_{create,update,delete}``,
``notify_host_{create,update,delete}`` and ``notify_notification_create``
(sent by the API through ``masakari.ha``), ``notify_notification_process``
(sent by the engine); this project's ``notification.hold``,
``segment.storm_brake``, ``recovery.pause`` and ``recovery.resume``
(``masakari.ha.holds``: the storm brake and pauses).
``around(notify, context, subject, func, ...)`` wraps a write in one
sender's start and end (or error) events.

The engine's protection check sends ``segment.protection.lost`` (priority
WARN) and ``segment.protection.restored`` (INFO) when a segment's
protection changes: ``notify_segment_protection``.
"""

import logging
import threading

import oslo_messaging as messaging

from masakari.conf import CONF
from masakari.notifications import payloads
from masakari import rpc

LOG = logging.getLogger(__name__)

TOPIC = 'versioned_notifications'
API_BINARY = 'masakari-api'
ENGINE_BINARY = 'masakari-engine'

START, END, ERROR = 'start', 'end', 'error'
PHASES = (START, END, ERROR)

_NOTIFIERS = {}
_LOCK = threading.Lock()


def enabled():
    return bool(CONF.oslo_messaging_notifications.driver)


def _notifier(binary):
    publisher_id = '%s:%s' % (binary, CONF.host)
    transport = rpc.get_notification_transport()
    key = (publisher_id, id(transport),
           tuple(CONF.oslo_messaging_notifications.driver))
    with _LOCK:
        notifier = _NOTIFIERS.get(key)
        if notifier is None:
            notifier = messaging.Notifier(
                transport, publisher_id=publisher_id, topics=[TOPIC],
                serializer=rpc.RequestContextSerializer())
            _NOTIFIERS.clear()  # a new transport or driver: forget old ones
            _NOTIFIERS[key] = notifier
        return notifier


def _event_type(resource, action, phase):
    if phase not in PHASES:
        raise ValueError('unknown notification phase %r' % (phase,))
    return '%s.%s.%s' % (resource, action, phase)


def _emit(context, binary, event_type, payload, exception):
    """Send one notification; a failure to send never fails the caller."""
    try:
        notifier = _notifier(binary)
        if exception is not None:
            notifier.error(context, event_type, payload)
        else:
            notifier.info(context, event_type, payload)
    except Exception:
        LOG.exception('Failed to send the %s notification', event_type)


def _sender(resource, action, binary, payload):
    """``notify(context, subject, phase, exception=None)`` sending
    ``<resource>.<action>.<phase>`` about ``subject`` (a row, or the dict
    of values about to be stored)."""
    def notify(context, subject, phase, exception=None):
        if not enabled():
            return
        _emit(context, binary, _event_type(resource, action, phase),
              payload(subject, exception), exception)

    notify.__name__ = notify.__qualname__ = 'notify_%s_%s' % (resource,
                                                               action)
    notify.__doc__ = ('``%s.%s.<phase>`` about ``subject``, sent as %s.'
                      % (resource, action, binary))
    return notify


notify_segment_create = _sender('segment', 'create', API_BINARY,
                                payloads.segment_payload)
notify_segment_update = _sender('segment', 'update', API_BINARY,
                                payloads.segment_payload)
notify_segment_delete = _sender('segment', 'delete', API_BINARY,
                                payloads.segment_payload)
# A host subject given as a dict may carry its segment row as
# ``failover_segment``.
notify_host_create = _sender('host', 'create', API_BINARY,
                             payloads.host_payload)
notify_host_update = _sender('host', 'update', API_BINARY,
                             payloads.host_payload)
notify_host_delete = _sender('host', 'delete', API_BINARY,
                             payloads.host_payload)
notify_notification_create = _sender('notification', 'create', API_BINARY,
                                     payloads.notification_payload)
notify_notification_process = _sender('notification', 'process',
                                      ENGINE_BINARY,
                                      payloads.notification_payload)


# This project's own: a notification held for an operator (engine), the
# storm brake turned on (``start``, engine) and off (``end``, API), and a
# pause of automatic recovery and its end (API).
notify_notification_hold = _sender('notification', 'hold', ENGINE_BINARY,
                                   payloads.notification_payload)
notify_storm_brake_on = _sender('segment', 'storm_brake', ENGINE_BINARY,
                                payloads.storm_brake_payload)
notify_storm_brake_off = _sender('segment', 'storm_brake', API_BINARY,
                                 payloads.storm_brake_payload)
notify_recovery_pause = _sender('recovery', 'pause', API_BINARY,
                                payloads.recovery_pause_payload)
notify_recovery_resume = _sender('recovery', 'resume', API_BINARY,
                                 payloads.recovery_pause_payload)


PROTECTION_LOST = 'segment.protection.lost'
PROTECTION_RESTORED = 'segment.protection.restored'


def notify_segment_protection(context, segment, report):
    """``segment.protection.lost`` (WARN) or ``.restored`` (INFO), as
    ``report`` (a ``ha.protection.Report``) says, sent as the engine."""
    if not enabled():
        return
    payload = payloads.protection_payload(segment, report)
    try:
        notifier = _notifier(ENGINE_BINARY)
        if report.protected:
            notifier.info(context, PROTECTION_RESTORED, payload)
        else:
            notifier.warn(context, PROTECTION_LOST, payload)
    except Exception:
        LOG.exception('Failed to send the protection notification of '
                      'segment %s', getattr(segment, 'uuid', segment))


def around(notify, context, subject, func, *args, **kwargs):
    """Call ``func(*args, **kwargs)`` between ``notify``'s start and end
    (or error) events about ``subject``; the end event describes what
    ``func`` returned when that is not None, else ``subject``."""
    notify(context, subject, START)
    try:
        result = func(*args, **kwargs)
    except Exception as exc:
        notify(context, subject, ERROR, exception=exc)
        raise
    notify(context, result if result is not None else subject, END)
    return result
