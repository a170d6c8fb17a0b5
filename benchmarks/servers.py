"""Start the real servers the tests and benchmarks need: PostgreSQL,
MariaDB, RabbitMQ.

Each starter is idempotent (a server already listening is reused), listens
on 127.0.0.1 only, and returns a connection URL. A server that is not
installed raises ``NotInstalled``; the tests' wrapper
(``masakari/tests/fixtures/servers.py``) turns that into a skip, or a
failure under ``MASAKARI_TEST_REQUIRE_SERVERS=1``. Plain Python only: no
pytest here, so that benchmarks can start the same servers.
"""

import fcntl
import os
import shutil
import socket
import subprocess
import time
import uuid

RUN_DIR = os.environ.get('MASAKARI_TEST_RUN_DIR', '/tmp/masakari-test-servers')
# Fixed ports lie below Linux's ephemeral range (32768+), where a client
# socket of another test could hold them when the server starts.
PG_PORT = int(os.environ.get('MASAKARI_TEST_PG_PORT', '5432'))
MYSQL_PORT = int(os.environ.get('MASAKARI_TEST_MYSQL_PORT', '13306'))
RABBIT_PORT = int(os.environ.get('MASAKARI_TEST_RABBIT_PORT', '14672'))
USER = PASSWORD = 'masakari'


class NotInstalled(RuntimeError):
    """A server this machine does not have (``what``: its name)."""

    def __init__(self, what):
        super().__init__('%s is not installed on this machine' % what)
        self.what = what


def _missing(what):
    raise NotInstalled(what)


def port_open(port, host='127.0.0.1'):
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def wait_for_port(port, timeout=90, what='server'):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(port):
            return
        time.sleep(0.2)
    raise RuntimeError('%s did not listen on port %d within %ds'
                       % (what, port, timeout))


class _Lock:
    """Serialises start-up across pytest-xdist workers."""

    def __init__(self, name):
        os.makedirs(RUN_DIR, exist_ok=True)
        self._file = open(os.path.join(RUN_DIR, name + '.lock'), 'w')

    def __enter__(self):
        fcntl.flock(self._file, fcntl.LOCK_EX)

    def __exit__(self, *exc):
        fcntl.flock(self._file, fcntl.LOCK_UN)
        self._file.close()


def _run(cmd, **kwargs):
    return subprocess.run(cmd, check=True, capture_output=True, text=True,
                          **kwargs)


# --- PostgreSQL ---
def _psql(sql):
    _run(['runuser', '-u', 'postgres', '--', 'psql', '-p', str(PG_PORT),
          '-h', '/var/run/postgresql',
          '-v', 'ON_ERROR_STOP=1', '-c', sql])


def ensure_postgresql():
    if not shutil.which('pg_ctlcluster') and not port_open(PG_PORT):
        _missing('PostgreSQL')
    with _Lock('postgresql'):
        if not port_open(PG_PORT):
            versions = sorted(os.listdir('/usr/lib/postgresql'))
            _run(['pg_ctlcluster', versions[-1], 'main', 'start'])
            wait_for_port(PG_PORT, what='PostgreSQL')
        try:
            _psql("CREATE ROLE %s LOGIN SUPERUSER PASSWORD '%s'"
                  % (USER, PASSWORD))
        except subprocess.CalledProcessError as exc:
            if 'already exists' not in exc.stderr:
                raise


def create_postgresql_database():
    """A fresh, empty database; returns (url, drop callable)."""
    ensure_postgresql()
    name = 'masakari_%s' % uuid.uuid4().hex[:12]
    _psql('CREATE DATABASE %s OWNER %s' % (name, USER))
    url = 'postgresql+psycopg2://%s:%s@127.0.0.1:%d/%s' % (
        USER, PASSWORD, PG_PORT, name)
    return url, lambda: _psql('DROP DATABASE IF EXISTS %s WITH (FORCE)'
                              % name)


# --- MariaDB / MySQL ---
def _mysql_server_binary():
    return shutil.which('mariadbd') or shutil.which('mysqld') or (
        '/usr/sbin/mariadbd' if os.path.exists('/usr/sbin/mariadbd') else None)


def _mysql(sql):
    _run(['mariadb', '--no-defaults', '-uroot', '-h127.0.0.1',
          '-P%d' % MYSQL_PORT, '-e', sql])


def ensure_mysql():
    binary = _mysql_server_binary()
    if binary is None and not port_open(MYSQL_PORT):
        _missing('MariaDB')
    with _Lock('mysql'):
        if port_open(MYSQL_PORT):
            return
        base = os.path.join(RUN_DIR, 'mysql')
        datadir = os.path.join(base, 'data')
        if not os.path.isdir(os.path.join(datadir, 'mysql')):
            shutil.rmtree(base, ignore_errors=True)
            os.makedirs(datadir)
            _run(['mariadb-install-db', '--no-defaults', '--user=root',
                  '--datadir=%s' % datadir,
                  '--auth-root-authentication-method=normal',
                  '--skip-test-db'])
        log = open(os.path.join(base, 'server.log'), 'a')
        subprocess.Popen(
            [binary, '--no-defaults', '--user=root', '--datadir=%s' % datadir,
             '--bind-address=127.0.0.1', '--port=%d' % MYSQL_PORT,
             '--socket=%s' % os.path.join(base, 'mysqld.sock'),
             '--pid-file=%s' % os.path.join(base, 'mysqld.pid'),
             '--skip-name-resolve', '--innodb-flush-log-at-trx-commit=2',
             '--max-connections=500'],
            stdout=log, stderr=log, start_new_session=True)
        wait_for_port(MYSQL_PORT, what='MariaDB')
        _mysql("CREATE USER IF NOT EXISTS '%s'@'127.0.0.1' IDENTIFIED BY "
               "'%s'; GRANT ALL ON *.* TO '%s'@'127.0.0.1'"
               % (USER, PASSWORD, USER))


def create_mysql_database():
    ensure_mysql()
    name = 'masakari_%s' % uuid.uuid4().hex[:12]
    _mysql('CREATE DATABASE %s CHARACTER SET utf8mb4' % name)
    url = 'mysql+pymysql://%s:%s@127.0.0.1:%d/%s?charset=utf8mb4' % (
        USER, PASSWORD, MYSQL_PORT, name)
    return url, lambda: _mysql('DROP DATABASE IF EXISTS %s' % name)


# --- RabbitMQ ---
def rabbitmq_server_binary():
    """The real server script: /usr/sbin/rabbitmq-server (Debian) switches
    to the rabbitmq user, who cannot write a data directory of ours."""
    direct = '/usr/lib/rabbitmq/bin/rabbitmq-server'
    if os.path.exists(direct):
        return direct
    return shutil.which('rabbitmq-server') or shutil.which(
        'rabbitmq-server', path='/usr/sbin')


def free_port():
    """A port nothing listens on now (bound once, then released)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def start_rabbitmq(base, port, nodename, epmd_port=RABBIT_PORT + 2):
    """Start a RabbitMQ node with its data under ``base`` listening on
    127.0.0.1:``port``; returns the Popen. Nodes share one epmd (on
    ``epmd_port``), which outlives them.

    The distribution port is a free one picked at each start: a fixed
    ``port + 1`` lies in the ephemeral range, where a client socket of
    another test sometimes holds it, and the node then dies at boot
    (``dist_port_already_used``)."""
    os.makedirs(base, exist_ok=True)
    env = dict(os.environ,
               RABBITMQ_NODE_IP_ADDRESS='127.0.0.1',
               RABBITMQ_NODE_PORT=str(port),
               RABBITMQ_NODENAME=nodename,
               RABBITMQ_DIST_PORT=str(free_port()),
               ERL_EPMD_ADDRESS='127.0.0.1',
               ERL_EPMD_PORT=str(epmd_port),
               RABBITMQ_MNESIA_BASE=os.path.join(base, 'mnesia'),
               RABBITMQ_LOG_BASE=os.path.join(base, 'log'),
               RABBITMQ_PID_FILE=os.path.join(base, 'rabbit.pid'),
               RABBITMQ_ENABLED_PLUGINS_FILE=os.path.join(
                   base, 'enabled_plugins'),
               RABBITMQ_CONF_ENV_FILE=os.path.join(base, 'rabbitmq-env.conf'),
               ERL_CRASH_DUMP=os.path.join(base, 'erl_crash.dump'),
               HOME=base)
    open(os.path.join(base, 'rabbitmq-env.conf'), 'a').close()
    log = open(os.path.join(base, 'server.log'), 'a')
    return subprocess.Popen([rabbitmq_server_binary()], env=env,
                            stdout=log, stderr=log, start_new_session=True)


def ensure_rabbitmq():
    """Returns the transport_url of a RabbitMQ broker on 127.0.0.1."""
    if not rabbitmq_server_binary() and not port_open(RABBIT_PORT):
        _missing('RabbitMQ')
    with _Lock('rabbitmq'):
        if not port_open(RABBIT_PORT):
            start_rabbitmq(os.path.join(RUN_DIR, 'rabbitmq'), RABBIT_PORT,
                           'masakaritest@localhost')
            wait_for_port(RABBIT_PORT, timeout=120, what='RabbitMQ')
    return 'rabbit://guest:guest@127.0.0.1:%d/' % RABBIT_PORT
