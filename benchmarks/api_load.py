"""API benchmark: notification create/list/show cost at growing table sizes.

10,000 hosts in 100 segments and up to 100,000 notifications are written
straight into a PostgreSQL database with SQLAlchemy Core bulk inserts
(seeding through the API would take longer than the benchmark). The API
runs under gunicorn with several sync workers. At each table size (1k, 10k,
100k notifications) every operation is measured twice with a bounded
number of requests: one client at a time (the latency of one request) and
``--concurrency`` clients (throughput, and latency when saturated).
Notifications created by the benchmark are deleted again before the next
size, so each size is what it says.

Then the SQL statements of one request of each kind are EXPLAINed (ANALYZE
for reads) on the 100k-row table, to show which index serves them.

Against a running API whose database you seeded yourself::

    python -m benchmarks.api_load --api-url http://127.0.0.1:15868 \\
        --database-url postgresql+psycopg2://...

(``--database-url`` is what the script seeds and EXPLAINs; the API must
use that database.)
"""

import argparse
import contextlib
import datetime
import json
import random
import shutil
import sys
import tempfile
import time
import uuid

import sqlalchemy as sa

from benchmarks import load
from benchmarks import cli
from benchmarks import services

SEGMENTS = 100
HOSTS = 10000
FULL_SIZES = (1000, 10000, 100000)
QUICK_SIZES = (1000, 10000)
STATUSES = (('finished', 0.90), ('ignored', 0.05), ('failed', 0.04),
            ('error', 0.01))
TYPES = (('COMPUTE_HOST', 0.7), ('VM', 0.2), ('PROCESS', 0.1))


# --- seeding ----------------------------------------------------------------
def _tables():
    from masakari.db import models
    return (models.FailoverSegment.__table__, models.Host.__table__,
            models.Notification.__table__)


def _pick(rng, weighted):
    roll, total = rng.random(), 0.0
    for value, weight in weighted:
        total += weight
        if roll < total:
            return value
    return weighted[-1][0]


def _payload(rng, kind):
    if kind == 'COMPUTE_HOST':
        return {'event': 'STOPPED', 'host_status': 'NORMAL',
                'cluster_status': 'OFFLINE'}
    if kind == 'VM':
        return {'instance_uuid': str(uuid.UUID(int=rng.getrandbits(128))),
                'vir_domain_event': 'STOPPED_FAILED', 'event': 'LIFECYCLE'}
    return {'process_name': 'nova-compute', 'event': 'STOPPED'}


class Seeder:
    """Bulk rows with SQLAlchemy Core; deterministic for a given seed."""

    def __init__(self, db_url, seed=42):
        self.engine = sa.create_engine(db_url)
        self.rng = random.Random(seed)
        self.segments, self.hosts, self.notifications = _tables()
        self.host_rows = []
        self.notification_ids = []

    def topology(self):
        now = datetime.datetime.utcnow().replace(microsecond=0)
        segment_rows = [{
            'uuid': str(uuid.UUID(int=self.rng.getrandbits(128))),
            'name': 'bench-segment-%03d' % i, 'service_type': 'COMPUTE',
            'enabled': True, 'recovery_method': 'auto', 'created_at': now,
            'deleted': 0} for i in range(SEGMENTS)]
        per_segment = HOSTS // SEGMENTS
        self.host_rows = [{
            'uuid': str(uuid.UUID(int=self.rng.getrandbits(128))),
            'name': 'bench-host-%05d' % i, 'reserved': False,
            'type': 'COMPUTE', 'control_attributes': 'benchmark',
            'on_maintenance': False,
            'failover_segment_id': segment_rows[i // per_segment]['uuid'],
            'created_at': now, 'deleted': 0} for i in range(HOSTS)]
        with self.engine.begin() as conn:
            conn.execute(self.segments.insert(), segment_rows)
            conn.execute(self.hosts.insert(), self.host_rows)
        self.segment_ids = [row['uuid'] for row in segment_rows]

    def grow_to(self, total, chunk=10000):
        """Add notifications until the table holds ``total``; seconds."""
        started = time.monotonic()
        now = datetime.datetime.utcnow().replace(microsecond=0)
        while len(self.notification_ids) < total:
            rows = []
            for _ in range(min(chunk, total - len(self.notification_ids))):
                host = self.rng.choice(self.host_rows)
                kind = _pick(self.rng, TYPES)
                # The last 90 days, all outside the duplicate window.
                generated = now - datetime.timedelta(
                    seconds=self.rng.randint(3600, 90 * 86400))
                status = _pick(self.rng, STATUSES)
                rows.append({
                    'notification_uuid': str(uuid.UUID(
                        int=self.rng.getrandbits(128))),
                    'generated_time': generated, 'type': kind,
                    'payload': json.dumps(_payload(self.rng, kind)),
                    'status': status,
                    'source_host_uuid': host['uuid'],
                    'failover_segment_uuid': host['failover_segment_id'],
                    'message': 'Seeded by the benchmark (%s).' % status,
                    'created_at': generated + datetime.timedelta(seconds=1),
                    'updated_at': generated + datetime.timedelta(seconds=30),
                    'deleted': 0})
            with self.engine.begin() as conn:
                conn.execute(self.notifications.insert(), rows)
            self.notification_ids.extend(r['notification_uuid']
                                         for r in rows)
        self.analyze()
        return time.monotonic() - started

    def analyze(self):
        """Statistics, as autovacuum would have gathered by now."""
        if self.engine.dialect.name != 'postgresql':
            return
        with self.engine.connect().execution_options(
                isolation_level='AUTOCOMMIT') as conn:
            conn.exec_driver_sql('ANALYZE')

    def delete_since(self, when):
        """Remove what the benchmark created (generated after ``when``)."""
        with self.engine.begin() as conn:
            conn.execute(self.notifications.delete().where(
                self.notifications.c.generated_time >= when))

    def count(self):
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(
                self.notifications)).scalar()


# --- the requests ---------------------------------------------------------
class Workload:
    """Request lists for each operation, from the seeded data."""

    def __init__(self, seeder, rng):
        self.seeder = seeder
        self.rng = rng
        self._next_host = 0
        self._created = []

    def _host(self):
        host = self.seeder.host_rows[self._next_host % HOSTS]
        self._next_host += 1
        return host

    def _create_body(self, host, cluster_status='OFFLINE'):
        return json.dumps({'notification': {
            'type': 'COMPUTE_HOST', 'hostname': host['name'],
            'generated_time': datetime.datetime.utcnow().isoformat(),
            'payload': {'event': 'STOPPED', 'host_status': 'NORMAL',
                        'cluster_status': cluster_status}}}).encode()

    def _some_id(self):
        return self.rng.choice(self.seeder.notification_ids)

    def requests(self, op, count):
        if op == 'create':
            # Duplicates are sent again of these: this batch only, since
            # the rows of earlier batches may have been deleted.
            self._created = []
        make = getattr(self, 'op_' + op)
        return [make() for _ in range(count)]

    def op_create(self):
        body = self._create_body(self._host())
        self._created.append(body)
        return load.Request('POST', '/v1/notifications', body, 202)

    def op_create_duplicate(self):
        # The same notification again, within the detection window.
        body = self.rng.choice(self._created)
        return load.Request('POST', '/v1/notifications', body, 409)

    def op_show(self):
        return load.Request('GET', '/v1/notifications/%s' % self._some_id())

    def op_list(self):
        return load.Request('GET', '/v1/notifications?limit=100')

    def op_list_page(self):
        return load.Request('GET', '/v1/notifications?limit=100&marker=%s'
                            % self._some_id())

    def op_list_host(self):
        host = self.rng.choice(self.seeder.host_rows)
        return load.Request('GET', '/v1/notifications?limit=100&'
                                   'source_host_uuid=%s' % host['uuid'])

    def op_list_status(self):
        return load.Request('GET', '/v1/notifications?limit=100&'
                                   'status=finished')

    def op_hosts(self):
        return load.Request('GET', '/v1/segments/%s/hosts?limit=100'
                            % self.rng.choice(self.seeder.segment_ids))


READ_OPS = ('show', 'list', 'list_page', 'list_host', 'list_status',
            'hosts')
# Creates last: their rows are deleted again after each table size.
WRITE_OPS = ('create', 'create_duplicate')
DESCRIPTIONS = {
    'show': 'GET /notifications/{id}',
    'list': 'GET /notifications?limit=100',
    'list_page': 'GET /notifications?limit=100&marker={random id}',
    'list_host': 'GET /notifications?limit=100&source_host_uuid={host}',
    'list_status': 'GET /notifications?limit=100&status=finished',
    'hosts': 'GET /segments/{id}/hosts?limit=100',
    'create': 'POST /notifications (new: duplicate check, insert)',
    'create_duplicate': 'POST /notifications (duplicate: 409)',
}


def measure_serial(api_url, workload, ops, count, token=None):
    """One client, the requests of ``ops`` shuffled together: a burst of
    load from elsewhere on the machine then hits every operation alike.
    Returns {op: summary}."""
    requests_, labels = [], []
    for op in ops:
        batch = workload.requests(op, count)
        requests_ += batch
        labels += [op] * len(batch)
    order = list(range(len(requests_)))
    workload.rng.shuffle(order)
    requests_ = [requests_[i] for i in order]
    labels = [labels[i] for i in order]
    result = load.run(api_url, requests_, 1, token)
    return {op: load.summary(part) for op, part in load.split(
        result, requests_, labels).items()}


def measure_concurrent(api_url, workload, op, count, concurrency,
                       token=None):
    return load.summary(load.run(api_url, workload.requests(op, count),
                                 concurrency, token))


# --- plans -----------------------------------------------------------------
def explain_requests(db_url, seeder):
    """EXPLAIN the SQL of one request of each kind, run in-process on the
    seeded database; {op: [(statement head, plan summary)]}."""
    import webob

    from masakari.api import app as api_app
    from masakari.conf import CONF
    from masakari.db import api as db_api
    from masakari import rpc

    CONF([], project='masakari', default_config_files=[])
    CONF.set_override('connection', db_url, 'database')
    CONF.set_override('transport_url', 'fake://')
    CONF.set_override('auth_strategy', 'noauth2')
    db_api.dispose()
    app = api_app.build_app()
    engine = db_api.get_engine()
    captured = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    workload = Workload(seeder, random.Random(7))
    plans = {}
    sa.event.listen(engine, 'before_cursor_execute', capture)
    try:
        for op in ('show', 'list', 'list_page', 'list_host', 'list_status',
                   'hosts', 'create'):
            req_spec = workload.requests(op, 1)[0]
            captured.clear()
            req = webob.Request.blank(req_spec.path, method=req_spec.method)
            if req_spec.body:
                req.content_type = 'application/json'
                req.body = req_spec.body
            req.get_response(app)
            statements = [
                (s, p) for s, p in captured
                if s.lstrip().upper().startswith(('SELECT', 'UPDATE'))
                and s.strip() != 'SELECT 1']
            plans[op] = [_explain(engine, s, p) for s, p in statements]
    finally:
        sa.event.remove(engine, 'before_cursor_execute', capture)
        seeder.delete_since(datetime.datetime.utcnow() -
                            datetime.timedelta(minutes=5))
        db_api.dispose()
        rpc.cleanup()
        CONF.reset()
    return plans


def _plan_nodes(node):
    yield node
    for child in node.get('Plans', ()):
        yield from _plan_nodes(child)


def _explain(engine, statement, parameters):
    reads = statement.lstrip().upper().startswith('SELECT')
    head = ' '.join(statement.split())
    where = head.upper().find(' WHERE ')
    head = head[:60] + (' ...' + head[where:where + 100] if where > 0 else '')
    with engine.connect() as conn:
        if engine.dialect.name != 'postgresql':
            rows = conn.exec_driver_sql('EXPLAIN QUERY PLAN ' + statement,
                                        parameters).fetchall()
            return {'sql': head, 'plan': [r[-1] for r in rows]}
        options = '(ANALYZE, FORMAT JSON)' if reads else '(FORMAT JSON)'
        result = conn.exec_driver_sql('EXPLAIN %s %s' % (options, statement),
                                      parameters).scalar()
        conn.rollback()
    top = result[0]
    nodes = ['%s%s%s' % (n['Node Type'],
                         ' on %s' % n['Relation Name']
                         if n.get('Relation Name') else '',
                         ' using %s' % n['Index Name']
                         if n.get('Index Name') else '')
             for n in _plan_nodes(top['Plan'])]
    return {'sql': head, 'plan': nodes,
            'rows': top['Plan'].get('Actual Rows'),
            # Rows read and thrown away: work that grows with the table.
            'filtered': sum(n.get('Rows Removed by Filter', 0)
                            for n in _plan_nodes(top['Plan'])),
            'ms': top.get('Execution Time')}


# --- the run ---------------------------------------------------------------
def masakari_conf(db_url, transport):
    return {'DEFAULT': {'transport_url': transport,
                        'control_exchange': 'masakari_bench_api',
                        'auth_strategy': 'noauth2',
                        'use_stderr': 'false'},
            'database': {'connection': db_url}}


def run(args, out=sys.stdout):
    sizes = args.sizes or (QUICK_SIZES if args.quick else FULL_SIZES)
    serial = args.serial or (30 if args.quick else 100)
    concurrent = args.requests or (150 if args.quick else 600)
    results = {'sizes': [], 'concurrency': args.concurrency,
               'serial_requests': serial, 'concurrent_requests': concurrent,
               'workers': args.workers, 'descriptions': DESCRIPTIONS}
    with contextlib.ExitStack() as stack:
        run_dir = tempfile.mkdtemp(prefix='masakari-bench-api-')
        stack.callback(shutil.rmtree, run_dir, True)
        api = None
        if args.api_url:
            db_url, api_url = args.database_url, args.api_url.rstrip('/')
        else:
            db_url, drop, backend = services.create_database(run_dir)
            stack.callback(drop)
            services.migrate(db_url)
            transport = 'fake://'
            if not args.no_rabbit:
                with contextlib.suppress(FileNotFoundError, RuntimeError):
                    rabbit = services.Rabbit(run_dir)
                    stack.callback(rabbit.stop)
                    transport = rabbit.url
            api = services.Gunicorn(run_dir, masakari_conf(db_url, transport),
                                    workers=args.workers)
            stack.callback(api.stop)
            api_url = api.url
            results['stack'] = {'db': backend,
                                'transport': transport.split(':')[0],
                                'run_dir': run_dir}
        seeder = Seeder(db_url)
        stack.callback(seeder.engine.dispose)
        started = time.monotonic()
        seeder.topology()
        results['topology_seconds'] = time.monotonic() - started
        rss = {}
        if api is not None:
            rss['started'] = max(api.worker_rss().values())
        workload = Workload(seeder, random.Random(1))
        for size in sizes:
            seconds = seeder.grow_to(size)
            out.write('%d notifications (+%.1fs to seed)\n' % (size, seconds))
            # Warm every worker up (imports, app, connections).
            load.run(api_url, workload.requests('list', 40), args.workers,
                     args.token)
            if api is not None and 'idle' not in rss:
                rss['idle'] = max(api.worker_rss().values())
            sampler = None
            if api is not None:
                sampler = _WorkerRss(api)
                sampler.start()
            level_start = datetime.datetime.utcnow() - datetime.timedelta(
                seconds=5)
            entry = {'notifications': seeder.count(), 'ops': []}
            # Reads mixed in one serial run; the duplicates need the
            # creates stored first.
            single = measure_serial(api_url, workload, READ_OPS, serial,
                                    args.token)
            for op in WRITE_OPS:
                single.update(measure_serial(api_url, workload, [op], serial,
                                             args.token))
            for op in READ_OPS + WRITE_OPS:
                result = {'op': op, 'serial': single[op],
                          'concurrent': measure_concurrent(
                              api_url, workload, op, concurrent,
                              args.concurrency, args.token)}
                entry['ops'].append(result)
                out.write('  %-16s %s\n'
                          % (op, _line(result, args.concurrency)))
                out.flush()
            seeder.delete_since(level_start)
            seeder.analyze()
            if sampler is not None:
                entry['worker_rss_peak'] = sampler.stop()
            results['sizes'].append(entry)
        if api is not None:
            # Bytes, of the largest worker.
            rss['peak'] = max(e.get('worker_rss_peak', 0)
                              for e in results['sizes'])
            results['worker_rss'] = rss
        if not args.no_explain and db_url:
            results['plans'] = explain_requests(db_url, seeder)
    return results


class _WorkerRss:
    """Largest RSS of one gunicorn worker while the load runs."""

    def __init__(self, api):
        import threading

        self.api = api
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self._thread.start()

    def _run(self):
        while not self._stop.wait(0.25):
            self._sample()

    def _sample(self):
        values = self.api.worker_rss().values()
        if values:
            self.peak = max(self.peak, max(values))

    def stop(self):
        self._stop.set()
        self._thread.join()
        self._sample()
        return self.peak


def _line(result, concurrency):
    s, c = result['serial'], result['concurrent']
    return ('1 client p50 %6.1fms p99 %6.1fms | %d clients p50 %6.1fms '
            'p99 %6.1fms %6.0f req/s%s' % (
                s['p50_ms'], s['p99_ms'], concurrency, c['p50_ms'],
                c['p99_ms'],
                c['rps'], '  ERRORS %d %s' % (s['errors'] + c['errors'],
                                              (s['error_samples'] or
                                               c['error_samples'])[:1])
                if s['errors'] or c['errors'] else ''))


def parser():
    p = argparse.ArgumentParser(prog='python -m benchmarks.api_load',
                                description=__doc__.splitlines()[0])
    p.add_argument('--api-url', help='a running API (default: start one)')
    p.add_argument('--database-url',
                   help='with --api-url: the database that API uses')
    p.add_argument('--token', help='X-Auth-Token for the API (Keystone)')
    p.add_argument('--sizes', type=lambda s: [int(x) for x in s.split(',')],
                   help='notification table sizes (default %s)'
                        % ','.join(map(str, FULL_SIZES)))
    p.add_argument('--workers', type=int, default=4,
                   help='gunicorn workers (default 4)')
    p.add_argument('--concurrency', type=int, default=8,
                   help='clients of the throughput runs (default 8)')
    p.add_argument('--serial', type=int,
                   help='requests per operation, one client (default 100)')
    p.add_argument('--requests', type=int,
                   help='requests per operation, concurrent (default 600)')
    p.add_argument('--no-rabbit', action='store_true',
                   help='fake:// transport instead of a RabbitMQ broker')
    p.add_argument('--no-explain', action='store_true')
    p.add_argument('--quick', action='store_true', help='a short run')
    p.add_argument('--json', help='write the results there')
    return p


def main(argv=None):
    args = cli.parse_args(parser(), argv, 'database_url')
    cli.write_json(args.json, run(args))
    return 0


if __name__ == '__main__':
    sys.exit(main())
