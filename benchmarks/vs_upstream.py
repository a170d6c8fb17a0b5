"""This API and upstream Masakari's ``masakari-api`` side by side.

    python -m benchmarks.vs_upstream          # writes
        benchmarks/results/vs_upstream.json and
        doc/source/reference/vs-upstream.rst
    python -m benchmarks.vs_upstream --report-only

Upstream is installed from PyPI into a venv of its own (``--upstream-venv``,
never the project's), with its own dependencies; each API gets a fresh
PostgreSQL database migrated by its own ``masakari-manage db sync``. Both
run ``auth_strategy = noauth2``, ``transport_url = fake://`` and the same
number of worker processes, and validate host names against one Nova
simulator (``masakari-nova-simulator``). Upstream reaches Nova only through
Keystone's catalog, so a minimal Keystone (password tokens, a catalog with
the simulator as ``compute``) runs in this process for it.

Every client holds one keep-alive connection (``http.client``) and sends
its requests one after the other; latencies are per request, as the
client sees them. The first request of each client is not counted (it
opens the connection and may be the first its server process serves).
"""

import argparse
import datetime
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid

import webob

from benchmarks import machine
from benchmarks import rst
from benchmarks import servers
from masakari.common import wsgi_server

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, 'benchmarks', 'results', 'vs_upstream.json')
DOC = os.path.join(ROOT, 'doc', 'source', 'reference', 'vs-upstream.rst')
UPSTREAM_VERSION = '22.0.0'
HOSTS = 1000
NOTIFICATIONS = 10000
WORKERS = 2
CLIENT_MODES = (1, 8)
BIN = os.path.dirname(sys.executable)


# --- the pieces ---------------------------------------------------------
def ensure_upstream(venv, version=UPSTREAM_VERSION):
    """``masakari==version`` in ``venv`` (made with this Python)."""
    python = os.path.join(venv, 'bin', 'python')
    if not os.path.exists(python):
        base = getattr(sys, '_base_executable', sys.executable)
        subprocess.run([base, '-m', 'venv', venv], check=True)
    probe = subprocess.run(
        [python, '-c', 'import importlib.metadata as m; '
         'print(m.version("masakari"))'], capture_output=True, text=True)
    if probe.stdout.strip() != version:
        subprocess.run([os.path.join(venv, 'bin', 'pip'), 'install', '-q',
                        'masakari==%s' % version, 'psycopg2-binary'],
                       check=True)
    return probe.stdout.strip() or version


class Keystone:
    """Keystone v3 password tokens whose catalog names ``compute_url``."""

    def __init__(self, compute_url):
        self.compute_url = compute_url
        self.server = wsgi_server.WSGIServer(self, name='keystone').start()
        self.url = self.server.url

    def __call__(self, environ, start_response):
        req = webob.Request(environ)
        path = req.path_info.rstrip('/')
        version = {'id': 'v3.14', 'status': 'stable',
                   'links': [{'rel': 'self', 'href': self.url + '/v3/'}]}
        headers = {}
        if path == '':
            status, body = 300, {'versions': {'values': [version]}}
        elif path == '/v3':
            status, body = 200, {'version': version}
        elif path == '/v3/auth/tokens':
            status, body = 201, self._token()
            headers['X-Subject-Token'] = uuid.uuid4().hex
        else:
            status, body = 404, {'error': {'code': 404}}
        response = webob.Response(status=status, charset=None,
                                  content_type='application/json',
                                  body=json.dumps(body).encode())
        response.headers.update(headers)
        return response(environ, start_response)

    def _token(self):
        now = datetime.datetime.utcnow()
        domain = {'id': 'default', 'name': 'Default'}

        def service(kind, name, url):
            return {'id': kind, 'type': kind, 'name': name, 'endpoints': [
                {'id': kind + i, 'interface': i, 'region': 'RegionOne',
                 'region_id': 'RegionOne', 'url': url}
                for i in ('public', 'internal', 'admin')]}

        return {'token': {
            'methods': ['password'],
            'issued_at': now.isoformat() + 'Z',
            'expires_at': (now + datetime.timedelta(hours=1)).isoformat()
            + 'Z',
            'user': {'id': 'masakari', 'name': 'masakari', 'domain': domain},
            'project': {'id': 'service', 'name': 'service',
                        'domain': domain},
            'roles': [{'id': 'admin', 'name': 'admin'}],
            'catalog': [service('identity', 'keystone', self.url + '/v3'),
                        service('compute', 'nova', self.compute_url)]}}

    def stop(self):
        self.server.stop()


def start_simulator(hosts):
    port = servers.free_port()
    process = subprocess.Popen(
        [os.path.join(BIN, 'masakari-nova-simulator'), '--port', str(port),
         '--hosts', str(hosts)], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    servers.wait_for_port(port, what='Nova simulator')
    return process, 'http://127.0.0.1:%d/v2.1' % port


def write_config(directory, name, db_url, port, nova_url, keystone_url,
                 paste=None):
    lines = [
        '[DEFAULT]', 'auth_strategy = noauth2', 'transport_url = fake://',
        'masakari_api_listen = 127.0.0.1',
        'masakari_api_listen_port = %d' % port,
        'masakari_api_workers = %d' % WORKERS,
        'log_file = %s' % os.path.join(directory, name + '.log'),
        # upstream reaches Nova through Keystone's catalog
        'os_privileged_user_name = masakari',
        'os_privileged_user_password = secret',
        'os_privileged_user_tenant = service',
        'os_privileged_user_auth_url = %s/v3' % keystone_url,
        '[keystone_authtoken]', 'auth_type = password',
        '[wsgi]'] + (['api_paste_config = %s' % paste] if paste else []) + [
        '[database]', 'connection = %s' % db_url,
        '[taskflow]', 'connection = %s' % db_url,
        # this API reaches Nova directly
        '[nova]', 'auth_type = none', 'endpoint_override = %s' % nova_url]
    path = os.path.join(directory, name + '.conf')
    with open(path, 'w') as conf_file:
        conf_file.write('\n'.join(lines) + '\n')
    return path


def start_api(bindir, config, port, env):
    subprocess.run([os.path.join(bindir, 'masakari-manage'), '--config-file',
                    config, 'db', 'sync'], check=True, env=env,
                   capture_output=True)
    process = subprocess.Popen(
        [os.path.join(bindir, 'masakari-api'), '--config-file', config],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while not servers.port_open(port):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError('%s did not start: see its log in the work '
                               'directory' % config)
        time.sleep(0.2)
    return process


def seed_notifications(db_url, host_uuid, segment_uuid, count):
    """``count`` finished notifications, written straight to the table
    (both schemas have the same notifications columns)."""
    import sqlalchemy as sa

    engine = sa.create_engine(db_url)
    now = datetime.datetime.utcnow().replace(microsecond=0)
    rows = [{'created_at': now - datetime.timedelta(seconds=i),
             'deleted': 0, 'notification_uuid': str(uuid.uuid4()),
             'generated_time': now - datetime.timedelta(seconds=i),
             'type': 'VM', 'payload': json.dumps({
                 'event': 'LIFECYCLE', 'instance_uuid': str(uuid.uuid4()),
                 'vir_domain_event': 'STOPPED_FAILED'}),
             'status': 'finished', 'source_host_uuid': host_uuid,
             'failover_segment_uuid': segment_uuid, 'message': None}
            for i in range(count)]
    with engine.begin() as conn:
        table = sa.Table('notifications', sa.MetaData(), autoload_with=conn)
        conn.execute(table.insert(), rows)
    engine.dispose()


# --- the client ------------------------------------------------------------
class Client:
    """One keep-alive connection."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection('127.0.0.1', port, timeout=60)

    def call(self, method, path, body=None):
        headers = {'Content-Type': 'application/json',
                   'OpenStack-API-Version': 'instance-ha 1.0'}
        data = json.dumps(body).encode() if body is not None else None
        started = time.perf_counter()
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        content = response.read()
        elapsed = time.perf_counter() - started
        if response.status >= 400:
            raise RuntimeError('%s %s: %d %s' % (method, path,
                                                 response.status, content))
        return elapsed, (json.loads(content) if content else None)

    def close(self):
        self.conn.close()


def measure(port, clients, requests):
    """``requests``: (method, path, body) tuples, shared out round robin;
    returns p50/p99 in milliseconds."""
    shares = [requests[i::clients] for i in range(clients)]
    latencies = []
    errors = []
    lock = threading.Lock()

    def run(share):
        client = Client(port)
        try:
            # A client's first request opens its connection and may be
            # the first its server process sees: not steady state.
            mine = [client.call(*request)[0] for request in share][1:]
        except Exception as exc:
            errors.append(exc)
            return
        finally:
            client.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run, args=(s,)) for s in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if errors:
        raise errors[0]
    latencies.sort()
    return {'requests': len(latencies),
            'p50_ms': round(statistics.median(latencies) * 1000, 2),
            'p99_ms': round(latencies[int(len(latencies) * 0.99) - 1] * 1000,
                            2),
            'per_s': round(len(latencies) / wall, 1)}


def run_scenarios(port, db_url, counts):
    client = Client(port)
    segments = [client.call('POST', '/v1/segments', {'segment': {
        'name': 'seg-%d' % i, 'recovery_method': 'auto',
        'service_type': 'COMPUTE'}})[1]['segment'] for i in range(10)]
    seg = segments[0]['uuid']
    client.close()
    results = {}
    names = iter('compute%d' % i for i in range(1, HOSTS + 1))
    per_mode_hosts = HOSTS // len(CLIENT_MODES)
    for clients in CLIENT_MODES:
        key = '%d' % clients
        results.setdefault('segment list', {})[key] = measure(
            port, clients, [('GET', '/v1/segments', None)] * counts['get'])
        results.setdefault('segment show', {})[key] = measure(
            port, clients, [('GET', '/v1/segments/%s' % seg, None)]
            * counts['get'])
        results.setdefault('host create', {})[key] = measure(
            port, clients, [('POST', '/v1/segments/%s/hosts' % seg,
                             {'host': {'name': next(names), 'type': 'COMPUTE',
                                       'control_attributes': 'SSH'}})
                            for _ in range(per_mode_hosts)])
    client = Client(port)
    hosts = client.call('GET', '/v1/segments/%s/hosts?limit=1' % seg)[1]
    client.close()
    seed_notifications(db_url, hosts['hosts'][0]['uuid'], seg,
                       NOTIFICATIONS)
    hostname = hosts['hosts'][0]['name']
    for clients in CLIENT_MODES:
        key = '%d' % clients
        results.setdefault('hosts list (1000)', {})[key] = measure(
            port, clients, [('GET', '/v1/segments/%s/hosts?limit=1000' % seg,
                             None)] * counts['list'])
        results.setdefault('notification POST', {})[key] = measure(
            port, clients, [('POST', '/v1/notifications', {'notification': {
                'type': 'VM', 'hostname': hostname,
                'generated_time': datetime.datetime.utcnow().isoformat(),
                'payload': {'event': 'LIFECYCLE',
                            'instance_uuid': str(uuid.uuid4()),
                            'vir_domain_event': 'STOPPED_FAILED'}}})
                for _ in range(counts['notify'])])
        results.setdefault('notification list (10k)', {})[key] = measure(
            port, clients, [('GET', '/v1/notifications?limit=1000', None)]
            * counts['list'])
    return results


def _git_commit():
    try:
        return subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=ROOT,
                              capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def run(args):
    upstream_version = ensure_upstream(args.upstream_venv)
    workdir = args.workdir
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    counts = {'get': args.requests, 'list': max(args.requests // 10, 16),
              'notify': args.notify_requests}
    sim, nova_url = start_simulator(HOSTS)
    keystone = Keystone(nova_url)
    sides = {
        'this': (BIN, dict(os.environ, PYTHONPATH=ROOT)),
        'upstream': (os.path.join(args.upstream_venv, 'bin'),
                     {k: v for k, v in os.environ.items()
                      if k != 'PYTHONPATH'}),
    }
    results = {}
    try:
        for side, (bindir, env) in sides.items():
            db_url, drop = servers.create_postgresql_database()
            port = servers.free_port()
            paste = os.path.join(args.upstream_venv, 'etc', 'masakari',
                                 'api-paste.ini')
            config = write_config(workdir, side, db_url, port, nova_url,
                                  keystone.url,
                                  paste if side == 'upstream' else None)
            api = start_api(bindir, config, port, env)
            try:
                sys.stdout.write('%s: measuring\n' % side)
                sys.stdout.flush()
                results[side] = run_scenarios(port, db_url, counts)
            finally:
                api.send_signal(signal.SIGTERM)
                try:
                    api.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    api.kill()
                drop()
            # Nova's computes are used again by the next side.
    finally:
        keystone.stop()
        sim.send_signal(signal.SIGTERM)
        sim.wait(timeout=30)
    from masakari import version
    return {
        'date': datetime.datetime.utcnow().replace(microsecond=0).isoformat(),
        'commit': _git_commit(),
        'this_version': version.version_string(),
        'upstream_version': upstream_version,
        'machine': machine.describe(),
        'database': 'PostgreSQL (one fresh database each, same server)',
        'servers': {
            'this': 'masakari-api (cheroot), masakari_api_workers = %d, '
                    '[wsgi] worker_threads = 16 (default)' % WORKERS,
            'upstream': 'masakari-api %s (its own server), '
                        'masakari_api_workers = %d' % (upstream_version,
                                                       WORKERS),
            'common': 'auth_strategy = noauth2, transport_url = fake://, '
                      'INFO log to a file; Nova: masakari-nova-simulator '
                      'with %d computes (upstream through a minimal '
                      'Keystone catalog)' % HOSTS},
        'client': 'http.client, one keep-alive connection per client, '
                  'clients as threads of one process; %d requests per GET '
                  'scenario, %d per list scenario, %d notification POSTs, '
                  '%d host creates per client mode' % (
                      counts['get'], counts['list'], counts['notify'],
                      HOSTS // len(CLIENT_MODES)),
        'results': results,
    }


def render(data):
    out = [rst.title('This API and upstream Masakari side by side', '='),
           rst.para(
               'Measured by ``python -m benchmarks.vs_upstream`` (%s, commit '
               '``%s``). Latencies in milliseconds as one client sees them, '
               'over keep-alive connections; "1 client" sends its requests '
               'one after the other, "8 clients" are eight such clients at '
               'once.' % (data['date'], (data['commit'] or '?')[:12])),
           '']
    out.append(rst.bullet('This API: %s, %s' % (data['this_version'],
                                               data['servers']['this'])))
    out.append(rst.bullet('Upstream: masakari %s from PyPI in a venv of its '
                          'own; %s' % (data['upstream_version'],
                                       data['servers']['upstream'])))
    out.append(rst.bullet('Both: %s' % data['servers']['common']))
    out.append(rst.bullet('Database: %s' % data['database']))
    out.append(rst.bullet('Client: %s' % data['client']))
    box = data['machine']
    out.append(rst.bullet('Machine: %s, %s cores, Python %s, PostgreSQL %s '
                          '(shared with other work)' % (
                              box['cpu'], box['cores'], box['python'],
                              box['postgresql'])))
    out.append('')
    for clients in ('1', '8'):
        out.append(rst.title('%s client%s' % (clients,
                                              's' if clients != '1' else ''),
                             '-'))
        rows = []
        for scenario, by_mode in data['results']['this'].items():
            mine = by_mode[clients]
            theirs = data['results'].get('upstream', {}).get(
                scenario, {}).get(clients)
            rows.append([scenario, '%.1f' % mine['p50_ms'],
                         '%.1f' % mine['p99_ms'],
                         '%.1f' % theirs['p50_ms'] if theirs else 'n/a',
                         '%.1f' % theirs['p99_ms'] if theirs else 'n/a',
                         '%d' % mine['requests']])
        out.append(rst.table(['Request', 'this p50', 'this p99',
                              'upstream p50', 'upstream p99', 'requests'],
                             rows, widths=[30, 14, 14, 14, 14, 14]))
    return '\n'.join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m benchmarks.vs_upstream',
                                     description=__doc__.splitlines()[0])
    parser.add_argument('--upstream-venv', default=os.path.join(
        os.path.expanduser('~'), '.cache', 'masakari-bench',
        'upstream-%s' % UPSTREAM_VERSION))
    parser.add_argument('--workdir', default='/tmp/masakari-vs-upstream')
    parser.add_argument('--requests', type=int, default=1000,
                        help='requests per GET scenario and client mode')
    parser.add_argument('--notify-requests', type=int, default=40,
                        help='notification POSTs per client mode '
                             '(upstream takes seconds for each)')
    parser.add_argument('--report-only', action='store_true')
    args = parser.parse_args(argv)
    if not args.report_only:
        data = run(args)
        with open(RESULTS, 'w') as results_file:
            json.dump(data, results_file, indent=1)
    with open(RESULTS) as results_file:
        data = json.load(results_file)
    with open(DOC, 'w') as doc:
        doc.write(render(data))
    return 0


if __name__ == '__main__':
    sys.exit(main())

