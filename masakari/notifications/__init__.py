"""Versioned notifications masakari sends (contract section 6).

``<resource>.<action>.<phase>`` events go to the ``versioned_notifications``
topic of the notification transport, with an oslo.versionedobjects-style
payload. The API sends ``segment.*``, ``host.*`` and
``notification.create.*`` around its database writes; the engine sends
``notification.process.*``. Nothing is sent while
``[oslo_messaging_notifications] driver`` is unset.

Entry points: ``notify_segment``, ``notify_host``,
``notify_notification_create`` (API) and ``notify_notification_process``
(engine); ``around`` wraps a database write in start/end/error events.
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
    prefix = resource + '.'
    if action.startswith(prefix):
        action = action[len(prefix):]
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


def notify_segment(context, action, phase, segment, exception=None):
    """``segment.<action>.<phase>``; ``segment`` is a row or a dict."""
    if not enabled():
        return
    _emit(context, API_BINARY, _event_type('segment', action, phase),
          payloads.segment_payload(segment, exception), exception)


def notify_host(context, action, phase, host, exception=None):
    """``host.<action>.<phase>``; ``host`` is a row or a dict (which may
    carry the segment row as ``failover_segment``)."""
    if not enabled():
        return
    _emit(context, API_BINARY, _event_type('host', action, phase),
          payloads.host_payload(host, exception), exception)


def notify_notification_create(context, phase, notification,
                               exception=None):
    """``notification.create.<phase>`` sent by the API."""
    if not enabled():
        return
    _emit(context, API_BINARY,
          _event_type('notification', 'create', phase),
          payloads.notification_payload(notification, exception), exception)


def notify_notification_process(context, notification, phase,
                                exception=None):
    """``notification.process.<phase>`` sent by the engine, whose
    publisher id is ``masakari-engine:<host>``."""
    if not enabled():
        return
    _emit(context, ENGINE_BINARY,
          _event_type('notification', 'process', phase),
          payloads.notification_payload(notification, exception), exception)


def around(notify, context, action, subject, func, *args, **kwargs):
    """Call ``func(*args, **kwargs)`` between start and end (or error)
    notifications about ``subject``; the end one describes the result
    when ``func`` returns a row, else ``subject``.

    ``notify`` is ``notify_segment`` or ``notify_host`` (``action`` is
    e.g. ``'create'``) or ``notify_notification_create`` (``action`` None).
    """
    def send(phase, what, exception=None):
        if action is None:
            notify(context, phase, what, exception=exception)
        else:
            notify(context, action, phase, what, exception=exception)

    send(START, subject)
    try:
        result = func(*args, **kwargs)
    except Exception as exc:
        send(ERROR, subject, exception=exc)
        raise
    send(END, result if result is not None else subject)
    return result
