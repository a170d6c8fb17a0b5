"""SQL cost of API requests: a constant number of queries, and indexes.

Every request goes to the in-process API app (the real paste pipeline,
``noauth2``) while a ``before_cursor_execute`` listener records each SQL
statement. A list request must cost the same number of queries whatever the
number of rows and the page size (no query per row: N+1), and so must show
and create. The statements a request ran are then EXPLAINed on the same
database: the duplicate check of a new notification and the notification
list filters must be served by an index, never by a full table scan
(SQLite's ``EXPLAIN QUERY PLAN``; PostgreSQL's ``EXPLAIN`` with sequential
scans disabled, so a tiny table still shows whether an index *can* serve
the query).
"""

import contextlib
import datetime
import json
import re
import uuid

import pytest
import sqlalchemy as sa
import webob

from masakari.api import app as api_app
from masakari.db import api as db_api
from masakari.db import models
from masakari.tests.functional.api import fixtures as api_fixtures

BACKENDS = ('sqlite', 'postgresql')
# Not queries of the request: oslo.db's ping of a connection it checks out,
# and transaction control (oslo.db sends BEGIN itself on SQLite).
_NOT_QUERIES = re.compile(
    r'^\s*(SELECT 1|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b',
    re.IGNORECASE)


class Recorder:
    """Statements sent to the database while ``recording()`` is active."""

    def __init__(self):
        self.statements = []
        self._active = False

    def __call__(self, conn, cursor, statement, parameters, context,
                 executemany):
        if self._active and not _NOT_QUERIES.match(statement):
            self.statements.append((statement, parameters))

    @contextlib.contextmanager
    def recording(self):
        self.statements = []
        self._active = True
        try:
            yield self
        finally:
            self._active = False

    def count(self):
        return len(self.statements)

    def matching(self, *needles):
        return [(sql, params) for sql, params in self.statements
                if all(n.lower() in sql.lower() for n in needles)]


@pytest.fixture
def recorder(database):
    engine = db_api.get_engine()
    rec = Recorder()
    sa.event.listen(engine, 'before_cursor_execute', rec)
    yield rec
    sa.event.remove(engine, 'before_cursor_execute', rec)


@pytest.fixture
def app(database):
    engine = api_fixtures.EngineRecorder()
    yield api_app.build_app()
    engine.stop()


def call(app, method, path, body=None):
    req = webob.Request.blank('/v1' + path, method=method)
    if body is not None:
        req.content_type = 'application/json'
        req.body = json.dumps(body).encode()
    resp = req.get_response(app)
    assert resp.status_int < 400, (method, path, resp.status, resp.text)
    return resp.json


def queries(recorder, app, method, path, body=None):
    with recorder.recording():
        call(app, method, path, body)
    return recorder.count()


# --- data ----------------------------------------------------------------
_NOW = datetime.datetime(2024, 5, 1, 12, 0, 0)


def add_segments(count):
    engine = db_api.get_engine()
    rows = [{'uuid': str(uuid.uuid4()), 'name': 'seg-%s' % uuid.uuid4().hex,
             'service_type': 'COMPUTE', 'enabled': True,
             'recovery_method': 'auto', 'created_at': _NOW, 'deleted': 0}
            for _ in range(count)]
    with engine.begin() as conn:
        conn.execute(models.FailoverSegment.__table__.insert(), rows)
    return [row['uuid'] for row in rows]


def add_hosts(segment_uuid, count):
    engine = db_api.get_engine()
    rows = [{'uuid': str(uuid.uuid4()), 'name': 'host-%s' % uuid.uuid4().hex,
             'reserved': False, 'type': 'COMPUTE',
             'control_attributes': 'x', 'on_maintenance': False,
             'failover_segment_id': segment_uuid, 'created_at': _NOW,
             'deleted': 0} for _ in range(count)]
    with engine.begin() as conn:
        conn.execute(models.Host.__table__.insert(), rows)
    return rows


def add_notifications(host, count, status='finished', generated=None):
    engine = db_api.get_engine()
    rows = []
    for index in range(count):
        when = generated or _NOW - datetime.timedelta(minutes=index)
        rows.append({
            'notification_uuid': str(uuid.uuid4()), 'generated_time': when,
            'type': 'COMPUTE_HOST', 'status': status,
            'payload': json.dumps({'event': 'STOPPED', 'host_status':
                                   'NORMAL', 'n': str(index)}),
            'source_host_uuid': host['uuid'],
            'failover_segment_uuid': host['failover_segment_id'],
            'created_at': when, 'deleted': 0})
    with engine.begin() as conn:
        conn.execute(models.Notification.__table__.insert(), rows)
    return [row['notification_uuid'] for row in rows]


def new_notification(host, generated, cluster_status='OFFLINE'):
    return {'notification': {
        'type': 'COMPUTE_HOST', 'hostname': host['name'],
        'generated_time': generated.isoformat(),
        'payload': {'event': 'STOPPED', 'host_status': 'NORMAL',
                    'cluster_status': cluster_status}}}


@pytest.fixture
def cloud(database):
    """One segment with a host, and a few notifications of that host."""
    segment = add_segments(1)[0]
    host = add_hosts(segment, 1)[0]
    ids = add_notifications(host, 3)
    return {'segment': segment, 'host': host, 'notifications': ids}


# --- a constant number of queries ----------------------------------------
LIST_PATHS = (
    '/segments?limit=%(limit)d',
    '/segments?limit=%(limit)d&sort_key=name&sort_dir=asc',
    '/segments/%(segment)s/hosts?limit=%(limit)d',
    '/segments/%(segment)s/hosts?limit=%(limit)d&marker=%(host)s',
    '/notifications?limit=%(limit)d',
    '/notifications?limit=%(limit)d&marker=%(notification)s',
    '/notifications?limit=%(limit)d&status=finished',
    '/notifications?limit=%(limit)d&source_host_uuid=%(host)s',
    '/notifications?limit=%(limit)d&type=COMPUTE_HOST'
    '&generated-since=2000-01-01T00:00:00',
)


def _list_costs(recorder, app, cloud, limit):
    values = {'limit': limit, 'segment': cloud['segment'],
              'host': cloud['host']['uuid'],
              'notification': cloud['notifications'][0]}
    return {path: queries(recorder, app, 'GET', path % values)
            for path in LIST_PATHS}


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_list_queries_do_not_grow_with_rows_or_page_size(recorder, app,
                                                         cloud):
    small = _list_costs(recorder, app, cloud, limit=2)
    # Thirty times the rows, and pages of 50 instead of 2.
    add_segments(60)
    add_hosts(cloud['segment'], 60)
    add_notifications(cloud['host'], 90)
    large = _list_costs(recorder, app, cloud, limit=50)
    assert large == small
    for path, count in small.items():
        # The SELECT, the marker row when there is a marker, the segment
        # of a host list.
        assert 1 <= count <= 3, (path, count)


def _hosts_body(app, segment):
    return call(app, 'GET', '/segments/%s/hosts?limit=100' % segment)


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_list_rows_carry_their_relations_without_extra_queries(
        recorder, app, cloud):
    """Hosts show their segment (a joined relation): loading 60 of them
    must not cost a query per host."""
    add_hosts(cloud['segment'], 60)
    with recorder.recording():
        body = _hosts_body(app, cloud['segment'])
    assert len(body['hosts']) == 61
    assert all(h['failover_segment']['uuid'] == cloud['segment']
               for h in body['hosts'])
    # The segment of the URL, then the hosts with their segment joined.
    assert recorder.count() == 2, recorder.statements
    assert len(recorder.matching('FROM hosts')) == 1


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_show_queries_are_constant(recorder, app, cloud):
    host = cloud['host']
    paths = ('/segments/%s' % cloud['segment'],
             '/segments/%s/hosts/%s' % (cloud['segment'], host['uuid']),
             '/notifications/%s' % cloud['notifications'][0])
    before = {path: queries(recorder, app, 'GET', path) for path in paths}
    add_notifications(host, 50)
    add_hosts(cloud['segment'], 50)
    after = {path: queries(recorder, app, 'GET', path) for path in paths}
    assert after == before
    for path, count in before.items():
        assert count <= 2, (path, count)


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_create_notification_queries_do_not_grow_with_candidates(
        recorder, app, cloud):
    """The duplicate check reads the candidates in one query, however many
    notifications of the host fall inside the detection window."""
    host = cloud['host']
    now = datetime.datetime.utcnow().replace(microsecond=0)
    first = queries(recorder, app, 'POST', '/notifications',
                    new_notification(host, now))
    # Forty notifications of the same host and type, all in the window
    # (other payloads, so none is a duplicate of the next one).
    add_notifications(host, 40, status='new', generated=now)
    second = queries(recorder, app, 'POST', '/notifications',
                     new_notification(host, now + datetime.timedelta(
                         seconds=1), cluster_status='ONLINE'))
    assert second == first
    # Host lookup, host row lock (two statements: a change and its undo,
    # which Galera certifies), duplicate check, insert.
    assert first <= 6, recorder.statements


# --- indexes, not full scans -----------------------------------------------
def _explain_sqlite(conn, statement, parameters):
    rows = conn.exec_driver_sql('EXPLAIN QUERY PLAN ' + statement,
                                parameters).fetchall()
    return [row[-1] for row in rows]


def _plan_nodes(node):
    yield node
    for child in node.get('Plans', ()):
        yield from _plan_nodes(child)


def _explain_postgresql(conn, statement, parameters):
    conn.exec_driver_sql('SET enable_seqscan = off')
    try:
        result = conn.exec_driver_sql('EXPLAIN (FORMAT JSON) ' + statement,
                                      parameters).scalar()
    finally:
        conn.exec_driver_sql('RESET enable_seqscan')
    plan = result[0]['Plan'] if isinstance(result, list) else json.loads(
        result)[0]['Plan']
    return ['%s on %s%s' % (node['Node Type'], node.get('Relation Name'),
                            ' using %s' % node['Index Name']
                            if node.get('Index Name') else '')
            for node in _plan_nodes(plan) if node.get('Relation Name')]


def explain(statement, parameters):
    """One line per table access: how the database reads each table."""
    engine = db_api.get_engine()
    with engine.connect() as conn:
        if engine.dialect.name == 'sqlite':
            return _explain_sqlite(conn, statement, parameters)
        return _explain_postgresql(conn, statement, parameters)


def full_scans(plan, table):
    """Accesses of ``table`` that read every row."""
    bad = []
    for line in plan:
        if table not in line:
            continue
        if line.startswith('Seq Scan'):  # PostgreSQL
            bad.append(line)
        elif line.startswith('SCAN ') and 'USING' not in line:  # SQLite
            bad.append(line)
    return bad


def only_statement(recorder, *needles):
    found = recorder.matching(*needles)
    assert len(found) == 1, (needles, recorder.statements)
    return found[0]


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_duplicate_check_uses_indexes(recorder, app, cloud):
    host = cloud['host']
    with recorder.recording():
        call(app, 'POST', '/notifications', new_notification(
            host, datetime.datetime.utcnow().replace(microsecond=0)))
    # The host row lock is two UPDATEs (a change and its undo).
    checks = [(recorder.matching('FROM notifications', 'generated_time'), 1),
              (recorder.matching('UPDATE hosts'), 2),
              (recorder.matching('FROM hosts', 'name'), 1)]
    for found, count in checks:
        assert len(found) == count, recorder.statements
        for statement, parameters in found:
            plan = explain(statement, parameters)
            assert plan, statement
            for table in ('notifications', 'hosts'):
                assert not full_scans(plan, table), (statement, plan)
    plan = explain(*checks[0][0][0])
    assert any('notifications_duplicate_check_idx' in line for line in plan)


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
@pytest.mark.parametrize('query', [
    'status=new', 'source_host_uuid=%(host)s', 'type=VM',
    'generated-since=2024-04-30T00:00:00', 'marker=%(notification)s', ''])
def test_notification_list_filters_use_indexes(recorder, app, cloud, query):
    add_notifications(cloud['host'], 20)
    path = '/notifications?limit=10&' + query % {
        'host': cloud['host']['uuid'],
        'notification': cloud['notifications'][1]}
    with recorder.recording():
        call(app, 'GET', path)
    for statement, parameters in recorder.matching('FROM notifications'):
        plan = explain(statement, parameters)
        assert not full_scans(plan, 'notifications'), (path, plan)


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_host_list_of_a_segment_uses_indexes(recorder, app, cloud):
    add_hosts(cloud['segment'], 20)
    with recorder.recording():
        _hosts_body(app, cloud['segment'])
    statement, parameters = only_statement(recorder, 'FROM hosts')
    plan = explain(statement, parameters)
    assert not full_scans(plan, 'hosts'), plan


@pytest.mark.parametrize('backend', BACKENDS, indirect=True)
def test_marker_page_starts_at_the_marker(recorder, app, cloud):
    """A page deep in the list costs what the first page costs."""
    ids = add_notifications(cloud['host'], 2000)
    marker = ids[1000]  # in the middle of the list
    with recorder.recording():
        call(app, 'GET', '/notifications?limit=10&marker=%s' % marker)
    statement, parameters = recorder.matching('FROM notifications',
                                              'ORDER BY')[0]
    engine = db_api.get_engine()
    with engine.connect() as conn:
        if engine.dialect.name == 'sqlite':
            plan = _explain_sqlite(conn, statement, parameters)
            # "SEARCH ... (created_at<?)", not "SCAN ... USING INDEX".
            assert any(line.startswith('SEARCH notifications') and
                       'created_at<' in line for line in plan), plan
            return
        conn.exec_driver_sql('ANALYZE notifications')
        result = conn.exec_driver_sql('EXPLAIN (ANALYZE, FORMAT JSON) ' +
                                      statement, parameters).scalar()
    # Rows the scans of the table produced or filtered out: about a
    # page, not the thousand rows newer (or older) than the marker.
    read = sum(node.get('Actual Rows', 0) + node.get(
        'Rows Removed by Filter', 0) for node in _plan_nodes(
            result[0]['Plan']) if node.get('Relation Name') == 'notifications')
    assert read < 100, result
