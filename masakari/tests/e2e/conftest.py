"""Fixtures that run masakari's real processes, as an operator runs them.

Each service is a separate process started from its console-script module
with a config file written for the test; logs go to files under the test's
temporary directory and are printed when a test fails.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

import pytest
import requests

from masakari.simulator.client import SimulatorClient
from masakari.tests.fixtures import servers


class Service:
    """One running process and its log."""

    def __init__(self, name, argv, log_path, env=None):
        self.name = name
        self.log_path = log_path
        self._log = open(log_path, 'w')
        self.process = subprocess.Popen(
            argv, stdout=self._log, stderr=subprocess.STDOUT,
            env=dict(os.environ, **(env or {})), start_new_session=True)

    def alive(self):
        return self.process.poll() is None

    def log(self):
        with open(self.log_path) as handle:
            return handle.read()

    def signal(self, signum):
        if self.alive():
            os.killpg(self.process.pid, signum)

    def stop(self, timeout=15):
        if self.alive():
            self.signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self.process.wait(5)
        self._log.close()


def wait_http(url, service, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not service.alive():
            raise RuntimeError('%s exited:\n%s' % (service.name,
                                                   service.log()))
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError('%s did not answer at %s:\n%s'
                       % (service.name, url, service.log()))


class Processes:
    """Starts services and stops them all at teardown."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.services = []

    def start(self, name, module, *args, env=None):
        argv = [sys.executable, '-m', module, *args]
        service = Service(name, argv, self.tmp_path / ('%s.log' % name),
                          env=env)
        self.services.append(service)
        return service

    def run(self, module, *args):
        return subprocess.run([sys.executable, '-m', module, *args],
                              capture_output=True, text=True, timeout=120)

    def stop_all(self):
        for service in reversed(self.services):
            service.stop()

    def logs(self):
        return '\n'.join('==== %s ====\n%s' % (s.name, s.log()[-6000:])
                         for s in self.services)


@pytest.fixture
def processes(tmp_path, request):
    procs = Processes(tmp_path)
    yield procs
    procs.stop_all()
    report = getattr(request.node, 'rep_call', None)
    if report is not None and report.failed:
        print(procs.logs())


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, 'rep_' + report.when, report)


@pytest.fixture(scope='session')
def rabbit_url():
    return servers.ensure_rabbitmq()


@pytest.fixture
def exchange():
    """A control exchange of the test's own, so tests share one broker."""
    return 'masakari_e2e_%s' % uuid.uuid4().hex[:8]


# --- A multi-process deployment: simulator, gunicorn API, engines ----------
free_port = servers.free_port


def wait_until(predicate, timeout, interval=0.2, what='condition'):
    """Poll ``predicate()`` until it returns something true; return it."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError('timed out after %ss waiting for %s'
                                 % (timeout, what))
        time.sleep(interval)


# Engine timings short enough for tests; every wait still polls Nova.
FAST_ENGINE = {
    'DEFAULT': {
        'periodic_fuzzy_delay': 0,
        'verify_interval': 1,
        'wait_period_after_service_update': 15,
        'wait_period_after_evacuation': 30,
        'wait_period_after_power_off': 15,
        'wait_period_after_power_on': 15,
        'process_unfinished_notifications_interval': 60,
        'retry_notification_new_status_interval': 60,
        'graceful_shutdown_timeout': 5,
    },
    'host_failure': {'evacuate_all_instances': False},
    'nova': {'call_timeout': 5, 'call_retries': 1},
    'oslo_messaging_rabbit': {'rabbit_retry_interval': 1,
                              'rabbit_retry_backoff': 1,
                              'rabbit_interval_max': 2},
}


def merged_options(*layers):
    """``{section: {name: value}}`` with later layers winning per option
    (None layers are skipped); the layers are not changed."""
    merged = {}
    for layer in layers:
        for section, options in (layer or {}).items():
            merged.setdefault(section, {}).update(options)
    return merged


def write_ini(path, sections):
    """An ini file from ``{section: {option: value}}``."""
    lines = []
    for section, options in sections.items():
        lines.append('[%s]' % section)
        for name, value in options.items():
            if isinstance(value, bool):
                value = 'true' if value else 'false'
            lines.append('%s = %s' % (name, value))
        lines.append('')
    path.write_text('\n'.join(lines))
    return path


SAMPLES_DIR = os.path.join(os.path.dirname(__file__), '..', '..', '..',
                           'etc', 'masakari', 'samples')


def read_ini(path):
    """``{section: {option: value}}`` of an ini file, as written (no
    interpolation, [DEFAULT] kept apart)."""
    sections, current = {}, None
    with open(path) as handle:
        for line in handle:
            line = line.strip()
            if not line or line.startswith(('#', ';')):
                continue
            if line.startswith('['):
                current = sections.setdefault(line.strip('[]'), {})
                continue
            name, _sep, value = line.partition('=')
            current[name.strip()] = value.strip()
    return sections


def sample_config(name='masakari.conf.postgresql'):
    """A production sample of etc/masakari/samples, made runnable here:
    no Keystone (noauth2, and Nova reached without auth), no log files."""
    sections = read_ini(os.path.join(SAMPLES_DIR, name))
    sections.pop('keystone_authtoken', None)
    sections['DEFAULT'].pop('log_dir', None)
    nova = sections['nova']
    for option in ('auth_url', 'username', 'password', 'project_name',
                   'user_domain_name', 'project_domain_name'):
        nova.pop(option, None)
    return sections


def _merge(base, extra):
    merged = {section: dict(options) for section, options in base.items()}
    for section, options in (extra or {}).items():
        merged.setdefault(section, {}).update(options)
    return merged


def _gunicorn_private_flags():
    """No shared control socket (~/.gunicorn) between parallel tests."""
    from gunicorn import config
    if any('--no-control-socket' in (setting.cli or [])
           for setting in config.KNOWN_SETTINGS):
        return ['--no-control-socket']
    return []


class Deployment:
    """masakari as an operator runs it: separate processes on real servers.

    The Nova simulator, ``masakari-manage db sync``, the API under gunicorn
    and any number of ``masakari-engine`` processes, all reading one
    masakari.conf (the production sample of etc/masakari/samples for the
    database, plus a per-engine file with its ``[DEFAULT] host``), talking
    over RabbitMQ (on the test's own control exchange and RPC topic) and
    sharing a PostgreSQL (or MariaDB) database. ``options`` (``{section:
    {option: value}}``) go into masakari.conf last.
    """

    def __init__(self, processes, tmp_path, rabbit_url, exchange, db_url,
                 options=None):
        self.processes = processes
        self.config_dir = tmp_path / 'etc-masakari'
        self.config_dir.mkdir(exist_ok=True)
        self.rabbit_url = rabbit_url
        self.exchange = exchange
        self.topic = exchange
        self.db_url = db_url
        self.options = options or {}
        self.simulator = None
        self.sim = None
        self.api = None
        self.api_url = None
        self.engines = {}
        # gunicorn kills a worker whose request takes longer.
        self.api_timeout = 60

    # -- configuration --
    @property
    def config_file(self):
        return self.config_dir / 'masakari.conf'

    def write_config(self):
        """masakari.conf: the production sample of the database, with
        this deployment's servers, noauth2 and short engine timings."""
        sample = ('masakari.conf.mariadb' if self.db_url.startswith('mysql')
                  else 'masakari.conf.postgresql')
        sections = _merge(_merge(sample_config(sample), FAST_ENGINE), {
            'DEFAULT': {'auth_strategy': 'noauth2',
                        'transport_url': self.rabbit_url,
                        'control_exchange': self.exchange,
                        # Queues are named after the topic: the test's own.
                        'masakari_topic': self.topic,
                        'debug': True},
            'database': {'connection': self.db_url},
            'nova': {'auth_type': 'none',
                     'endpoint_override': self.simulator_url},
        })
        write_ini(self.config_file, _merge(sections, self.options))
        with open(os.path.join(os.path.dirname(__file__), '..', '..', '..',
                               'etc', 'masakari', 'api-paste.ini')) as paste:
            text = paste.read()
        (self.config_dir / 'api-paste.ini').write_text(text.replace(
            '/etc/masakari/healthcheck_disable',
            str(self.healthcheck_disable_file)))

    @property
    def healthcheck_disable_file(self):
        """The ``disable_by_file_path`` of this API's health check."""
        return self.config_dir / 'healthcheck_disable'

    # -- processes --
    def start_simulator(self, *args):
        self.simulator = self.processes.start(
            'nova-simulator', 'masakari.cmd.simulator', '--port', '0',
            '--hosts', '0', '--evacuate-seconds', '0.3',
            '--power-seconds', '0.1', '--boot-seconds', '0.1', *args)

        def endpoints():
            if not self.simulator.alive():
                raise RuntimeError('simulator exited:\n%s'
                                   % self.simulator.log())
            found = dict(re.findall(r'^(compute|admin) endpoint: (\S+)$',
                                    self.simulator.log(), re.M))
            return found if len(found) == 2 else None

        found = wait_until(endpoints, 30, what='the simulator endpoints')
        self.simulator_url = found['compute']
        self.sim = SimulatorClient(found['admin'])
        return self.sim

    def db_sync(self):
        result = self.processes.run('masakari.cmd.manage', '--config-file',
                                    str(self.config_file), 'db', 'sync')
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    def start_api(self, workers=2, name='api', wait=True):
        port = free_port()
        self.api = self.processes.start(
            name, 'gunicorn', '-w', str(workers), '-b', '127.0.0.1:%d' % port,
            '--timeout', str(self.api_timeout), '--graceful-timeout', '5',
            *_gunicorn_private_flags(), 'masakari.wsgi.api:application',
            env={'OS_MASAKARI_CONFIG_DIR': str(self.config_dir)})
        self.api_url = 'http://127.0.0.1:%d' % port
        if wait:
            self.wait_api()
        return self.api_url

    def wait_api(self):
        wait_http(self.api_url + '/', self.api)

    def process_options(self, name):
        """Options of one process (an engine's host name) over the
        deployment's: none here, where every process shares them."""
        return {}

    def start_engine(self, host, wait=True):
        extra = write_ini(self.config_dir / ('engine-%s.conf' % host),
                          merged_options({'DEFAULT': {'host': host}},
                                         self.process_options(host)))
        engine = self.processes.start(
            'engine-%s' % host, 'masakari.cmd.engine',
            '--config-file', str(self.config_file),
            '--config-file', str(extra))
        self.engines[host] = engine
        if wait:
            self.wait_engine(host)
        return engine

    def wait_engine(self, host, timeout=60):
        """Until the engine consumes its RPC queue (so no cast is lost)."""
        engine = self.engines[host]

        def consuming():
            if not engine.alive():
                raise RuntimeError('engine %s exited:\n%s'
                                   % (host, engine.log()))
            return self.queue_consumers('%s.%s' % (self.topic, host)) > 0

        wait_until(consuming, timeout, what='engine %s to consume' % host)

    def queue_consumers(self, queue):
        """How many consumers the broker's queue ``queue`` has (0: none or
        no such queue)."""
        import amqp
        import kombu

        url = re.sub(r'^rabbit://', 'amqp://', self.rabbit_url)
        with kombu.Connection(url, connect_timeout=5) as conn:
            try:
                return conn.channel().queue_declare(
                    queue=queue, passive=True).consumer_count
            except amqp.exceptions.NotFound:
                return 0

    def start(self, engines=('engine-1', 'engine-2'), workers=2):
        """Simulator and schema, then the API and engines side by side."""
        if self.simulator is None:
            self.start_simulator()
        self.write_config()
        self.db_sync()
        self.start_api(workers=workers, wait=False)
        for host in engines:
            self.start_engine(host, wait=False)
        self.wait_api()
        for host in engines:
            self.wait_engine(host)
        return self

    def stop(self, timeout=20):
        """SIGTERM every process at once, then wait (SIGKILL stragglers)."""
        services = [s for s in self.processes.services if s.alive()]
        for service in services:
            service.signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for service in services:
            try:
                service.process.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                service.signal(signal.SIGKILL)
                service.process.wait(5)

    # -- clients --
    def connect(self):
        from masakari.aio import scenario
        return scenario.connect(self.api_url)

    def request(self, method, path, body=None, version=None, **kwargs):
        """A raw HTTP request to ``/v1`` + path."""
        headers = kwargs.pop('headers', {})
        if version:
            headers['OpenStack-API-Version'] = 'instance-ha %s' % version
        return requests.request(method, self.api_url + '/v1' + path,
                                json=body, headers=headers, timeout=60,
                                **kwargs)

    def notification(self, uuid, version=None):
        response = self.request('GET', '/notifications/%s' % uuid,
                                version=version)
        assert response.status_code == 200, response.text
        return response.json()['notification']

    def wait_notification(self, uuid, statuses=('finished',), timeout=90):
        final = ('finished', 'ignored', 'failed') + tuple(statuses)

        def done():
            row = self.notification(uuid)
            return row if row['status'] in final else None

        row = wait_until(done, timeout, what='notification %s' % uuid)
        assert row['status'] in statuses, row
        return row

    def engines_that_processed(self, uuid):
        """Names of the engines whose log says they processed ``uuid``."""
        return [host for host, engine in self.engines.items()
                if re.search(r'Processing notification %s\b' % uuid,
                             engine.log())]


@pytest.fixture
def postgresql_url():
    """A fresh, empty PostgreSQL database of the test's own."""
    url, drop = servers.create_postgresql_database()
    yield url
    drop()


@pytest.fixture
def deployment(processes, tmp_path, rabbit_url, exchange, postgresql_url):
    """An unstarted ``Deployment`` on PostgreSQL and the shared RabbitMQ
    (the control exchange and the RPC topic are the test's own, so are the
    queues)."""
    made = Deployment(processes, tmp_path, rabbit_url, exchange,
                      postgresql_url)
    yield made
    made.stop()


@pytest.fixture(scope='module')
def module_deployment(tmp_path_factory, rabbit_url):
    """An unstarted ``Deployment`` shared by the tests of one module (on its
    own PostgreSQL database, exchange and topic). Starting one costs
    seconds; tests that do not break it can share it."""
    tmp_path = tmp_path_factory.mktemp('deployment')
    procs = Processes(tmp_path)
    url, drop = servers.create_postgresql_database()
    made = Deployment(procs, tmp_path, rabbit_url,
                      'masakari_e2e_%s' % uuid.uuid4().hex[:8], url)
    yield made
    made.stop()
    procs.stop_all()
    drop()


@pytest.fixture
def module_deployment_logs(module_deployment, request):
    """Prints the shared deployment's logs when the test using it fails."""
    yield module_deployment
    report = getattr(request.node, 'rep_call', None)
    if report is not None and report.failed:
        print(module_deployment.processes.logs())


# --- Servers a test owns, to stop and start them --------------------------
class PrivateRabbitMQ:
    """A RabbitMQ node of one test (own port, node name and data)."""

    def __init__(self, base):
        self.base = str(base)
        self.port = free_port()
        self.nodename = 'masakari%s@localhost' % uuid.uuid4().hex[:8]
        self.process = None
        self.url = 'rabbit://guest:guest@127.0.0.1:%d/' % self.port

    def start(self, timeout=120, attempts=3):
        """Start the node; a node that exits before it listens (as one
        restarted right after a SIGKILL sometimes does) is started again."""
        if not servers.rabbitmq_server_binary():
            servers._missing('RabbitMQ')
        for _ in range(attempts):
            self.process = servers.start_rabbitmq(self.base, self.port,
                                                  self.nodename)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if servers.port_open(self.port):
                    return self
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
            else:
                break
            time.sleep(1)
        raise RuntimeError('RabbitMQ node %s did not listen on port %d'
                           % (self.nodename, self.port))

    def stop(self, timeout=60):
        """Stop the node (as a crash would: SIGKILL) and wait for it."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout)
        wait_until(lambda: not servers.port_open(self.port), timeout,
                   what='RabbitMQ to close its port')


class PrivatePostgreSQL:
    """A PostgreSQL cluster of one test: its own data directory and port,
    run as the postgres user (the server refuses to run as root)."""

    def __init__(self):
        os.makedirs(servers.RUN_DIR, exist_ok=True)
        self.base = tempfile.mkdtemp(prefix='pg-', dir=servers.RUN_DIR)
        self.data = os.path.join(self.base, 'data')
        self.port = free_port()
        self.process = None
        self.url = 'postgresql+psycopg2://%s:%s@127.0.0.1:%d/masakari' % (
            servers.USER, servers.PASSWORD, self.port)

    @staticmethod
    def _bin(name):
        versions = sorted(os.listdir('/usr/lib/postgresql'))
        return os.path.join('/usr/lib/postgresql', versions[-1], 'bin', name)

    def _as_postgres(self, *argv, **kwargs):
        return subprocess.run(['runuser', '-u', 'postgres', '--', *argv],
                              check=True, capture_output=True, text=True,
                              **kwargs)

    def start(self):
        if not os.path.isdir('/usr/lib/postgresql'):
            servers._missing('PostgreSQL')
        shutil.chown(self.base, 'postgres', 'postgres')
        first = not os.path.isdir(self.data)
        if first:
            self._as_postgres(self._bin('initdb'), '-D', self.data, '-U',
                              'postgres', '--auth=trust', '-E', 'UTF8',
                              '--no-sync')
        log = open(os.path.join(self.base, 'server.log'), 'a')
        self.process = subprocess.Popen(
            ['runuser', '-u', 'postgres', '--', self._bin('postgres'),
             '-D', self.data, '-p', str(self.port), '-k', self.base,
             # fsync off: a commit still reaches the OS, so it survives
             # the server's crash (not the machine's).
             '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
            stdout=log, stderr=log, start_new_session=True)
        servers.wait_for_port(self.port, what='PostgreSQL (private)')
        if first:
            self._psql("CREATE ROLE %s LOGIN SUPERUSER PASSWORD '%s'"
                       % (servers.USER, servers.PASSWORD))
            self._psql('CREATE DATABASE masakari OWNER %s' % servers.USER)
        return self

    def _psql(self, sql):
        # The socket may lag behind the TCP port by a moment.
        for attempt in range(50):
            try:
                return self._as_postgres(
                    'psql', '-h', self.base, '-p', str(self.port),
                    '-v', 'ON_ERROR_STOP=1', '-c', sql)
            except subprocess.CalledProcessError as exc:
                if 'starting up' not in exc.stderr or attempt == 49:
                    raise
                time.sleep(0.1)

    def stop(self, timeout=30):
        """Immediate shutdown (SIGQUIT): like a crash, no checkpoint."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGQUIT)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)

    def destroy(self):
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture
def private_rabbitmq(tmp_path):
    """A RabbitMQ node the test may stop and start (not started yet)."""
    broker = PrivateRabbitMQ(tmp_path / 'rabbitmq')
    yield broker
    broker.stop()


@pytest.fixture
def private_postgresql():
    """A started PostgreSQL cluster the test may stop and start again."""
    cluster = PrivatePostgreSQL().start()
    yield cluster
    cluster.destroy()
