#!/usr/bin/env python3
"""OpenStack-lite: a real Keystone, Placement and Nova (fake virt driver) on
127.0.0.1, for Masakari's end-to-end tests and as a developer playground.

Standard library only, so that the test suite can import it by path; the
OpenStack services themselves run from the venv that ``install.sh`` builds.
Run through the ``openstack-lite`` wrapper, which installs first:

    openstack-lite up [--fresh]     start everything (reuses a running stack)
    openstack-lite status           what runs, and Nova's compute services
    openstack-lite stop             stop everything
    openstack-lite kill-compute compute1      SIGKILL one nova-compute
    openstack-lite restore-compute compute1   restart it, unset forced_down,
                                              enable it and wait until it is up
    openstack-lite env              the stack's facts (JSON)
    openstack-lite masakari-conf    a masakari.conf for this stack

Layout (all overridable through the environment):
    MASAKARI_OSLITE_DIR       base directory (default /tmp/masakari-oslite)
    MASAKARI_OSLITE_VENV      venv of the services (default $DIR/venv)
    MASAKARI_OSLITE_RUN_DIR   configs, data, logs, pids (default $DIR/run)
    MASAKARI_OSLITE_PORT_<NAME>   ports, see PORTS below
    MASAKARI_OSLITE_COMPUTES  number of nova-compute services (default 3)
    MASAKARI_OSLITE_REPORT_INTERVAL, MASAKARI_OSLITE_SERVICE_DOWN_TIME
        Nova's heartbeat period and the age at which a service is down
        (default 2 and 15 seconds, so a killed compute is down fast).
"""

import argparse
import concurrent.futures
import grp
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))

# The usual ports plus 20000 (below Linux's ephemeral range 32768+, where
# the kernel hands out client ports). RabbitMQ's are shifted off 25672, the
# usual Erlang distribution port, so that a Debian RabbitMQ can coexist.
PORTS = {
    'mysql': 23306,
    'rabbit': 25682,
    'rabbit_dist': 25683,
    'epmd': 24369,
    'keystone': 25000,
    'placement': 28778,
    'nova': 28774,
    'glance': 29292,
    'neutron': 29696,
    'masakari': 25868,   # the instance-ha catalog endpoint; not started here
}

REGION = 'RegionOne'
ADMIN_PASSWORD = 'admin'
PASSWORD = 'secret'
DB_USER = 'oslite'
SERVICE_USERS = ('nova', 'placement', 'masakari')
MEMBER_USER, MEMBER_PROJECT = 'demo', 'demo'
IMAGE_ID = '155d900f-4e14-4e4c-a73d-069cbf4541e6'
IMAGE_NAME = 'cirros-fake'
FLAVOR = {'name': 'm1.tiny', 'id': '1', 'ram': 64, 'vcpus': 1, 'disk': 1}
DATABASES = ('keystone', 'placement', 'nova_api', 'nova', 'nova_cell0')
NOVA_MICROVERSION = '2.53'


class Failure(Exception):
    pass


def default_dir():
    """/tmp/masakari-oslite for root, /tmp/masakari-oslite-<uid> else."""
    uid = os.geteuid()
    return '/tmp/masakari-oslite' + ('-%d' % uid if uid else '')


def current_user():
    return (pwd.getpwuid(os.geteuid()).pw_name,
            grp.getgrgid(os.getegid()).gr_name)


def log(msg):
    print('openstack-lite: %s' % msg, flush=True)


# --------------------------------------------------------------- layout
class Layout:
    """Where everything lives, and the tunables."""

    def __init__(self, environ=None):
        env = os.environ if environ is None else environ
        self.base = env.get('MASAKARI_OSLITE_DIR', default_dir())
        self.venv = env.get('MASAKARI_OSLITE_VENV',
                            os.path.join(self.base, 'venv'))
        self.run = env.get('MASAKARI_OSLITE_RUN_DIR',
                           os.path.join(self.base, 'run'))
        self.ports = {name: int(env.get('MASAKARI_OSLITE_PORT_%s'
                                        % name.upper(), port))
                      for name, port in PORTS.items()}
        count = int(env.get('MASAKARI_OSLITE_COMPUTES', '3'))
        self.computes = ['compute%d' % i for i in range(1, count + 1)]
        self.report_interval = int(
            env.get('MASAKARI_OSLITE_REPORT_INTERVAL', '2'))
        self.service_down_time = int(
            env.get('MASAKARI_OSLITE_SERVICE_DOWN_TIME', '15'))
        self.etc = os.path.join(self.run, 'etc')
        self.logs = os.path.join(self.run, 'logs')
        self.pids = os.path.join(self.run, 'pids')
        self.env_file = os.path.join(self.run, 'env.json')
        self.mysql_socket = os.path.join(self.run, 'mysql', 'mysqld.sock')

    def bin(self, name):
        return os.path.join(self.venv, 'bin', name)

    def url(self, name, path=''):
        return 'http://127.0.0.1:%d%s' % (self.ports[name], path)

    @property
    def auth_url(self):
        return self.url('keystone', '/v3')

    @property
    def transport_url(self):
        return 'rabbit://guest:guest@127.0.0.1:%d/' % self.ports['rabbit']

    def db_url(self, name, charset='utf8'):
        return 'mysql+pymysql://%s:%s@127.0.0.1:%d/%s?charset=%s' % (
            DB_USER, PASSWORD, self.ports['mysql'], name, charset)

    def etc_path(self, name):
        return os.path.join(self.etc, name)

    def services(self):
        """Every daemon, in start order."""
        return (['mysql', 'rabbitmq', 'stubs', 'keystone', 'placement',
                 'nova-conductor', 'nova-scheduler', 'nova-api']
                + self.computes)


# ---------------------------------------------------------- processes
def _pid_file(layout, name):
    return os.path.join(layout.pids, name + '.pid')


def _start_time(pid):
    """The kernel's start time of pid (clock ticks since boot), or None
    when pid is not alive. With the pid it identifies a process: pids are
    recycled, start times are not."""
    try:
        with open('/proc/%d/stat' % pid) as handle:
            fields = handle.read().rsplit(')', 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == 'Z' else fields[19]


def _ours(layout, pid, start_time):
    return start_time is not None and _start_time(pid) == start_time


def _read_pid(layout, name):
    try:
        with open(_pid_file(layout, name)) as handle:
            pid, start_time = handle.read().split()
        return int(pid), start_time
    except (OSError, ValueError):
        return None, None


def pid_of(layout, name):
    """The pid of a daemon this run dir started, if it is still alive."""
    pid, start_time = _read_pid(layout, name)
    return pid if pid and _ours(layout, pid, start_time) else None


def spawn(layout, name, argv, env=None):
    os.makedirs(layout.logs, exist_ok=True)
    os.makedirs(layout.pids, exist_ok=True)
    full_env = dict(os.environ, OSLITE_RUN_DIR=layout.run,
                    PATH='%s:%s:/usr/sbin:/sbin' % (
                        os.path.join(layout.venv, 'bin'),
                        os.environ.get('PATH', '/usr/bin:/bin')))
    full_env.update(env or {})
    with open(os.path.join(layout.logs, name + '.log'), 'ab') as out:
        process = subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, env=full_env, cwd=layout.run,
            start_new_session=True)
    with open(_pid_file(layout, name), 'w') as handle:
        handle.write('%d %s\n' % (process.pid, _start_time(process.pid)))
    return process.pid


def terminate(layout, names, sig=signal.SIGTERM, timeout=20):
    """Signal each named daemon's process group; SIGKILL what is left
    after timeout. Returns the names that were running."""
    pids = {name: _read_pid(layout, name) for name in names}
    pids = {name: (pid, start) for name, (pid, start) in pids.items()
            if pid and _ours(layout, pid, start)}
    for pid, _start in pids.values():
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(
            _ours(layout, *entry) for entry in pids.values()):
        time.sleep(0.2)
    for name, (pid, start) in pids.items():
        if _ours(layout, pid, start):
            log('%s did not stop in %ds: SIGKILL' % (name, timeout))
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    for name in pids:
        try:
            os.unlink(_pid_file(layout, name))
        except OSError:
            pass
    return list(pids)


def run(layout, name, argv, env=None, timeout=600):
    """Run a one-shot command, its output appended to logs/<name>.log."""
    os.makedirs(layout.logs, exist_ok=True)
    path = os.path.join(layout.logs, name + '.log')
    full_env = dict(os.environ, OSLITE_RUN_DIR=layout.run)
    full_env.update(env or {})
    with open(path, 'ab') as out:
        result = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=full_env,
                                cwd=layout.run, timeout=timeout)
    if result.returncode:
        raise Failure('%s failed (exit %d): %s\n%s' % (
            name, result.returncode, ' '.join(argv), tail(path)))


def tail(path, lines=40):
    try:
        with open(path, errors='replace') as handle:
            return ''.join(handle.readlines()[-lines:])
    except OSError:
        return ''


def wait_for(what, predicate, timeout, interval=0.3, log_name=None,
             layout=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        if log_name and layout and not pid_of(layout, log_name):
            raise Failure('%s exited while waiting for %s:\n%s' % (
                log_name, what,
                tail(os.path.join(layout.logs, log_name + '.log'))))
        time.sleep(interval)
    extra = ''
    if log_name and layout:
        extra = '\n' + tail(os.path.join(layout.logs, log_name + '.log'))
    raise Failure('timed out after %ds waiting for %s%s'
                  % (timeout, what, extra))


# -------------------------------------------------------------- HTTP
def http(method, url, body=None, token=None, headers=None, timeout=60):
    """(status, headers, parsed JSON or None); never raises on HTTP
    errors. One request per connection (Connection: close)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header('Accept', 'application/json')
    request.add_header('Connection', 'close')
    if data is not None:
        request.add_header('Content-Type', 'application/json')
    if token:
        request.add_header('X-Auth-Token', token)
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, resp_headers, raw = (response.status, response.headers,
                                         response.read())
    except urllib.error.HTTPError as exc:
        status, resp_headers, raw = exc.code, exc.headers, exc.read()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode(errors='replace')
    return status, resp_headers, parsed


def answers(url):
    """True when something answers HTTP at url (any status)."""
    try:
        http('GET', url, timeout=3)
        return True
    except (OSError, urllib.error.URLError):
        return False


def expect(result, *ok):
    status, _headers, body = result
    if status not in ok:
        raise Failure('HTTP %d: %s' % (status, body))
    return body


class Cloud:
    """Just enough of Keystone and Nova's APIs, as the admin."""

    def __init__(self, layout):
        self.layout = layout
        self._token = None

    def token(self, user='admin', password=ADMIN_PASSWORD, project='admin'):
        body = {'auth': {
            'identity': {'methods': ['password'], 'password': {'user': {
                'name': user, 'domain': {'id': 'default'},
                'password': password}}},
            'scope': {'project': {'name': project,
                                  'domain': {'id': 'default'}}}}}
        status, headers, reply = http(
            'POST', self.layout.auth_url + '/auth/tokens', body)
        if status != 201:
            raise Failure('token for %s: HTTP %d %s' % (user, status, reply))
        return headers['X-Subject-Token']

    @property
    def admin_token(self):
        if self._token is None:
            self._token = self.token()
        return self._token

    def keystone(self, method, path, body=None, ok=(200, 201, 204)):
        return expect(http(method, self.layout.auth_url + path, body,
                           self.admin_token), *ok)

    def nova(self, method, path, body=None, ok=(200, 202, 204),
             timeout=120):
        return expect(http(
            method, self.layout.url('nova', '/v2.1') + path, body,
            self.admin_token, timeout=timeout,
            headers={'OpenStack-API-Version': 'compute %s'
                     % NOVA_MICROVERSION}), *ok)

    def compute_service(self, host):
        services = self.nova('GET', '/os-services?binary=nova-compute'
                             '&host=%s' % host)['services']
        if not services:
            raise Failure('no nova-compute service on %s' % host)
        return services[0]


# ------------------------------------------------------------- MariaDB
def mysql(layout, sql, database=None):
    argv = ['mariadb', '--no-defaults', '-uroot',
            '--socket=%s' % layout.mysql_socket, '-N', '-B', '-e', sql]
    if database:
        argv.append(database)
    result = subprocess.run(argv, capture_output=True, text=True,
                            timeout=60)
    if result.returncode:
        raise Failure('mariadb: %s: %s' % (sql, result.stderr.strip()))
    return [line.split('\t') for line in result.stdout.splitlines()]


def mysql_binary():
    for name in ('mariadbd', 'mysqld'):
        path = shutil.which(name) or shutil.which(name, path='/usr/sbin')
        if path:
            return path
    raise Failure('MariaDB is not installed (run install.sh as root)')


def start_mysql(layout):
    base = os.path.join(layout.run, 'mysql')
    datadir = os.path.join(base, 'data')
    if not os.path.isdir(os.path.join(datadir, 'mysql')):
        shutil.rmtree(base, ignore_errors=True)
        os.makedirs(datadir)
        run(layout, 'mysql-install-db', [
            'mariadb-install-db', '--no-defaults',
            '--user=%s' % current_user()[0],
            '--datadir=%s' % datadir, '--skip-test-db',
            '--auth-root-authentication-method=socket'])
    spawn(layout, 'mysql', [
        mysql_binary(), '--no-defaults', '--user=%s' % current_user()[0],
        '--datadir=%s' % datadir, '--bind-address=127.0.0.1',
        '--port=%d' % layout.ports['mysql'],
        '--socket=%s' % layout.mysql_socket,
        '--pid-file=%s' % os.path.join(base, 'mysqld.pid'),
        '--skip-name-resolve', '--skip-log-bin',
        '--innodb-flush-log-at-trx-commit=0', '--innodb-doublewrite=0',
        '--innodb-buffer-pool-size=256M', '--max-connections=1000',
        '--character-set-server=utf8mb4'])


def mysql_ready(layout):
    try:
        mysql(layout, 'SELECT 1')
        return True
    except Failure:
        return False


def create_databases(layout):
    statements = ["CREATE USER IF NOT EXISTS '%s'@'127.0.0.1' "
                  "IDENTIFIED BY '%s'" % (DB_USER, PASSWORD),
                  "GRANT ALL ON *.* TO '%s'@'127.0.0.1'" % DB_USER]
    statements += ['CREATE DATABASE IF NOT EXISTS %s CHARACTER SET utf8'
                   % name for name in DATABASES]
    mysql(layout, '; '.join(statements))


# ------------------------------------------------------------ RabbitMQ
def start_rabbitmq(layout):
    base = os.path.join(layout.run, 'rabbitmq')
    os.makedirs(base, exist_ok=True)
    with open(os.path.join(base, 'enabled_plugins'), 'w') as handle:
        handle.write('[].\n')
    with open(os.path.join(base, 'rabbitmq.conf'), 'w') as handle:
        handle.write('loopback_users.guest = true\n'
                     'disk_free_limit.absolute = 50MB\n')
    open(os.path.join(base, 'rabbitmq-env.conf'), 'a').close()
    server = '/usr/lib/rabbitmq/bin/rabbitmq-server'
    if not os.path.exists(server):
        server = shutil.which('rabbitmq-server') or shutil.which(
            'rabbitmq-server', path='/usr/sbin')
    if not server:
        raise Failure('RabbitMQ is not installed (run install.sh as root)')
    spawn(layout, 'rabbitmq', [server], env=rabbit_env(layout))


def rabbit_env(layout):
    base = os.path.join(layout.run, 'rabbitmq')
    return {
        'HOME': base,
        'RABBITMQ_NODENAME': 'oslite@localhost',
        'RABBITMQ_NODE_IP_ADDRESS': '127.0.0.1',
        'RABBITMQ_NODE_PORT': str(layout.ports['rabbit']),
        'RABBITMQ_DIST_PORT': str(layout.ports['rabbit_dist']),
        'ERL_EPMD_ADDRESS': '127.0.0.1',
        'ERL_EPMD_PORT': str(layout.ports['epmd']),
        'RABBITMQ_MNESIA_BASE': os.path.join(base, 'mnesia'),
        'RABBITMQ_LOG_BASE': os.path.join(base, 'log'),
        'RABBITMQ_PID_FILE': os.path.join(base, 'rabbit.pid'),
        'RABBITMQ_ENABLED_PLUGINS_FILE': os.path.join(base,
                                                      'enabled_plugins'),
        'RABBITMQ_CONFIG_FILE': os.path.join(base, 'rabbitmq'),
        'RABBITMQ_CONF_ENV_FILE': os.path.join(base, 'rabbitmq-env.conf'),
    }


def port_open(port):
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(('127.0.0.1', port)) == 0


def stop_epmd(layout):
    """epmd daemonises itself out of RabbitMQ's process group: ask the one
    on our port to exit (it refuses while a node is registered)."""
    epmd = shutil.which('epmd') or '/usr/lib/erlang/bin/epmd'
    if port_open(layout.ports['epmd']) and os.path.exists(epmd):
        subprocess.run([epmd, '-kill'], capture_output=True,
                       env=dict(os.environ,
                                ERL_EPMD_PORT=str(layout.ports['epmd'])))


# ------------------------------------------------------------- configs
def ini(sections):
    out = []
    for section, options in sections.items():
        out.append('[%s]' % section)
        out.extend('%s = %s' % (key, value) for key, value in options.items())
        out.append('')
    return '\n'.join(out)


def auth_section(layout, user, **extra):
    section = {
        'auth_type': 'password', 'auth_url': layout.auth_url,
        'username': user, 'password': PASSWORD, 'project_name': 'service',
        'user_domain_name': 'Default', 'project_domain_name': 'Default',
        'region_name': REGION,
    }
    section.update(extra)
    return section


def authtoken_section(layout, user):
    return auth_section(layout, user, www_authenticate_uri=layout.auth_url,
                        service_token_roles_required='true')


def render_configs(layout):
    os.makedirs(layout.etc, exist_ok=True)
    files = {}
    files['keystone.conf'] = ini({
        'DEFAULT': {'debug': 'false'},
        'database': {'connection': layout.db_url('keystone')},
        'identity': {'password_hash_rounds': '4'},
        'token': {'provider': 'fernet'},
        'fernet_tokens': {'key_repository': os.path.join(
            layout.run, 'keystone', 'fernet-keys')},
        'credential': {'key_repository': os.path.join(
            layout.run, 'keystone', 'credential-keys')},
    })
    files['placement.conf'] = ini({
        'DEFAULT': {'debug': 'false'},
        'api': {'auth_strategy': 'keystone'},
        'placement_database': {'connection': layout.db_url('placement')},
        'keystone_authtoken': authtoken_section(layout, 'placement'),
    })
    nova_state = os.path.join(layout.run, 'nova')
    files['nova.conf'] = ini({
        'DEFAULT': {
            'debug': 'false',
            'transport_url': layout.transport_url,
            'my_ip': '127.0.0.1', 'host': 'controller',
            'state_path': nova_state,
            'compute_driver': 'fake.FakeDriverWithoutFakeNodes',
            'report_interval': layout.report_interval,
            'service_down_time': layout.service_down_time,
            'heal_instance_info_cache_interval': '-1',
            'graceful_shutdown_timeout': '5',
            'instance_usage_audit': 'false',
        },
        'api': {'auth_strategy': 'keystone'},
        'keystone_authtoken': authtoken_section(layout, 'nova'),
        'placement': auth_section(layout, 'nova',
                                  valid_interfaces='public'),
        'neutron': auth_section(layout, 'nova', valid_interfaces='public'),
        'glance': {'region_name': REGION, 'valid_interfaces': 'public'},
        'conductor': {'workers': '1'},
        'scheduler': {'workers': '1'},
        'filter_scheduler': {'track_instance_changes': 'false'},
        'quota': {'instances': '-1', 'cores': '-1', 'ram': '-1'},
        'vnc': {'enabled': 'false'},
        'oslo_concurrency': {'lock_path': os.path.join(nova_state, 'lock')},
        # Versioned notifications on the stack's bus: masakari's engine
        # follows evacuations by them ([nova_events]).
        'oslo_messaging_notifications': {'driver': 'messagingv2'},
        'notifications': {'notification_format': 'versioned'},
    })
    # Only the controller services see the databases: nova-compute refuses
    # to start when [api_database] connection is set at all.
    files['nova-db.conf'] = ini({
        'database': {'connection': layout.db_url('nova')},
        'api_database': {'connection': layout.db_url('nova_api')},
    })
    files['nova-cell0.conf'] = ini({
        'database': {'connection': layout.db_url('nova_cell0')},
        'api_database': {'connection': layout.db_url('nova_api')},
    })
    for host in layout.computes:
        state = os.path.join(layout.run, host)
        files['%s.conf' % host] = ini({
            'DEFAULT': {'host': host, 'state_path': state},
            'oslo_concurrency': {'lock_path': os.path.join(state, 'lock')},
        })
    for name, text in files.items():
        with open(layout.etc_path(name), 'w') as handle:
            handle.write(text)
    shutil.copy(os.path.join(layout.venv, 'etc', 'nova', 'api-paste.ini'),
                layout.etc_path('nova-api-paste.ini'))


def uwsgi(layout, port, module, processes=1, threads=1, env=()):
    argv = [layout.bin('uwsgi'), '--http-socket', '127.0.0.1:%d' % port,
            '--module', module, '--virtualenv', layout.venv,
            '--master', '--processes', str(processes),
            '--threads', str(threads), '--enable-threads', '--lazy-apps',
            '--need-app', '--die-on-term', '--worker-reload-mercy', '3',
            '--buffer-size', '65535',
            # uwsgi's http-socket resets kept-alive connections, which
            # keystoneauth reports as ConnectionResetError.
            '--add-header', 'Connection: close']
    for item in env:
        argv += ['--env', item]
    return argv


# ----------------------------------------------------------- bring-up
def nova_manage(layout, *args, conf='nova-db.conf'):
    run(layout, 'nova-manage', [
        layout.bin('nova-manage'),
        '--config-file', layout.etc_path('nova.conf'),
        '--config-file', layout.etc_path(conf)] + list(args))


def sync_nova(layout):
    """The API database and its cell mappings, and the schemas of cell1 and
    cell0, in three parallel chains (each nova-manage costs seconds of
    start-up, each schema tens of seconds of DDL)."""
    def api_and_cells():
        nova_manage(layout, 'api_db', 'sync')
        nova_manage(layout, 'cell_v2', 'map_cell0', '--database_connection',
                    layout.db_url('nova_cell0'))
        nova_manage(layout, 'cell_v2', 'create_cell', '--name', 'cell1')
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        futures = [
            pool.submit(api_and_cells),
            pool.submit(nova_manage, layout, 'db', 'sync', '--local_cell'),
            pool.submit(nova_manage, layout, 'db', 'sync', '--local_cell',
                        conf='nova-cell0.conf')]
        for future in futures:
            future.result()


def sync_placement(layout):
    run(layout, 'placement-manage', [
        layout.bin('placement-manage'),
        '--config-file', layout.etc_path('placement.conf'), 'db', 'sync'])


def keystone_manage(layout, *args):
    run(layout, 'keystone-manage', [
        layout.bin('keystone-manage'),
        '--config-file', layout.etc_path('keystone.conf')] + list(args))


def start_keystone(layout, fresh):
    if fresh:
        keystone_manage(layout, 'db_sync')
        user, group = current_user()
        for command in ('fernet_setup', 'credential_setup'):
            keystone_manage(layout, command, '--keystone-user', user,
                            '--keystone-group', group)
        url = layout.auth_url
        keystone_manage(
            layout, 'bootstrap', '--bootstrap-password', ADMIN_PASSWORD,
            '--bootstrap-admin-url', url, '--bootstrap-internal-url', url,
            '--bootstrap-public-url', url, '--bootstrap-region-id', REGION)
    spawn(layout, 'keystone', uwsgi(
        layout, layout.ports['keystone'], 'keystone.wsgi.api:application',
        threads=4, env=['OS_KEYSTONE_CONFIG_FILES=%s'
                        % layout.etc_path('keystone.conf')]))
    wait_for('keystone', lambda: answers(layout.auth_url), 120,
             log_name='keystone', layout=layout)
    if fresh:
        create_identities(layout)


def create_identities(layout):
    cloud = Cloud(layout)
    roles = {r['name']: r['id']
             for r in cloud.keystone('GET', '/roles')['roles']}
    if 'service' not in roles:
        roles['service'] = cloud.keystone(
            'POST', '/roles', {'role': {'name': 'service'}})['role']['id']

    def project(name):
        return cloud.keystone('POST', '/projects', {'project': {
            'name': name, 'domain_id': 'default'}})['project']['id']

    def user(name, project_id, role_names):
        user_id = cloud.keystone('POST', '/users', {'user': {
            'name': name, 'password': PASSWORD, 'domain_id': 'default',
            'default_project_id': project_id}})['user']['id']
        for role in role_names:
            cloud.keystone('PUT', '/projects/%s/users/%s/roles/%s'
                           % (project_id, user_id, roles[role]))

    service_project = project('service')
    for name in SERVICE_USERS:
        user(name, service_project, ('admin', 'service'))
    user(MEMBER_USER, project(MEMBER_PROJECT), ('member', 'reader'))

    catalog = [
        ('compute', 'nova', layout.url('nova', '/v2.1')),
        ('placement', 'placement', layout.url('placement')),
        ('image', 'glance', layout.url('glance')),
        ('network', 'neutron', layout.url('neutron')),
        ('instance-ha', 'masakari',
         layout.url('masakari', '/v1/$(tenant_id)s')),
    ]
    for service_type, name, url in catalog:
        service_id = cloud.keystone('POST', '/services', {'service': {
            'type': service_type, 'name': name}})['service']['id']
        for interface in ('public', 'internal', 'admin'):
            cloud.keystone('POST', '/endpoints', {'endpoint': {
                'service_id': service_id, 'interface': interface,
                'url': url, 'region_id': REGION}})


def nova_daemon_argv(layout, binary, *conf_files):
    argv = [layout.bin(binary)]
    for name in conf_files:
        argv += ['--config-file', layout.etc_path(name)]
    return argv


def start_nova_controllers(layout):
    for binary in ('nova-conductor', 'nova-scheduler'):
        spawn(layout, binary, nova_daemon_argv(
            layout, binary, 'nova.conf', 'nova-db.conf'))
    spawn(layout, 'nova-api', uwsgi(
        layout, layout.ports['nova'], 'nova.wsgi.osapi_compute:application',
        processes=2, env=[
            # The first file is the paste pipeline, the rest oslo.config's.
            'OS_NOVA_CONFIG_DIR=%s' % layout.etc,
            'OS_NOVA_CONFIG_FILES=nova-api-paste.ini;nova.conf;nova-db.conf']))


def start_placement(layout):
    spawn(layout, 'placement', uwsgi(
        layout, layout.ports['placement'], 'placement.wsgi.api:application',
        threads=2, env=['OS_PLACEMENT_CONFIG_DIR=%s' % layout.etc]))


def start_stubs(layout):
    spawn(layout, 'stubs', [
        sys.executable, os.path.join(HERE, 'stubs.py'),
        str(layout.ports['glance']), str(layout.ports['neutron']),
        IMAGE_ID, IMAGE_NAME])


def report_count(layout, binary, host=None):
    sql = ("SELECT COALESCE(MAX(report_count), 0) FROM services WHERE "
           "`binary` = '%s' AND deleted = 0" % binary)
    if host:
        sql += " AND host = '%s'" % host
    return int(mysql(layout, sql, 'nova')[0][0])


def start_compute(layout, host):
    os.makedirs(os.path.join(layout.run, host), exist_ok=True)
    spawn(layout, host, nova_daemon_argv(
        layout, 'nova-compute', 'nova.conf', '%s.conf' % host))


def computes_up(cloud, hosts):
    services = cloud.nova('GET', '/os-services?binary=nova-compute')
    state = {s['host']: s for s in services['services']}
    return all(h in state and state[h]['state'] == 'up' for h in hosts)


def hosts_mapped(layout, hosts):
    mapped = {row[0] for row in mysql(
        layout, 'SELECT host FROM host_mappings', 'nova_api')}
    return set(hosts) <= mapped


def ensure_flavor(cloud):
    flavors = cloud.nova('GET', '/flavors')['flavors']
    if not any(f['name'] == FLAVOR['name'] for f in flavors):
        cloud.nova('POST', '/flavors', {'flavor': dict(FLAVOR)})


def controllers_running(layout):
    """Everything but the computes runs: the stack can be reused."""
    return all(pid_of(layout, name) for name in layout.services()
               if name not in layout.computes)


def cmd_up(layout, fresh=False):
    started = time.monotonic()
    if not fresh and controllers_running(layout):
        # Reuse the stack; restart any compute that died (or was killed).
        for host in layout.computes:
            if not pid_of(layout, host):
                cmd_restore_compute(layout, host)
        log('already running (%s)' % layout.run)
        write_env(layout, None)
        return
    if any(pid_of(layout, name) for name in layout.services()):
        cmd_stop(layout)
    if fresh:
        shutil.rmtree(layout.run, ignore_errors=True)
    for path in (layout.run, layout.etc, layout.logs, layout.pids):
        os.makedirs(path, exist_ok=True)
    for name, port in layout.ports.items():
        if name != 'masakari' and port_open(port):
            raise Failure('port %d (%s) is already in use' % (port, name))
    stamp = os.path.join(layout.run, '.bootstrapped')
    new = not os.path.exists(stamp)
    render_configs(layout)
    log('starting in %s (%s databases)'
        % (layout.run, 'new' if new else 'existing'))

    start_mysql(layout)
    start_rabbitmq(layout)
    start_stubs(layout)
    wait_for('MariaDB', lambda: mysql_ready(layout), 60, log_name='mysql',
             layout=layout)
    if new:
        create_databases(layout)
    steps = {}
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        keystone = pool.submit(timed, steps, 'keystone', start_keystone,
                               layout, new)
        placement = pool.submit(timed, steps, 'placement db sync',
                                sync_placement if new else noop, layout)
        nova = pool.submit(timed, steps, 'nova db sync',
                           sync_nova if new else noop, layout)
        placement.result()
        start_placement(layout)
        nova.result()
        wait_for('RabbitMQ', lambda: port_open(layout.ports['rabbit']), 120,
                 log_name='rabbitmq', layout=layout)
        beats = report_count(layout, 'nova-conductor')
        # Nova's services authenticate to Placement as they start.
        keystone.result()
        start_nova_controllers(layout)
    t0 = time.monotonic()
    wait_for('the first nova-conductor heartbeat',
             lambda: report_count(layout, 'nova-conductor') > beats, 120,
             log_name='nova-conductor', layout=layout)
    steps['conductor heartbeat'] = time.monotonic() - t0
    # Computes started before the conductor's queue exists lose their first
    # RPC call and stall for a minute: start them only now.
    t0 = time.monotonic()
    for host in layout.computes:
        start_compute(layout, host)
    wait_for('nova-api', lambda: answers(layout.url('nova')), 120,
             log_name='nova-api', layout=layout)
    wait_for('placement', lambda: answers(layout.url('placement')), 120,
             log_name='placement', layout=layout)
    cloud = Cloud(layout)
    if new:
        ensure_flavor(cloud)
    wait_for('nova-compute services up',
             lambda: computes_up(cloud, layout.computes), 180, interval=1)
    if not hosts_mapped(layout, layout.computes):
        nova_manage(layout, 'cell_v2', 'discover_hosts')
    steps['computes'] = time.monotonic() - t0
    open(stamp, 'w').close()
    elapsed = time.monotonic() - started
    write_env(layout, elapsed)
    log('steps: ' + ', '.join('%s %.0fs' % item for item in steps.items()))
    log('up in %.1fs; source %s/openrc or use %s/clouds.yaml'
        % (elapsed, layout.run, layout.run))


def timed(steps, name, function, *args):
    t0 = time.monotonic()
    function(*args)
    steps[name] = time.monotonic() - t0


def noop(*_args):
    pass


# ------------------------------------------------------- env and files
def facts(layout):
    return {
        'run_dir': layout.run,
        'venv': layout.venv,
        'logs': layout.logs,
        'ports': layout.ports,
        'auth_url': layout.auth_url,
        'region': REGION,
        'admin': {'username': 'admin', 'password': ADMIN_PASSWORD,
                  'project_name': 'admin'},
        'member': {'username': MEMBER_USER, 'password': PASSWORD,
                   'project_name': MEMBER_PROJECT},
        'service_users': {name: {'username': name, 'password': PASSWORD,
                                 'project_name': 'service'}
                          for name in SERVICE_USERS},
        'transport_url': layout.transport_url,
        'mysql': {'host': '127.0.0.1', 'port': layout.ports['mysql'],
                  'user': DB_USER, 'password': PASSWORD,
                  'socket': layout.mysql_socket},
        'nova_url': layout.url('nova', '/v2.1'),
        'masakari_url': layout.url('masakari'),
        'computes': layout.computes,
        'image_id': IMAGE_ID, 'image_name': IMAGE_NAME,
        'flavor': FLAVOR['name'],
        'report_interval': layout.report_interval,
        'service_down_time': layout.service_down_time,
        'clouds_yaml': os.path.join(layout.run, 'clouds.yaml'),
        'openrc': os.path.join(layout.run, 'openrc'),
    }


def clouds_yaml(layout, admin_cloud='oslite', member_cloud='oslite-demo'):
    """clouds.yaml text (JSON is valid YAML) with the admin and the member
    of another project."""
    def cloud(user, password, project):
        return {'auth': {'auth_url': layout.auth_url, 'username': user,
                         'password': password, 'project_name': project,
                         'user_domain_name': 'Default',
                         'project_domain_name': 'Default'},
                'region_name': REGION, 'interface': 'public',
                'identity_api_version': 3}
    return json.dumps({'clouds': {
        admin_cloud: cloud('admin', ADMIN_PASSWORD, 'admin'),
        member_cloud: cloud(MEMBER_USER, PASSWORD, MEMBER_PROJECT),
    }}, indent=2) + '\n'


def write_env(layout, bringup_seconds):
    data = facts(layout)
    previous = {}
    if os.path.exists(layout.env_file):
        with open(layout.env_file) as handle:
            previous = json.load(handle)
    data['bringup_seconds'] = (
        round(bringup_seconds, 1) if bringup_seconds is not None
        else previous.get('bringup_seconds'))
    with open(layout.env_file, 'w') as handle:
        json.dump(data, handle, indent=2)
    with open(data['clouds_yaml'], 'w') as handle:
        handle.write(clouds_yaml(layout))
    with open(data['openrc'], 'w') as handle:
        handle.write(
            'export OS_AUTH_URL=%s OS_REGION_NAME=%s OS_IDENTITY_API_VERSION=3'
            '\nexport OS_USERNAME=admin OS_PASSWORD=%s OS_PROJECT_NAME=admin'
            '\nexport OS_USER_DOMAIN_NAME=Default '
            'OS_PROJECT_DOMAIN_NAME=Default\n'
            % (layout.auth_url, REGION, ADMIN_PASSWORD))


def masakari_conf(layout, database_url, api_port=None, extra=None):
    """A masakari.conf for this stack: Keystone auth, the RabbitMQ of the
    stack, and the masakari service user for Nova (found in the catalog)."""
    sections = {
        'DEFAULT': {
            'auth_strategy': 'keystone',
            'transport_url': layout.transport_url,
            'masakari_api_listen': '127.0.0.1',
            'masakari_api_listen_port': api_port or layout.ports['masakari'],
        },
        'database': {'connection': database_url},
        'keystone_authtoken': authtoken_section(layout, 'masakari'),
        'nova': auth_section(layout, 'masakari', valid_interfaces='public'),
        'oslo_concurrency': {'lock_path': os.path.join(layout.run,
                                                       'masakari-lock')},
    }
    for section, options in (extra or {}).items():
        sections.setdefault(section, {}).update(options)
    return ini(sections)


# ---------------------------------------------------- stop and status
def cmd_stop(layout):
    t0 = time.monotonic()
    openstack = [n for n in reversed(layout.services())
                 if n not in ('mysql', 'rabbitmq')]
    stopped = terminate(layout, openstack, timeout=15)
    stopped += terminate(layout, ['rabbitmq', 'mysql'], timeout=30)
    stop_epmd(layout)
    log('stopped %s in %.1fs' % (', '.join(stopped) or 'nothing',
                                 time.monotonic() - t0))


def cmd_status(layout):
    ok = True
    for name in layout.services():
        pid = pid_of(layout, name)
        ok = ok and bool(pid)
        print('%-16s %s' % (name, 'running (pid %d)' % pid if pid
                            else 'stopped'))
    if pid_of(layout, 'nova-api') and pid_of(layout, 'keystone'):
        try:
            services = Cloud(layout).nova(
                'GET', '/os-services?binary=nova-compute')['services']
        except (Failure, OSError) as exc:
            print('nova: %s' % exc)
            return 1
        for svc in services:
            print('  %-10s %-8s %-5s forced_down=%s %s' % (
                svc['host'], svc['status'], svc['state'],
                svc.get('forced_down'), svc.get('disabled_reason') or ''))
    return 0 if ok else 1


# ----------------------------------------------------- compute control
def cmd_kill_compute(layout, host):
    pid, start = _read_pid(layout, host)
    if not pid or not _ours(layout, pid, start):
        raise Failure('%s is not running' % host)
    os.killpg(pid, signal.SIGKILL)
    wait_for('%s to exit' % host, lambda: not _ours(layout, pid, start), 10)
    os.unlink(_pid_file(layout, host))
    log('killed %s (pid %d)' % (host, pid))


def cmd_restore_compute(layout, host, timeout=180, enable=True):
    """Bring a compute back after a failure, in the order Nova demands:
    start it (it cleans up evacuated instances before it reports), unset
    forced_down (refused while evacuations are not cleaned up), enable
    (unless ``enable`` is false: that step left to masakari's return to
    service)."""
    t0 = time.monotonic()
    cloud = Cloud(layout)
    if not pid_of(layout, host):
        before = report_count(layout, 'nova-compute', host)
        start_compute(layout, host)
        wait_for('%s to report' % host,
                 lambda: report_count(layout, 'nova-compute', host) > before,
                 timeout, log_name=host, layout=layout)
    service = cloud.compute_service(host)

    def unforce():
        status, _h, body = http(
            'PUT', layout.url('nova', '/v2.1/os-services/%s' % service['id']),
            {'forced_down': False}, cloud.admin_token,
            headers={'OpenStack-API-Version': 'compute 2.53'})
        if status == 200:
            return True
        if status != 400:
            raise Failure('unset forced_down: HTTP %d %s' % (status, body))
        return False
    if service.get('forced_down'):
        wait_for('nova to accept forced_down=false on %s' % host, unforce,
                 timeout, interval=1)
    if enable and service['status'] != 'enabled':
        cloud.nova('PUT', '/os-services/%s' % service['id'],
                   {'status': 'enabled'})
    wait_for('%s up' % host,
             lambda: cloud.compute_service(host)['state'] == 'up', timeout,
             interval=0.5)
    log('%s restored in %.1fs' % (host, time.monotonic() - t0))


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='openstack-lite', description=__doc__.split('\n\n')[0])
    sub = parser.add_subparsers(dest='command', required=True)
    up = sub.add_parser('up', help='start the stack (or reuse it)')
    up.add_argument('--fresh', action='store_true',
                    help='discard the run dir and its databases first')
    sub.add_parser('stop', help='stop every service')
    sub.add_parser('status', help='show what runs')
    sub.add_parser('env', help='print the stack facts as JSON')
    for name in ('kill-compute', 'restore-compute'):
        sub.add_parser(name).add_argument('host')
    conf = sub.add_parser('masakari-conf',
                          help='print a masakari.conf for this stack')
    conf.add_argument('--database', default=None,
                      help='SQLAlchemy URL (default: database "masakari" '
                           'on the stack\'s MariaDB, created if missing)')
    args = parser.parse_args(argv)
    layout = Layout()
    try:
        if args.command == 'up':
            cmd_up(layout, args.fresh)
        elif args.command == 'stop':
            cmd_stop(layout)
        elif args.command == 'status':
            return cmd_status(layout)
        elif args.command == 'env':
            print(json.dumps(facts(layout), indent=2))
        elif args.command == 'kill-compute':
            cmd_kill_compute(layout, args.host)
        elif args.command == 'restore-compute':
            cmd_restore_compute(layout, args.host)
        elif args.command == 'masakari-conf':
            url = args.database
            if url is None:
                mysql(layout, 'CREATE DATABASE IF NOT EXISTS masakari '
                              'CHARACTER SET utf8mb4')
                url = layout.db_url('masakari', charset='utf8mb4')
            sys.stdout.write(masakari_conf(layout, url))
    except Failure as exc:
        log('error: %s' % exc)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
