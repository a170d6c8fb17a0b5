"""The servers a benchmark starts when it is not given running ones.

The layout is a deployment's, on loopback: PostgreSQL (the tests' server,
started by ``benchmarks.servers``; a fresh database), a RabbitMQ broker of
the benchmark's own, ``masakari-nova-simulator``, ``masakari-engine`` and
the API under gunicorn, each a separate process with its own config file and
log. Without RabbitMQ the engine cannot be a process of its own (the
``fake://`` transport is in-process), so ``Stack`` then runs API and engine
together in one process (``benchmarks.apiengine``).

Every process is started in a new session and stopped by its process group
id, never by name.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import psutil
import requests

from benchmarks import servers

RABBIT_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server'
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def port_open(port):
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(('127.0.0.1', port)) == 0


class Process:
    """One child process (and its group), its log file and its memory."""

    def __init__(self, name, argv, log_path, env=None):
        self.name = name
        self.log_path = log_path
        self._log = open(log_path, 'ab')
        # Run from the log's directory: with ``python -m`` the working
        # directory comes first on sys.path, before PYTHONPATH.
        self.popen = subprocess.Popen(
            argv, stdout=self._log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, env=dict(os.environ, **(env or {})),
            cwd=os.path.dirname(log_path), start_new_session=True)

    @property
    def pid(self):
        return self.popen.pid

    def alive(self):
        return self.popen.poll() is None

    def log_tail(self, size=4000):
        with open(self.log_path, 'rb') as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(handle.tell() - size, 0))
            return handle.read().decode('utf-8', 'replace')

    def rss(self):
        """RSS in bytes of this process, and of each child: {pid: rss}."""
        try:
            parent = psutil.Process(self.pid)
            members = [parent] + parent.children(recursive=True)
            return {p.pid: p.memory_info().rss for p in members}
        except psutil.Error:
            return {}

    def cpu_seconds(self):
        """CPU time (user + system) of this process and its children."""
        total = 0.0
        try:
            parent = psutil.Process(self.pid)
            for proc in [parent] + parent.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    times = proc.cpu_times()
                    total += times.user + times.system
        except psutil.Error:
            pass
        return total

    def stop(self, timeout=20):
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pid, signal.SIGKILL)
                self.popen.wait(5)
        self._log.close()


def wait_until(check, timeout, what, process=None, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and not process.alive():
            raise RuntimeError('%s exited:\n%s' % (process.name,
                                                   process.log_tail()))
        try:
            if check():
                return
        except (requests.RequestException, OSError):
            pass
        if time.monotonic() > deadline:
            tail = process.log_tail() if process is not None else ''
            raise RuntimeError('%s not ready after %ss\n%s'
                               % (what, timeout, tail))
        time.sleep(interval)


def python_module(module, *args):
    return [sys.executable, '-m', module, *args]


# --- databases ---------------------------------------------------------------
def create_database(run_dir):
    """A fresh PostgreSQL database, or a SQLite file when PostgreSQL is not
    installed; returns (url, drop callable, backend name)."""
    try:
        url, drop = servers.create_postgresql_database()
        return url, drop, 'postgresql'
    except Exception:
        # Not installed (servers.NotInstalled), or not startable by us.
        path = os.path.join(run_dir, 'masakari.sqlite')
        return 'sqlite:///%s' % path, lambda: None, 'sqlite'


def migrate(url):
    """``masakari-manage db sync`` on ``url`` (in a child process, so the
    benchmark's own CONF stays untouched)."""
    code = ('import sys; from masakari.conf import CONF; '
            'from masakari.db import migration; '
            'CONF([], project="masakari", default_config_files=[]); '
            'CONF.set_override("connection", sys.argv[1], "database"); '
            'migration.db_sync()')
    subprocess.run([sys.executable, '-c', code, url], check=True,
                   capture_output=True)


# --- RabbitMQ ----------------------------------------------------------------
class Rabbit:
    """A broker of our own on free ports; ``url`` is its transport URL."""

    def __init__(self, run_dir):
        binary = RABBIT_SERVER if os.path.exists(RABBIT_SERVER) else None
        if binary is None:
            raise FileNotFoundError('RabbitMQ is not installed')
        base = os.path.join(run_dir, 'rabbitmq')
        os.makedirs(base, exist_ok=True)
        self.port = free_port()
        self.epmd_port = free_port()
        env = {'RABBITMQ_NODE_IP_ADDRESS': '127.0.0.1',
               'RABBITMQ_NODE_PORT': str(self.port),
               'RABBITMQ_DIST_PORT': str(free_port()),
               'RABBITMQ_NODENAME': 'bench%d@localhost' % self.port,
               'ERL_EPMD_ADDRESS': '127.0.0.1',
               'ERL_EPMD_PORT': str(self.epmd_port),
               'RABBITMQ_MNESIA_BASE': os.path.join(base, 'mnesia'),
               'RABBITMQ_LOG_BASE': os.path.join(base, 'log'),
               'RABBITMQ_PID_FILE': os.path.join(base, 'rabbit.pid'),
               'RABBITMQ_ENABLED_PLUGINS_FILE': os.path.join(
                   base, 'enabled_plugins'),
               'HOME': base}
        self.process = Process('rabbitmq', [binary],
                               os.path.join(run_dir, 'rabbitmq.log'), env)
        wait_until(lambda: port_open(self.port), 120, 'RabbitMQ',
                   self.process, interval=0.25)
        self.url = 'rabbit://guest:guest@127.0.0.1:%d/' % self.port

    def stop(self):
        self.process.stop()
        # epmd daemonizes out of the group: find ours by its port.
        for proc in psutil.process_iter(['name']):
            if proc.info['name'] != 'epmd':
                continue
            with contextlib.suppress(psutil.Error):
                if proc.environ().get('ERL_EPMD_PORT') == str(
                        self.epmd_port):
                    proc.terminate()


# --- masakari and the simulator ---------------------------------------------
def write_conf(path, sections):
    with open(path, 'w') as handle:
        for section, values in sections.items():
            handle.write('[%s]\n' % section)
            for key, value in values.items():
                handle.write('%s = %s\n' % (key, value))
            handle.write('\n')


class Simulator:
    """``masakari-nova-simulator`` with no hosts, on a free port."""

    def __init__(self, run_dir, notification_url=None):
        port = free_port()
        argv = ['--port', str(port), '--hosts', '0']
        if notification_url:
            # Nova's versioned notifications, on the broker.
            argv += ['--notification-url', notification_url]
        self.process = Process(
            'nova-simulator', python_module('masakari.cmd.simulator', *argv),
            os.path.join(run_dir, 'simulator.log'))
        self.url = 'http://127.0.0.1:%d' % port
        self.admin_url = self.url + '/simulator'
        self.compute_url = self.url + '/v2.1'
        wait_until(lambda: requests.get(self.admin_url + '/settings',
                                        timeout=2).ok,
                   60, 'Nova simulator', self.process)

    def stop(self):
        self.process.stop()


class Stack:
    """Everything a recovery needs, each part a process of its own.

    ``engine_options`` are ``{(section, name): value}`` for the engine's
    config; ``start_engine`` restarts the engine with new ones (another
    P). ``engine_env`` is added to the engine's environment (PYTHONPATH of
    another checkout, to compare a change). ``engines`` engine processes
    run side by side when there is a broker (``engine`` is the first).
    """

    def __init__(self, run_dir=None, api_workers=2, engine_options=None,
                 transport=None, engine_env=None, engines=1):
        self._own_dir = run_dir is None
        self.run_dir = run_dir or tempfile.mkdtemp(prefix='masakari-bench-')
        self.engine_env = engine_env or {}
        self.engine_count = engines
        self._parts = []
        self.rabbit = None
        self.engine = None
        self.engines = []
        self.api = None
        self._api_port = None
        self.api_workers = api_workers
        try:
            self.db_url, drop, self.db_backend = create_database(self.run_dir)
            self._parts.append(_Callable(drop))
            migrate(self.db_url)
            self.transport = transport or self._start_rabbit()
            self.simulator = Simulator(
                self.run_dir, notification_url=None
                if self.transport == 'fake://' else self.transport)
            self._parts.append(self.simulator)
            self.exchange = 'masakari_bench_%s' % uuid.uuid4().hex[:8]
            self.start_engine(engine_options or {})
        except BaseException:
            self.stop(keep_logs=True)
            raise

    def _start_rabbit(self):
        try:
            self.rabbit = Rabbit(self.run_dir)
        except (FileNotFoundError, RuntimeError) as exc:
            print('RabbitMQ unavailable (%s): API and engine share one '
                  'process on fake://' % str(exc).splitlines()[0],
                  file=sys.stderr)
            return 'fake://'
        self._parts.append(self.rabbit)
        return self.rabbit.url

    @property
    def separate_engine(self):
        return self.transport != 'fake://'

    @property
    def api_url(self):
        return self.api.url

    def conf_sections(self, engine_options):
        sections = {
            'DEFAULT': {'transport_url': self.transport,
                        'control_exchange': self.exchange,
                        'auth_strategy': 'noauth2',
                        'host': 'bench-engine',
                        'periodic_fuzzy_delay': 0,
                        'use_stderr': 'false'},
            'database': {'connection': self.db_url},
            'nova': {'auth_type': 'none',
                     'endpoint_override': self.simulator.compute_url},
            'host_failure': {'force_down_failed_host': 'true'},
        }
        for (section, name), value in engine_options.items():
            sections.setdefault(section or 'DEFAULT', {})[name] = value
        return sections

    def start_engine(self, engine_options):
        """(Re)start the engine with ``engine_options`` (and the API along
        with it when both share a process)."""
        for process in self.engines:
            process.stop()
            self._parts.remove(process)
        self.engines = []
        self.engine = None
        if self.separate_engine:
            for index in range(self.engine_count):
                self.engines.append(self._start_engine_process(
                    engine_options, index))
            self.engine = self.engines[0]
            if self.api is None:
                self.api = Gunicorn(self.run_dir, self.conf_sections({}),
                                    workers=self.api_workers)
                self._parts.append(self.api)
        else:
            conf = self._engine_conf(engine_options, 0)
            # The same port across restarts: clients keep the API's URL.
            if self._api_port is None:
                self._api_port = free_port()
            port = self._api_port
            env = dict(self.engine_env)
            env['PYTHONPATH'] = os.pathsep.join(
                filter(None, [env.get('PYTHONPATH'), REPO_ROOT]))
            self.engine = Process(
                'masakari-api+engine',
                python_module('benchmarks.apiengine', '--config-file', conf,
                              '--port', str(port)),
                os.path.join(self.run_dir, 'engine.out'), env)
            self._parts.append(self.engine)
            self.engines = [self.engine]
            self.api = _Url('http://127.0.0.1:%d' % port)
        wait_until(lambda: requests.get(self.api.url + '/v1/segments',
                                        timeout=2).ok,
                   60, 'masakari API', self.engine)

    def _engine_conf(self, engine_options, index):
        """The config file of engine ``index`` (0: the files of old)."""
        suffix = '' if index == 0 else '-%d' % (index + 1)
        conf_dir = os.path.join(self.run_dir, 'engine%s-conf' % suffix)
        os.makedirs(conf_dir, exist_ok=True)
        conf = os.path.join(conf_dir, 'masakari.conf')
        sections = self.conf_sections(engine_options)
        sections['DEFAULT']['host'] += suffix
        sections['DEFAULT']['log_file'] = os.path.join(
            self.run_dir, 'engine%s.log' % suffix)
        write_conf(conf, sections)
        return conf

    def _start_engine_process(self, engine_options, index):
        suffix = '' if index == 0 else '-%d' % (index + 1)
        conf = self._engine_conf(engine_options, index)
        process = Process(
            'masakari-engine%s' % suffix,
            python_module('masakari.cmd.engine', '--config-file', conf),
            os.path.join(self.run_dir, 'engine%s.out' % suffix),
            self.engine_env)
        self._parts.append(process)
        return process

    def stop(self, keep_logs=False):
        for part in reversed(self._parts):
            with contextlib.suppress(Exception):
                part.stop()
        self._parts = []
        if keep_logs or not self._own_dir:
            print('logs of the services: %s' % self.run_dir, file=sys.stderr)
        else:
            shutil.rmtree(self.run_dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, traceback):
        # MASAKARI_BENCH_KEEP_LOGS=1 keeps them after a run that went well.
        self.stop(keep_logs=exc_type is not None or
                  os.environ.get('MASAKARI_BENCH_KEEP_LOGS') == '1')


class _Callable:
    def __init__(self, function):
        self.stop = function


class _Url:
    def __init__(self, url):
        self.url = url


class Gunicorn:
    """``masakari.wsgi.api:application`` under gunicorn (sync workers)."""

    def __init__(self, run_dir, sections, workers=4, name='api'):
        conf_dir = os.path.join(run_dir, '%s-conf' % name)
        os.makedirs(conf_dir, exist_ok=True)
        sections = json.loads(json.dumps(sections))
        sections['DEFAULT']['log_file'] = os.path.join(run_dir,
                                                       '%s.log' % name)
        write_conf(os.path.join(conf_dir, 'masakari.conf'), sections)
        port = free_port()
        self.url = 'http://127.0.0.1:%d' % port
        self.workers = workers
        gunicorn = shutil.which('gunicorn', path=os.path.dirname(
            sys.executable)) or 'gunicorn'
        self.process = Process(
            'gunicorn', [gunicorn, '--workers', str(workers), '--bind',
                         '127.0.0.1:%d' % port, '--backlog', '512',
                         '--timeout', '120',
                         'masakari.wsgi.api:application'],
            os.path.join(run_dir, '%s.out' % name),
            env={'OS_MASAKARI_CONFIG_DIR': conf_dir})
        wait_until(lambda: requests.get(self.url + '/v1/segments',
                                        timeout=2).ok,
                   60, 'gunicorn API', self.process)

    def worker_rss(self):
        """RSS of each worker (the master excluded), bytes."""
        rss = self.process.rss()
        rss.pop(self.process.pid, None)
        return rss

    def stop(self):
        self.process.stop()
