"""The running engine: RPC server, recovery pool and periodic threads.

``masakari-engine`` starts one; an all-in-one process embeds one::

    service = EngineService()       # manager: [DEFAULT] engine_manager
    service.start()                 # RPC server + periodic threads
    ...
    service.stop(timeout=10)        # no new work; let recoveries finish

The RPC server listens on topic ``[DEFAULT] masakari_topic``, server
``[DEFAULT] host``, with oslo.messaging's threading executor. The periodic
tasks of ``masakari.engine.periodic`` run on three daemon threads when
``[DEFAULT] periodic_enable`` is true, each first after a random delay of
up to ``periodic_fuzzy_delay`` seconds: the retry of unfinished
notifications, the expiry, and the sweep for running notifications whose
lease expired (every ``notification_heartbeat_interval`` seconds, first
delay at most that); with ``[protection] check_interval`` set, a fourth
checks the protection of every segment.
At start-up, before taking notifications, the engine resumes the running
notifications its host's previous run left. With ``[nova_events]
enabled`` it then starts listening to Nova's versioned notifications
(``evacuation.listener``); ``MasakariManager.stop`` stops that.
"""

import functools
import random
import threading

from oslo_log import log as logging
import oslo_messaging as messaging
from oslo_utils import importutils
from oslo_utils import timeutils

from masakari.conf import CONF
from masakari.engine.evacuation import listener as nova_listener
from masakari.engine import manager as engine_manager
from masakari.engine import periodic
from masakari.metrics import exporter as metrics_exporter
from masakari import rpc

LOG = logging.getLogger(__name__)


class _Periodic(threading.Thread):
    """Calls ``function`` every ``interval`` seconds until stopped."""

    def __init__(self, name, function, interval, initial_delay, stopped):
        super().__init__(name=name, daemon=True)
        self._function = function
        self._interval = interval
        self._delay = initial_delay
        self._stopped = stopped

    def run(self):
        wait = self._delay
        while not self._stopped.wait(wait):
            started = timeutils.utcnow()
            try:
                self._function()
            except Exception:
                LOG.exception('Periodic task %s failed', self.name)
            elapsed = (timeutils.utcnow() - started).total_seconds()
            wait = max(self._interval - elapsed, 0.0)


class EngineService:
    """The running engine: RPC server, recovery pool, periodic threads."""

    def __init__(self, manager=None, host=None, topic=None,
                 shutdown_timeout=engine_manager.SHUTDOWN_TIMEOUT):
        if manager is None:
            manager = importutils.import_object(CONF.engine_manager)
        self.manager = manager
        self.host = manager.host = host or manager.host
        self.topic = topic or CONF.masakari_topic
        self.shutdown_timeout = shutdown_timeout
        self._server = None
        self._stopped = threading.Event()
        self._periodics = []
        self.metrics = None

    def start(self):
        LOG.info('Starting masakari-engine on %s (topic %s)', self.host,
                 self.topic)
        try:
            self.manager.take_over_own()
        except Exception:  # the sweep of any engine takes them later
            LOG.exception('Could not look for notifications left running')
        target = messaging.Target(topic=self.topic, server=self.host)
        self._server = rpc.get_server(target, [self.manager])
        self._server.start()
        # Nova's events reach us from the first recovery on (no-op unless
        # [nova_events] enabled; never waits for the bus).
        nova_listener.ensure_started(self.host)
        self.metrics = metrics_exporter.Exporter().start()
        if CONF.periodic_enable:
            self._start_periodics()
        LOG.info('masakari-engine on %s is consuming from topic %s '
                 '(exchange %s)', self.host, self.topic,
                 CONF.control_exchange)

    def _start_periodics(self):
        fuzzy = CONF.periodic_fuzzy_delay
        for name, function, interval_option in periodic.TASKS:
            interval = periodic.interval(interval_option)
            if not interval:
                continue
            spread = min(fuzzy, interval)
            delay = random.uniform(0, spread) if spread else 0.0
            thread = _Periodic(name, functools.partial(function, self.manager),
                               interval, delay, self._stopped)
            thread.start()
            self._periodics.append(thread)

    def stop(self, timeout=None):
        """Stop taking notifications, then let running recoveries finish
        (for up to ``timeout`` seconds, ``shutdown_timeout`` by default)."""
        timeout = self.shutdown_timeout if timeout is None else timeout
        LOG.info('Stopping masakari-engine on %s', self.host)
        self._stopped.set()
        if self._server is not None:
            self._server.stop()
            self._server.wait()
            self._server = None
        self.manager.stop(timeout=timeout)
        for thread in self._periodics:
            thread.join(timeout=max(timeout, 1.0))
        self._periodics = []
        if self.metrics is not None:
            self.metrics.stop()
        LOG.info('masakari-engine on %s stopped', self.host)
