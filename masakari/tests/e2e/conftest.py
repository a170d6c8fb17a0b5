"""Fixtures that run masakari's real processes, as an operator runs them.

Each service is a separate process started from its console-script module
with a config file written for the test; logs go to files under the test's
temporary directory and are printed when a test fails.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest
import requests

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
def free_port():
    """A port nothing listens on now (bound once, then released)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


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


def _merge(base, extra):
    merged = {section: dict(options) for section, options in base.items()}
    for section, options in (extra or {}).items():
        merged.setdefault(section, {}).update(options)
    return merged


class SimulatorClient:
    """The Nova simulator's admin API (``/simulator``) over HTTP."""

    def __init__(self, admin_url):
        self.admin_url = admin_url.rstrip('/')
        self.session = requests.Session()

    def call(self, method, path, body=None, **params):
        response = self.session.request(method, self.admin_url + path,
                                        json=body, params=params, timeout=30)
        assert response.status_code < 300, (method, path, response.text)
        return response.json()

    def add_host(self, name, **fields):
        return self.call('POST', '/hosts', dict(fields, name=name))

    def add_servers(self, host, count, **fields):
        body = dict(fields, host=host, count=count)
        return [s['id'] for s in self.call('POST', '/servers',
                                           body)['servers']]

    def fail_host(self, name):
        return self.call('POST', '/hosts/%s/fail' % name)

    def host(self, name):
        return self.call('GET', '/hosts/%s' % name)

    def server(self, server_id):
        return self.call('GET', '/servers/%s' % server_id)

    def servers(self, host=None):
        params = {'host': host} if host else {}
        return self.call('GET', '/servers', **params)['servers']

    def migrations(self, server_id=None):
        params = {'server_id': server_id} if server_id else {}
        return self.call('GET', '/migrations', **params)['migrations']

    def add_http_fault(self, pattern, **fields):
        return self.call('POST', '/faults/http',
                         dict(fields, pattern=pattern))['id']

    def faults(self):
        return self.call('GET', '/faults')

    def clear_faults(self):
        return self.call('DELETE', '/faults')


class Deployment:
    """masakari as an operator runs it: separate processes on real servers.

    The Nova simulator, ``masakari-manage db sync``, the API under gunicorn
    and any number of ``masakari-engine`` processes, all reading one
    masakari.conf (plus a per-engine file with its ``[DEFAULT] host``),
    talking over RabbitMQ (the test's own control exchange) and sharing a
    PostgreSQL (or MariaDB) database.
    """

    def __init__(self, processes, tmp_path, rabbit_url, exchange, db_url,
                 options=None):
        self.processes = processes
        self.config_dir = tmp_path / 'etc-masakari'
        self.config_dir.mkdir(exist_ok=True)
        self.rabbit_url = rabbit_url
        self.exchange = exchange
        self.db_url = db_url
        self.options = options or {}
        self.simulator = None
        self.sim = None
        self.api = None
        self.api_url = None
        self.engines = {}

    # -- configuration --
    @property
    def config_file(self):
        return self.config_dir / 'masakari.conf'

    def write_config(self):
        sections = _merge(FAST_ENGINE, {
            'DEFAULT': {'auth_strategy': 'noauth2',
                        'transport_url': self.rabbit_url,
                        'control_exchange': self.exchange,
                        'debug': True},
            'database': {'connection': self.db_url},
            'nova': {'auth_type': 'none',
                     'endpoint_override': self.simulator_url},
        })
        write_ini(self.config_file, _merge(sections, self.options))
        shutil.copy(os.path.join(os.path.dirname(__file__), '..', '..', '..',
                                 'etc', 'masakari', 'api-paste.ini'),
                    self.config_dir / 'api-paste.ini')

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

    def start_api(self, workers=2, name='api'):
        port = free_port()
        self.api = self.processes.start(
            name, 'gunicorn', '-w', str(workers), '-b', '127.0.0.1:%d' % port,
            '--timeout', '60', '--graceful-timeout', '5',
            'masakari.wsgi.api:application',
            env={'OS_MASAKARI_CONFIG_DIR': str(self.config_dir)})
        self.api_url = 'http://127.0.0.1:%d' % port
        wait_http(self.api_url + '/', self.api)
        return self.api_url

    def start_engine(self, host):
        extra = write_ini(self.config_dir / ('engine-%s.conf' % host),
                          {'DEFAULT': {'host': host}})
        engine = self.processes.start(
            'engine-%s' % host, 'masakari.cmd.engine',
            '--config-file', str(self.config_file),
            '--config-file', str(extra))
        self.engines[host] = engine
        wait_until(lambda: not engine.alive() or
                   'Starting masakari-engine' in engine.log(), 60,
                   what='engine %s to start' % host)
        assert engine.alive(), engine.log()
        return engine

    def start(self, engines=('engine-1', 'engine-2'), workers=2):
        """Simulator, schema, API and engines, in that order."""
        if self.simulator is None:
            self.start_simulator()
        self.write_config()
        self.db_sync()
        self.start_api(workers=workers)
        for host in engines:
            self.start_engine(host)
        return self

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
    """An unstarted ``Deployment`` on PostgreSQL and the shared RabbitMQ."""
    return Deployment(processes, tmp_path, rabbit_url, exchange,
                      postgresql_url)
