"""masakari on a 3-node Galera cluster and a 3-node RabbitMQ cluster.

``ClusterDeployment`` is the e2e ``Deployment`` spread as in production:
two API processes (gunicorn, two workers each) and two engines, each
process with its own way to the database (a ``FailoverProxy`` whose list
of Galera nodes starts with a different node: multi-writer) and its own
``transport_url`` (all three broker nodes, a different one first), and
oslo.messaging's quorum queues. The clusters themselves are shared by the
tests of a module (``clusters``); each test has its own database,
exchange and topic.
"""

import contextlib

from masakari.tests.e2e.conftest import Deployment
from masakari.tests.e2e.conftest import merged_options
from masakari.tests.e2e.conftest import wait_http
from masakari.tests.fixtures import db_proxy

# process name: (first Galera node, first broker node), 0-based. The two
# APIs write through nodes 1 and 2, the engines through nodes 2 and 3.
PLACEMENT = {'api-1': (0, 0), 'api-2': (1, 1),
             'engine-1': (1, 2), 'engine-2': (2, 0)}
ENGINES = ('engine-1', 'engine-2')
APIS = ('api-1', 'api-2')

# Quorum queues; causal reads, so that an engine reading through another
# node sees the notification the API has just committed and cast.
CLUSTER_OPTIONS = {
    'oslo_messaging_rabbit': {'rabbit_quorum_queue': True,
                              'kombu_failover_strategy': 'round-robin'},
    'database': {'mysql_wsrep_sync_wait': 1},
}


class ClusterDeployment(Deployment):
    """A deployment whose processes are spread over the clusters' nodes."""

    def __init__(self, processes, tmp_path, galera, rabbit, health,
                 exchange, database, options=None):
        self.galera = galera
        self.rabbit = rabbit
        self.health = health
        self.database = database
        self.proxies = {}
        ports = [node.port for node in galera.nodes]
        for name, (db_first, _mq) in PLACEMENT.items():
            self.proxies[name] = db_proxy.FailoverProxy(
                ports[db_first:] + ports[:db_first], health,
                name='db-proxy-%s' % name).start()
        super().__init__(processes, tmp_path, rabbit.url_from(0), exchange,
                         self.proxies['api-1'].url(database),
                         options=merged_options(CLUSTER_OPTIONS, options))
        self.api_urls = []
        self.apis = {}

    def process_options(self, name):
        """What differs between processes: the database path and the
        broker node named first."""
        _db, mq_first = PLACEMENT[name]
        return {'DEFAULT': {'transport_url': self.rabbit.url_from(mq_first)},
                'database': {'connection':
                             self.proxies[name].url(self.database)}}

    @contextlib.contextmanager
    def _api_config(self, api):
        """Within: ``config_dir`` and ``options`` are those of ``api``."""
        saved = self.config_dir, self.options
        self.config_dir = saved[0].parent / ('etc-%s' % api)
        self.config_dir.mkdir(exist_ok=True)
        self.options = merged_options(saved[1], self.process_options(api))
        try:
            yield
        finally:
            self.config_dir, self.options = saved

    def write_config(self):
        """masakari.conf of the engines and ``db sync``, then each API's
        own config directory."""
        super().write_config()
        for api in APIS:
            with self._api_config(api):
                super().write_config()

    def start_api(self, workers=2, name='api', wait=True):
        """Both API processes; ``api_url`` is the first, ``api_urls`` all."""
        for api in APIS:
            with self._api_config(api):
                url = super().start_api(workers=workers, name=api,
                                        wait=False)
            self.apis[api] = self.api
            self.api_urls.append(url)
        self.api = self.apis[APIS[0]]
        self.api_url = self.api_urls[0]
        if wait:
            self.wait_api()
        return self.api_url

    def wait_api(self):
        for api, url in zip(APIS, self.api_urls, strict=True):
            wait_http(url + '/', self.apis[api])

    def start(self, engines=ENGINES, workers=2):
        return super().start(engines=engines, workers=workers)

    def queue_consumers(self, queue):
        import amqp
        import kombu

        node = next(n for n in self.rabbit.nodes if n.alive())
        with kombu.Connection('amqp://guest:guest@127.0.0.1:%d/' % node.port,
                              connect_timeout=5) as conn:
            try:
                return conn.channel().queue_declare(
                    queue=queue, passive=True).consumer_count
            except amqp.exceptions.NotFound:
                return 0

    def close(self):
        self.stop()
        for proxy in self.proxies.values():
            proxy.close()

