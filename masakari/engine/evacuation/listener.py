"""The engine's ear on Nova's notification bus, and who it tells.

With ``[nova_events] enabled``, one oslo.messaging notification listener
per engine process listens on Nova's versioned notification topic, in a
pool of its own (``masakari-engine-<host>``: each engine gets every event,
and Nova's other consumers keep theirs). It hands each evacuation event
(``nova_events.parse``) to the ``Subscribers`` of its instance: the
watcher (``watcher.Watcher``) of the host recovery evacuating it.

The listener is started on a thread of its own (``ensure_started``): at
engine start-up (``EngineService.start``) and again by the first host
recovery after a stop, so a broker that is slow or down delays nobody;
until it listens, or when it never does, the recovery polls Nova as
without events. ``stop`` (from ``MasakariManager.stop``) stops it.
"""

import collections
import threading

from oslo_log import log as logging
import oslo_messaging

from masakari.conf import CONF
from masakari.engine.evacuation import nova_events
from masakari import rpc

LOG = logging.getLogger(__name__)


class Subscription:
    """One subscriber's interest in some instances; ``cancel()`` ends it."""

    def __init__(self, subscribers, instance_uuids, callback):
        self._subscribers = subscribers
        self.instance_uuids = frozenset(instance_uuids)
        self.callback = callback

    def cancel(self):
        self._subscribers.remove(self)


class Subscribers:
    """Who wants to hear about which instance.

    ``received`` counts the evacuation events heard; ``woken`` counts, per
    instance, the ending events (rebuild end or error) handed to a
    subscriber: what tests and an operator's debugger look at.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._by_instance = collections.defaultdict(list)
        self.received = 0
        self.woken = collections.Counter()

    def subscribe(self, instance_uuids, callback):
        """Call ``callback(event)`` for each event about these instances
        (on the listener's thread: it must be quick)."""
        subscription = Subscription(self, instance_uuids, callback)
        with self._lock:
            for uuid in subscription.instance_uuids:
                self._by_instance[uuid].append(subscription)
        return subscription

    def remove(self, subscription):
        with self._lock:
            for uuid in subscription.instance_uuids:
                listeners = self._by_instance.get(uuid, [])
                if subscription in listeners:
                    listeners.remove(subscription)
                if not listeners:
                    self._by_instance.pop(uuid, None)

    def deliver(self, event):
        with self._lock:
            self.received += 1
            targets = list(self._by_instance.get(event.instance_uuid, ()))
            if targets and event.ended:
                self.woken[event.instance_uuid] += 1
        for subscription in targets:
            try:
                subscription.callback(event)
            except Exception:  # one subscriber's bug must not hide others
                LOG.exception('Handling %s of %s failed', event.event_type,
                              event.instance_uuid)


class Endpoint:
    """The oslo.messaging endpoint: evacuation events only."""

    # The driver drops the other notifications before they reach us.
    filter_rule = oslo_messaging.NotificationFilter(
        event_type=nova_events.EVENT_TYPES_PATTERN)

    def __init__(self, subscribers):
        self._subscribers = subscribers

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        self._take(publisher_id, event_type, payload)

    def error(self, ctxt, publisher_id, event_type, payload, metadata):
        self._take(publisher_id, event_type, payload)

    def _take(self, publisher_id, event_type, payload):
        event = nova_events.parse(event_type, payload)
        if event is None:
            LOG.debug('Ignoring a %s from %s that does not look like '
                      "Nova's", event_type, publisher_id)
            return
        LOG.debug('%s of %s from %s', event_type, event.instance_uuid,
                  publisher_id)
        self._subscribers.deliver(event)


# Transports this module made from [nova_events] transport_url, kept for
# the life of the process like masakari.rpc's (a fake:// one must be
# shared, and its cleanup would clear every fake exchange of the process).
_TRANSPORTS = {}


def _transport():
    url = CONF.nova_events.transport_url
    if not url:
        return rpc.get_notification_transport()
    if url not in _TRANSPORTS:
        _TRANSPORTS[url] = oslo_messaging.get_notification_transport(
            CONF, url=url)
    return _TRANSPORTS[url]


class NovaEventListener:
    """The notification listener of one engine process."""

    def __init__(self, subscribers, host):
        self.subscribers = subscribers
        self.pool = CONF.nova_events.pool or 'masakari-engine-%s' % host
        self._server = None
        self.listening = threading.Event()

    def start(self):
        target = oslo_messaging.Target(topic=CONF.nova_events.topic,
                                       exchange=CONF.nova_events.exchange)
        self._server = oslo_messaging.get_notification_listener(
            _transport(), [target], [Endpoint(self.subscribers)],
            executor='threading', pool=self.pool)
        self._server.start()
        self.listening.set()
        LOG.info("Listening to Nova's versioned notifications (topic %s, "
                 'exchange %s, pool %s)', CONF.nova_events.topic,
                 CONF.nova_events.exchange, self.pool)

    def stop(self):
        self.listening.clear()
        if self._server is not None:
            self._server.stop()
            self._server.wait()
            self._server = None


SUBSCRIBERS = Subscribers()
# Seconds stop() waits for a listener still connecting.
STOP_TIMEOUT = 10.0
_lock = threading.Lock()
_listener = None
_starter = None


def ensure_started(host=None):
    """Start this process's listener unless it runs or is starting; the
    ``Subscribers`` it feeds, or None when ``[nova_events] enabled`` is
    false. Never waits for the bus."""
    global _listener, _starter
    if not CONF.nova_events.enabled:
        return None
    with _lock:
        if _listener is None:
            _listener = NovaEventListener(SUBSCRIBERS, host or CONF.host)
            _starter = threading.Thread(target=_start, args=(_listener,),
                                        name='nova-events-start',
                                        daemon=True)
            _starter.start()
    return SUBSCRIBERS


def _start(listener):
    try:
        listener.start()
    except Exception:
        LOG.exception("Cannot listen to Nova's notifications; evacuations "
                      'are followed by polling Nova only')


def current():
    """The listener of this process, or None."""
    return _listener


def stop():
    """Stop this process's listener (a later ``ensure_started`` starts a
    new one)."""
    global _listener, _starter
    with _lock:
        listener, starter = _listener, _starter
        _listener = _starter = None
    if listener is None:
        return
    # A broker that never answers must not hold the engine's stop up.
    starter.join(timeout=STOP_TIMEOUT)
    listener.stop()
    LOG.info("Stopped listening to Nova's notifications")
