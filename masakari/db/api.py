"""Every database query masakari makes; the only module that opens sessions.

Functions return detached model objects (sessions are created with
``expire_on_commit=False``) and raise ``masakari.exception`` errors for
what a query alone can tell: a row not found, a name taken, a bad marker or
sort key. The business rules live in ``masakari.ha``; this module keeps only
the part of a rule that must be atomic, as a guarded write that returns a
``Refused`` member instead of writing:

* a segment or host is updated or deleted *unless under recovery* (a
  notification of one of the segment's hosts is new, running or error),
  checked in the transaction that writes;
* a notification is inserted *unless an equal one is stored* (same host,
  type and payload, generated within the window before it), looked up
  under a lock of the host's row in the transaction that inserts.

``masakari.ha`` turns a refusal into the error the API maps (409
FailoverSegmentInUse, HostInUse, DuplicateNotification).

Engine ownership of running notifications (``engine_host`` and
``lease_expires_at``): every claim, renewal, take-over and release is one
conditional UPDATE, and every lease time comes from the database's clock
(UTC), so engines on hosts whose clocks disagree still agree on when a
lease has expired.

On a multi-writer Galera cluster two transactions on different nodes may
both write the same row; the one certified second is refused at commit
(deadlock 1213: ``DBDeadlock``) and rolled back whole. Every write here is
therefore run again when refused (``_retry_write``): the conditions of a
conditional UPDATE are then evaluated against the winner's row. Reads are
also run again when their connection was lost mid-query (a node went
away: the next connection goes to another).
"""

import contextlib
import datetime
import enum
import json
import sqlite3
import threading

from oslo_db import api as oslo_db_api
from oslo_db import exception as db_exc
from oslo_db.sqlalchemy import enginefacade
from oslo_db.sqlalchemy import utils as sqlalchemyutils
from oslo_utils import timeutils
from oslo_utils import uuidutils
import sqlalchemy as sa
from sqlalchemy.ext import compiler as sa_compiler
from sqlalchemy.sql import functions as sa_functions

from masakari.conf import CONF
from masakari.db import models
from masakari import exception

# The database is down or unreachable. oslo.db translates most of these to
# DBConnectionError; some drivers' messages (e.g. a refused PostgreSQL
# connection) stay a plain OperationalError.
UNAVAILABLE_ERRORS = (db_exc.DBConnectionError,
                      db_exc.DBNonExistentDatabase,
                      sa.exc.OperationalError)

ACTIVE_NOTIFICATION_STATUSES = ('new', 'running', 'error')
FINAL_NOTIFICATION_STATUSES = ('finished', 'failed', 'ignored')



class Refused(enum.Enum):
    """What a guarded write returns when it wrote nothing."""

    UNDER_RECOVERY = 'the segment is under recovery'
    DUPLICATE = 'an equal notification is stored'


# Tries after the first of a transaction refused at commit, and of a read
# whose connection was lost; the waits double from RETRY_INTERVAL (with
# jitter after a refusal) up to RETRY_MAX_INTERVAL seconds.
WRITE_RETRIES = 6
READ_RETRIES = 3
RETRY_INTERVAL = 0.05
RETRY_MAX_INTERVAL = 1.0


def _retry_write(on_disconnect=False):
    """Run a write transaction again when it was refused at commit.

    ``on_disconnect``: also when the connection was lost, for a write that
    finds out itself whether an earlier try was committed
    (``notification_create``): a lost connection leaves that unknown.
    """
    return oslo_db_api.wrap_db_retry(
        max_retries=WRITE_RETRIES, retry_interval=RETRY_INTERVAL,
        max_retry_interval=RETRY_MAX_INTERVAL, retry_on_deadlock=True,
        retry_on_disconnect=on_disconnect)


_retry_read = oslo_db_api.wrap_db_retry(
    max_retries=READ_RETRIES, retry_interval=RETRY_INTERVAL,
    max_retry_interval=RETRY_MAX_INTERVAL, retry_on_deadlock=True,
    retry_on_disconnect=True)

_LOCK = threading.Lock()
# One SQLite write transaction of this process at a time (see _writer).
_SQLITE_WRITERS = threading.RLock()
_CONTEXT_MANAGER = None


@sa.event.listens_for(sa.engine.Engine, 'connect')
def _sqlite_concurrency(dbapi_connection, connection_record):
    """Let API, engine and taskflow threads share one SQLite file.

    In WAL mode readers never block the writer, and a writer waits for
    another instead of failing with "database is locked" at once. The
    listener is global so taskflow's own engine gets the same settings.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute('PRAGMA journal_mode=WAL')
        cursor.execute('PRAGMA busy_timeout=30000')
        cursor.close()


@enginefacade.transaction_context_provider
class _DBContext:
    """Carries one enginefacade transaction; callers never see it."""


def get_context_manager():
    """The process-wide transaction factory, built from ``[database]``."""
    global _CONTEXT_MANAGER
    with _LOCK:
        if _CONTEXT_MANAGER is None:
            manager = enginefacade.transaction_context()
            manager.configure(**_database_options())
            _CONTEXT_MANAGER = manager
        return _CONTEXT_MANAGER


def _database_options():
    options = dict(CONF.database.items())
    # Options of oslo.db that enginefacade does not take as arguments.
    for name in ('backend', 'use_tpool', 'db_inc_retry_interval',
                 'db_max_retry_interval', 'db_max_retries',
                 'db_retry_interval',
                 'use_db_reconnect', 'mysql_enable_ndb', 'asyncio_connection',
                 'asyncio_slave_connection'):
        options.pop(name, None)
    options['expire_on_commit'] = False
    # oslo.db's sleep(0) at every connection check-in lets eventlet's
    # greenthreads run; masakari has none, and it cost 0.1 ms per request.
    options['thread_checkin'] = False
    return options


def get_engine():
    return get_context_manager().writer.get_engine()


def dispose():
    """Forget the engine, e.g. after ``[database] connection`` changed."""
    global _CONTEXT_MANAGER
    with _LOCK:
        if _CONTEXT_MANAGER is not None:
            try:
                _CONTEXT_MANAGER.writer.get_engine().dispose()
            except Exception:  # never started
                pass
        _CONTEXT_MANAGER = None


@contextlib.contextmanager
def _writer():
    """A write transaction; on SQLite it takes the write lock up front.

    oslo.db opens SQLite transactions with a deferred ``BEGIN``, so two
    transactions that read and then write would each hold a snapshot and
    one would fail at once with "database is locked" when upgrading. A
    write statement that matches nothing, run first, takes the lock while
    the transaction has read nothing, so the busy timeout applies instead.

    Writers of this process also queue on a lock first: SQLite's busy
    handler retries by sleeping, so with dozens of threads writing (a host
    recovery's evacuations) a waiter wakes late, and in a slowed-down
    process (seen under tracemalloc) one kept missing the lock until its
    30 s busy timeout ran out.
    """
    manager = get_context_manager()
    if manager.writer.get_engine().dialect.name != 'sqlite':
        with manager.writer.using(_DBContext()) as session:
            yield session
        return
    with _SQLITE_WRITERS, manager.writer.using(_DBContext()) as session:
        session.execute(sa.text('DELETE FROM failover_segments WHERE 0'))
        yield session


def _reader():
    return get_context_manager().reader.using(_DBContext())


def _execute_write(statement):
    """Run one write statement in a transaction of its own; its rowcount.

    For the writes a host recovery makes per instance: straight on an
    engine connection, without the ORM session and enginefacade context
    around it, which on PostgreSQL cost more CPU than the statement
    (measured 1.1 ms against 0.5 ms for a vmove update). oslo.db's error
    translation is the engine's, so ``_retry_write`` still sees deadlocks.
    """
    engine = get_engine()
    serialised = (_SQLITE_WRITERS if engine.dialect.name == 'sqlite'
                  else contextlib.nullcontext())
    with serialised, engine.begin() as connection:
        return connection.execute(statement).rowcount


def _live(model):
    return sa.select(model).where(model.deleted == 0)


def _soft_delete_values():
    return {'deleted': sa.literal_column('id'),
            'deleted_at': timeutils.utcnow().replace(microsecond=0)}


# --- lists ---
def _marker_row(session, model, marker):
    """A marker is the integer id openstacksdk sends, or the public uuid."""
    column = getattr(model, 'notification_uuid', None) or model.uuid
    query = _live(model)
    if isinstance(marker, int) or str(marker).isdigit():
        query = query.where(model.id == int(marker))
    elif uuidutils.is_uuid_like(marker):
        query = query.where(column == marker)
    else:
        raise exception.MarkerNotFound(marker=marker)
    row = session.scalars(query).first()
    if row is None:
        raise exception.MarkerNotFound(marker=marker)
    return row


def _paginate(session, model, query, limit, marker, sort_keys, sort_dirs):
    sort_keys = list(sort_keys or [])
    sort_dirs = list(sort_dirs or [])
    columns = set(model.__table__.columns.keys())
    for key in sort_keys:
        if key not in columns:
            raise exception.InvalidSortKey()
    # Rows equal on the requested keys come in a stable order, so pages
    # neither repeat nor skip a row; the tie-breakers take the first
    # direction (``desc`` when none is given).
    default_dir = sort_dirs[0] if sort_dirs else 'desc'
    for tie_breaker in ('created_at', 'id'):
        if tie_breaker not in sort_keys:
            sort_keys.append(tie_breaker)
    sort_dirs += [default_dir] * (len(sort_keys) - len(sort_dirs))
    marker_row = None
    if marker is not None:
        marker_row = _marker_row(session, model, marker)
        query = _start_at_marker(query, model, marker_row, sort_keys[0],
                                 sort_dirs[0])
    query = sqlalchemyutils.paginate_query(
        query, model, limit, sort_keys, marker=marker_row,
        sort_dirs=sort_dirs)
    return query.all()


def _start_at_marker(query, model, marker_row, key, direction):
    """A redundant bound on the first sort key that an index can seek to.

    paginate_query writes ``k < X OR (k = X AND id < Y)``, which no index
    can start from, so a deep page would read every row before it. Rows
    with a NULL key are excluded by that condition already.
    """
    value = getattr(marker_row, key)
    if value is None:
        return query
    column = getattr(model, key)
    return query.filter(column <= value if direction == 'desc'
                        else column >= value)


@_retry_read
def _list(model, filters, limit, marker, sort_keys, sort_dirs):
    with _reader() as session:
        query = session.query(model).filter(model.deleted == 0)
        for condition in filters:
            query = query.filter(condition)
        return _paginate(session, model, query, limit, marker, sort_keys,
                         sort_dirs)


# --- failover segments ---
def segment_get_all(filters=None, limit=None, marker=None, sort_keys=None,
                    sort_dirs=None):
    filters = filters or {}
    conditions = [getattr(models.FailoverSegment, key) == filters[key]
                  for key in ('recovery_method', 'service_type', 'enabled')
                  if key in filters]
    return _list(models.FailoverSegment, conditions, limit, marker,
                 sort_keys, sort_dirs)


@_retry_read
def segment_get_by_uuid(uuid):
    with _reader() as session:
        return _segment_get(session, uuid)


def _segment_get(session, uuid):
    segment = session.scalars(_live(models.FailoverSegment).where(
        models.FailoverSegment.uuid == uuid)).first()
    if segment is None:
        raise exception.FailoverSegmentNotFound(id=uuid)
    return segment


@_retry_write()
def segment_create(values):
    segment = models.FailoverSegment(uuid=uuidutils.generate_uuid(), **values)
    try:
        with _writer() as session:
            session.add(segment)
    except db_exc.DBDuplicateEntry:
        raise exception.FailoverSegmentExists(name=values['name'])
    return segment


@_retry_write()
def segment_update(uuid, values):
    """The updated segment, or ``Refused.UNDER_RECOVERY``."""
    try:
        with _writer() as session:
            segment = _segment_get(session, uuid)
            if _segment_under_recovery(session, uuid):
                return Refused.UNDER_RECOVERY
            for key, value in values.items():
                setattr(segment, key, value)
            session.flush()
    except db_exc.DBDuplicateEntry:
        raise exception.FailoverSegmentExists(name=values.get('name'))
    return segment


@_retry_write()
def segment_delete(uuid):
    """Soft-delete the segment and, in the same transaction, its hosts;
    returns None, or ``Refused.UNDER_RECOVERY`` having deleted nothing."""
    with _writer() as session:
        _segment_get(session, uuid)
        if _segment_under_recovery(session, uuid):
            return Refused.UNDER_RECOVERY
        session.execute(sa.update(models.Host).where(
            models.Host.failover_segment_id == uuid,
            models.Host.deleted == 0).values(**_soft_delete_values()))
        session.execute(sa.update(models.FailoverSegment).where(
            models.FailoverSegment.uuid == uuid,
            models.FailoverSegment.deleted == 0).values(
                **_soft_delete_values()))


def _segment_under_recovery(session, segment_uuid):
    """True while a notification from one of its hosts is new/running/error."""
    hosts = sa.select(models.Host.uuid).where(
        models.Host.failover_segment_id == segment_uuid,
        models.Host.deleted == 0)
    query = sa.select(models.Notification.id).where(
        models.Notification.deleted == 0,
        models.Notification.status.in_(ACTIVE_NOTIFICATION_STATUSES),
        models.Notification.source_host_uuid.in_(hosts)).limit(1)
    return session.execute(query).first() is not None


@_retry_read
def segment_under_recovery(segment_uuid):
    with _reader() as session:
        return _segment_under_recovery(session, segment_uuid)


# --- hosts ---
def host_get_all(filters=None, limit=None, marker=None, sort_keys=None,
                 sort_dirs=None):
    filters = filters or {}
    conditions = [getattr(models.Host, key) == filters[key]
                  for key in ('failover_segment_id', 'type', 'on_maintenance',
                              'reserved', 'name', 'control_attributes')
                  if key in filters]
    return _list(models.Host, conditions, limit, marker, sort_keys, sort_dirs)


def _host_get(session, uuid, segment_uuid=None):
    query = _live(models.Host).where(models.Host.uuid == uuid)
    if segment_uuid is not None:
        query = query.where(models.Host.failover_segment_id == segment_uuid)
    host = session.scalars(query).first()
    if host is None:
        if segment_uuid is not None:
            raise exception.HostNotFoundUnderFailoverSegment(
                host_uuid=uuid, segment_uuid=segment_uuid)
        raise exception.HostNotFound(id=uuid)
    return host


@_retry_read
def host_get_by_uuid(uuid, segment_uuid=None):
    with _reader() as session:
        return _host_get(session, uuid, segment_uuid)


@_retry_read
def host_get_by_name(name):
    with _reader() as session:
        host = session.scalars(_live(models.Host).where(
            models.Host.name == name)).first()
        if host is None:
            raise exception.HostNotFoundByName(host_name=name)
        return host


@_retry_write()
def host_create(values):
    host = models.Host(uuid=uuidutils.generate_uuid(), **values)
    try:
        with _writer() as session:
            _segment_get(session, values['failover_segment_id'])
            session.add(host)
            session.flush()
            session.refresh(host)
    except db_exc.DBDuplicateEntry:
        raise exception.HostExists(name=values['name'])
    return host


@_retry_write()
def host_update(uuid, values, segment_uuid=None, check_recovery=True):
    """The updated host, or ``Refused.UNDER_RECOVERY`` (only with
    ``check_recovery``, which the engine turns off: it is the one
    recovering)."""
    try:
        with _writer() as session:
            host = _host_get(session, uuid, segment_uuid)
            if check_recovery and _segment_under_recovery(
                    session, host.failover_segment_id):
                return Refused.UNDER_RECOVERY
            for key, value in values.items():
                setattr(host, key, value)
            session.flush()
    except db_exc.DBDuplicateEntry:
        raise exception.HostExists(name=values.get('name'))
    return host


@_retry_write()
def host_delete(uuid, segment_uuid=None):
    """None, or ``Refused.UNDER_RECOVERY`` having deleted nothing."""
    with _writer() as session:
        host = _host_get(session, uuid, segment_uuid)
        if _segment_under_recovery(session, host.failover_segment_id):
            return Refused.UNDER_RECOVERY
        session.execute(sa.update(models.Host).where(
            models.Host.id == host.id).values(**_soft_delete_values()))


def reserved_hosts_of_segment(segment_uuid):
    """Spare hosts for evacuation, in the default list order."""
    return host_get_all(filters={'failover_segment_id': segment_uuid,
                                 'reserved': True, 'on_maintenance': False})


# --- notifications ---
def notification_get_all(filters=None, limit=None, marker=None,
                         sort_keys=None, sort_dirs=None):
    filters = filters or {}
    model = models.Notification
    conditions = [getattr(model, key) == filters[key]
                  for key in ('source_host_uuid', 'type',
                              'failover_segment_uuid')
                  if key in filters]
    if 'status' in filters:
        statuses = filters['status']
        if isinstance(statuses, (list, tuple, set)):
            conditions.append(model.status.in_(statuses))
        else:
            conditions.append(model.status == statuses)
    if 'generated-since' in filters:
        conditions.append(model.generated_time >= filters['generated-since'])
    if 'held' in filters:
        conditions.append(_held() if filters['held'] else sa.not_(_held()))
    return _list(model, conditions, limit, marker, sort_keys, sort_dirs)


@_retry_read
def notification_counts():
    """``{(type, status): count}`` of the live notifications."""
    model = models.Notification
    with _reader() as session:
        rows = session.execute(
            sa.select(model.type, model.status, sa.func.count())
            .where(model.deleted == 0)
            .group_by(model.type, model.status)).all()
    return {(kind, status): count for kind, status, count in rows}


def _held():
    """Notifications whose automatic recovery waits for an operator."""
    return sa.and_(models.Notification.hold.is_not(None),
                   models.Notification.hold.in_(models.HOLDS))


@_retry_read
def notification_get_by_uuid(uuid):
    with _reader() as session:
        notification = session.scalars(_live(models.Notification).where(
            models.Notification.notification_uuid == uuid)).first()
        if notification is None:
            raise exception.NotificationNotFound(id=uuid)
        return notification


def notification_create(values, window_seconds):
    """Store a ``new`` notification; returns it, or ``Refused.DUPLICATE``
    when a live one of the same host and type with an equal payload was
    generated at most ``window_seconds`` before it (or later).

    The source host's row is locked first (``_lock_host_row``), so
    concurrent API workers receiving the same notification are serialised
    by the database and exactly one of them stores it.
    """
    return _notification_insert(uuidutils.generate_uuid(), values,
                                window_seconds)


@_retry_write(on_disconnect=True)
def _notification_insert(uuid, values, window_seconds):
    """``notification_create`` with the row's uuid chosen once: a try
    after a lost connection first looks for the row an earlier try may
    have committed, and returns it rather than refusing it as its own
    duplicate."""
    model = models.Notification
    payload = values['payload']
    window_start = values['generated_time'] - datetime.timedelta(
        seconds=window_seconds)
    with _writer() as session:
        _lock_host_row(session, values['source_host_uuid'])
        candidates = session.execute(sa.select(
            model.notification_uuid, model.payload).where(
            model.deleted == 0,
            model.source_host_uuid == values['source_host_uuid'],
            model.type == values['type'],
            model.generated_time >= window_start)).all()
        if uuid in {row.notification_uuid for row in candidates}:
            # An earlier try of this call committed it.
            return session.scalars(sa.select(model).where(
                model.notification_uuid == uuid)).one()
        if any(_load_payload(row.payload) == payload
               for row in candidates):
            return Refused.DUPLICATE
        notification = model(notification_uuid=uuid, status='new',
                             **dict(values, payload=json.dumps(payload)))
        session.add(notification)
    return notification


def _lock_host_row(session, host_uuid):
    """Write-lock the live host row ``host_uuid`` for this transaction.

    The row is changed and changed back (``deleted`` to ``-id`` and to 0
    again: no other row can hold that pair of name and ``deleted``), not
    merely UPDATEd to itself: an UPDATE that changes nothing locks the row
    on PostgreSQL and on one MariaDB server, but Galera only certifies rows
    that changed, so two nodes would each let their transaction through
    and a duplicate notification be stored twice. With a real change, the
    transaction of the node certified second is refused at commit, and
    run again it sees the first one's row.
    """
    host = models.Host
    # updated_at named, or its onupdate would change it.
    session.execute(sa.update(host).where(
        host.uuid == host_uuid, host.deleted == 0).values(
            deleted=-host.id, updated_at=host.updated_at))
    session.execute(sa.update(host).where(
        host.uuid == host_uuid, host.deleted == -host.id).values(
            deleted=0, updated_at=host.updated_at))


def _load_payload(text):
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return None


@_retry_write()
def notification_update(uuid, values, expected_statuses=None,
                        unless_held=False):
    """Update a notification; with ``expected_statuses``, only from those,
    and with ``unless_held`` only when no pause or brake holds it.

    Returns the updated notification, or None when its status was not one
    of ``expected_statuses`` (another engine got there first) or it is
    held.
    """
    model = models.Notification
    with _writer() as session:
        query = sa.update(model).where(model.notification_uuid == uuid,
                                       model.deleted == 0)
        if expected_statuses is not None:
            query = query.where(model.status.in_(expected_statuses))
        if unless_held:
            query = query.where(sa.not_(_held()))
        result = session.execute(query.values(**values))
        if result.rowcount == 0:
            if expected_statuses is None:
                raise exception.NotificationNotFound(id=uuid)
            return None
        return session.scalars(sa.select(model).where(
            model.notification_uuid == uuid)).one()


# --- engine ownership: leases on running notifications ---
class _UTCNow(sa_functions.FunctionElement):
    """The database's current time in UTC; with an argument, that many
    seconds later."""

    type = sa.DateTime()
    inherit_cache = True
    name = 'utcnow'


@sa_compiler.compiles(_UTCNow)
def _utcnow_default(element, compiler, **kw):
    if not element.clauses.clauses:
        return 'CURRENT_TIMESTAMP'
    return ("(CURRENT_TIMESTAMP + %s * INTERVAL '1' SECOND)"
            % compiler.process(element.clauses, **kw))


@sa_compiler.compiles(_UTCNow, 'postgresql')
def _utcnow_postgresql(element, compiler, **kw):
    now = "timezone('utc', now())"
    if not element.clauses.clauses:
        return now
    return '(%s + make_interval(secs => %s))' % (
        now, compiler.process(element.clauses, **kw))


@sa_compiler.compiles(_UTCNow, 'mysql')
def _utcnow_mysql(element, compiler, **kw):
    if not element.clauses.clauses:
        return 'UTC_TIMESTAMP()'
    return '(UTC_TIMESTAMP() + INTERVAL %s SECOND)' % compiler.process(
        element.clauses, **kw)


@sa_compiler.compiles(_UTCNow, 'sqlite')
def _utcnow_sqlite(element, compiler, **kw):
    # The text format SQLAlchemy stores DateTime in, so values compare.
    template = "strftime('%%Y-%%m-%%d %%H:%%M:%%f000', 'now'%s)"
    if not element.clauses.clauses:
        return template % ''
    return template % (", '+' || %s || ' seconds'"
                       % compiler.process(element.clauses, **kw))


def _lease_until(seconds):
    return _UTCNow(sa.literal(int(seconds), sa.Integer))


def _lease_expired():
    return sa.and_(models.Notification.lease_expires_at.is_not(None),
                   models.Notification.lease_expires_at <= _UTCNow())


@_retry_write()
def _conditional_update(uuid, values, *conditions):
    """UPDATE the live notification ``uuid`` where ``conditions`` hold;
    the updated row, or None when they did not."""
    model = models.Notification
    with _writer() as session:
        result = session.execute(sa.update(model).where(
            model.notification_uuid == uuid, model.deleted == 0,
            *conditions).values(**values).execution_options(
                synchronize_session=False))
        if result.rowcount == 0:
            return None
        return session.scalars(sa.select(model).where(
            model.notification_uuid == uuid)).one()


def notification_claim(uuid, owner, lease_seconds, expected_statuses,
                       message=None):
    """Move a notification from one of ``expected_statuses`` to ``running``
    for engine ``owner``, with a lease of ``lease_seconds``.

    One conditional UPDATE: of several engines claiming at once exactly one
    gets the row; the others get None.
    """
    values = {'status': 'running', 'engine_host': owner,
              'lease_expires_at': _lease_until(lease_seconds)}
    if message is not None:
        values['message'] = message
    return _conditional_update(
        uuid, values, models.Notification.status.in_(expected_statuses))


def notification_take_over(uuid, owner, lease_seconds, message=None,
                           own=False):
    """Take over a ``running`` notification whose lease has expired.

    With ``own``, also one that ``owner`` itself holds (a restarted engine
    takes back what its previous run left, without waiting for the lease).
    Returns the row, now owned by ``owner`` with a fresh lease, or None
    when it is not running, its lease is live, or another engine was
    first.
    """
    model = models.Notification
    takeable = _lease_expired()
    if own:
        takeable = sa.or_(takeable, model.engine_host == owner)
    values = {'engine_host': owner,
              'lease_expires_at': _lease_until(lease_seconds)}
    if message is not None:
        values['message'] = message
    return _conditional_update(uuid, values, model.status == 'running',
                               takeable)


def notification_renew_lease(uuid, owner, lease_seconds):
    """Extend ``owner``'s lease; False when ``owner`` no longer runs it."""
    model = models.Notification
    return _conditional_update(
        uuid, {'lease_expires_at': _lease_until(lease_seconds)},
        model.status == 'running', model.engine_host == owner) is not None


def notification_release(uuid, owner, values=None):
    """``owner`` gives a running notification up: its lease expires now,
    so any engine's sweep (or ``owner`` restarted) takes it over. Returns
    the row, or None when ``owner`` did not hold it."""
    model = models.Notification
    values = dict(values or {}, lease_expires_at=_UTCNow())
    return _conditional_update(uuid, values, model.status == 'running',
                               model.engine_host == owner)


def notification_finish(uuid, owner, values):
    """Record the outcome of ``owner``'s run and drop its lease.

    Only while ``owner`` still holds the notification: an engine that lost
    its lease to another must not overwrite what that one records. Returns
    the row, or None.
    """
    model = models.Notification
    values = dict(values, engine_host=None, lease_expires_at=None)
    return _conditional_update(uuid, values, model.status == 'running',
                               model.engine_host == owner)


@_retry_read
def notifications_with_expired_lease(limit=None):
    """Running notifications whose lease has expired, oldest lease first."""
    model = models.Notification
    query = _live(model).where(model.status == 'running',
                               _lease_expired()).order_by(
        model.lease_expires_at, model.id)
    if limit is not None:
        query = query.limit(limit)
    with _reader() as session:
        return list(session.scalars(query))


@_retry_read
def notifications_held_by(owner):
    """Running notifications whose lease ``owner`` holds (live or not)."""
    model = models.Notification
    with _reader() as session:
        return list(session.scalars(_live(model).where(
            model.status == 'running', model.engine_host == owner).order_by(
                model.id)))


# --- holds: the storm brake and recovery pauses ---
class Held:
    """What ``notification_claim_or_hold`` returns for a notification it
    held instead of claiming: the row and the ``verdict`` that held it."""

    def __init__(self, row, verdict):
        self.row = row
        self.verdict = verdict


class _HoldFacts:
    """What the hold decision may ask about a notification's segment, read
    in the deciding transaction (under the segment's lock), each only when
    asked."""

    def __init__(self, session, notification, segment_uuid, pauses):
        self._session = session
        self.notification = notification
        self.segment_uuid = segment_uuid
        self.pauses = pauses

    def storm_held(self):
        """Whether the storm brake holds another notification of the
        segment (it is on)."""
        model = models.Notification
        query = sa.select(model.id).where(
            model.deleted == 0, model.hold == models.HOLD_STORM,
            model.failover_segment_uuid == self.segment_uuid,
            model.notification_uuid != self.notification.notification_uuid
        ).limit(1)
        return self._session.execute(query).first() is not None

    def host_reports(self, window_seconds):
        """``(host uuid, host name, type, payload)`` of the segment's
        notifications generated within ``window_seconds`` of this one,
        except those an operator settled after a brake."""
        model = models.Notification
        window = datetime.timedelta(seconds=window_seconds)
        generated = self.notification.generated_time
        query = sa.select(model.source_host_uuid, models.Host.name,
                          model.type, model.payload).outerjoin(
            models.Host, sa.and_(models.Host.uuid == model.source_host_uuid,
                                 models.Host.deleted == 0)).where(
            model.deleted == 0,
            model.failover_segment_uuid == self.segment_uuid,
            model.generated_time >= generated - window,
            model.generated_time <= generated + window,
            sa.or_(model.hold.is_(None), model.hold.not_in(models.SETTLED)))
        return [(row[0], row[1], row[2], _load_payload(row[3]))
                for row in self._session.execute(query)]

    def segment_host_count(self):
        return self._session.execute(sa.select(sa.func.count()).where(
            models.Host.failover_segment_id == self.segment_uuid,
            models.Host.deleted == 0)).scalar()

    def segment_name(self):
        return self._session.execute(sa.select(
            models.FailoverSegment.name).where(
            models.FailoverSegment.uuid == self.segment_uuid)).scalar()


def _segment_of(session, notification):
    """The notification's segment: as stored, else its host's (rows older
    than upstream's failover_segment_uuid column)."""
    if notification.failover_segment_uuid:
        return notification.failover_segment_uuid
    return session.execute(sa.select(models.Host.failover_segment_id).where(
        models.Host.uuid == notification.source_host_uuid)).scalar()


def _lock_segment(session, segment_uuid):
    """A write lock on the segment's row (a no-op UPDATE): hold decisions,
    releases and cancels of one segment happen one after the other, on
    every backend and across engines."""
    session.execute(sa.update(models.FailoverSegment).where(
        models.FailoverSegment.uuid == segment_uuid).values(
            updated_at=models.FailoverSegment.updated_at))


def _lock_pauses(session):
    """Lock every pause row (there are few) until the transaction ends,
    always before any notification row: a resume waits for a decision
    that saw its pause, and then releases what that decision held."""
    return list(session.scalars(sa.select(models.RecoveryPause).order_by(
        models.RecoveryPause.id).with_for_update()))


@_retry_write()
def notification_claim_or_hold(uuid, owner, lease_seconds, expected_statuses,
                               judge, message=None):
    """Claim a notification as ``notification_claim`` does, unless
    ``judge(notification, facts)`` returns a verdict (with ``hold`` and
    ``message``) that holds it.

    One transaction decides, under a lock of the segment's row and of the
    pauses: of several engines deciding at once about notifications of one
    segment, each sees what the previous one decided, so a burst trips the
    brake once and a notification is held or claimed exactly once. Locks
    are taken segment, pauses, notification, in that order everywhere.
    Returns the claimed row, a ``Held``, or None when the notification was
    not there to take (another engine has it, or it is already held).
    """
    model = models.Notification
    with _reader() as session:
        row = session.scalars(_live(model).where(
            model.notification_uuid == uuid)).first()
        # A notification's segment never changes: read before locking.
        segment_uuid = row and _segment_of(session, row)
    if row is None:
        return None
    with _writer() as session:
        # The segment's lock is the first statement (on MySQL the
        # snapshot of the plain reads below starts after it, so they
        # show every decision made before).
        if segment_uuid:
            _lock_segment(session, segment_uuid)
        pauses = _lock_pauses(session)
        row = session.scalars(_live(model).where(
            model.notification_uuid == uuid).with_for_update(
        ).execution_options(populate_existing=True)).first()
        if (row is None or row.status not in expected_statuses
                or row.hold in models.HOLDS):
            return None
        facts = _HoldFacts(session, row, segment_uuid, [
            pause for pause in pauses
            if pause.scope in (models.GLOBAL_SCOPE, segment_uuid)])
        verdict = judge(row, facts)
        if verdict is not None:
            values = {'hold': verdict.hold, 'message': verdict.message}
        else:
            values = {'status': 'running', 'engine_host': owner,
                      'lease_expires_at': _lease_until(lease_seconds)}
            if message is not None:
                values['message'] = message
        result = session.execute(sa.update(model).where(
            model.id == row.id, model.status.in_(expected_statuses),
            sa.not_(_held())).values(**values).execution_options(
                synchronize_session=False))
        if result.rowcount == 0:
            return None
        row = session.scalars(sa.select(model).where(
            model.id == row.id).execution_options(
                populate_existing=True)).one()
    return Held(row, verdict) if verdict is not None else row


@_retry_read
def notifications_held(hold, segment_uuid=None):
    """Live notifications held for ``hold``, oldest first."""
    model = models.Notification
    query = _live(model).where(model.hold == hold)
    if segment_uuid is not None:
        query = query.where(model.failover_segment_uuid == segment_uuid)
    with _reader() as session:
        return list(session.scalars(query.order_by(model.generated_time,
                                                   model.id)))


@_retry_write()
def notifications_settle_storm(segment_uuid, values, uuids=None):
    """Set ``values`` (the operator's release or cancel) on the
    notifications of the segment the storm brake holds (only ``uuids``
    among them when given), under the segment's lock; returns them, oldest
    first."""
    model = models.Notification
    with _writer() as session:
        _segment_get(session, segment_uuid)
        _lock_segment(session, segment_uuid)
        query = _live(model).where(model.hold == models.HOLD_STORM,
                                   model.failover_segment_uuid == segment_uuid)
        if uuids is not None:
            query = query.where(model.notification_uuid.in_(uuids))
        ids = [row.id for row in session.scalars(query.with_for_update())]
        if not ids:
            return []
        session.execute(sa.update(model).where(model.id.in_(ids)).values(
            **values).execution_options(synchronize_session=False))
        return list(session.scalars(sa.select(model).where(
            model.id.in_(ids)).order_by(model.generated_time, model.id
                                        ).execution_options(
                populate_existing=True)))


@_retry_write()
def pause_create(scope, reason):
    """Pause automatic recovery for ``scope`` (``*`` or a segment's uuid);
    ``Refused.DUPLICATE`` when it is paused already."""
    pause = models.RecoveryPause(uuid=uuidutils.generate_uuid(), scope=scope,
                                 reason=reason)
    try:
        with _writer() as session:
            if scope != models.GLOBAL_SCOPE:
                _segment_get(session, scope)
            session.add(pause)
            session.flush()
            session.refresh(pause)
    except db_exc.DBDuplicateEntry:
        return Refused.DUPLICATE
    return pause


@_retry_read
def pause_get_all():
    with _reader() as session:
        return list(session.scalars(sa.select(models.RecoveryPause).order_by(
            models.RecoveryPause.id)))


@_retry_read
def pause_get_by_uuid(uuid):
    with _reader() as session:
        pause = session.scalars(sa.select(models.RecoveryPause).where(
            models.RecoveryPause.uuid == uuid)).first()
        if pause is None:
            raise exception.RecoveryPauseNotFound(id=uuid)
        return pause


@_retry_write()
def pause_delete(uuid, message):
    """Resume: delete the pause, and in the same transaction un-hold (with
    ``message``) the notifications no remaining pause covers. Returns
    them, oldest first."""
    with _writer() as session:
        pause = {row.uuid: row for row in _lock_pauses(session)}.get(uuid)
        if pause is None:
            raise exception.RecoveryPauseNotFound(id=uuid)
        session.execute(sa.delete(models.RecoveryPause).where(
            models.RecoveryPause.id == pause.id))
        return _release_uncovered(session, message)


@_retry_write()
def pauses_reconcile(message):
    """Un-hold pause-held notifications that no pause covers any more
    (the periodic safety net of ``pause_delete``); returns them."""
    with _writer() as session:
        return _release_uncovered(session, message)


def _release_uncovered(session, message):
    model = models.Notification
    scopes = [pause.scope for pause in _lock_pauses(session)]
    if models.GLOBAL_SCOPE in scopes:
        return []
    query = _live(model).where(model.hold == models.HOLD_PAUSE, sa.or_(
        model.failover_segment_uuid.is_(None),
        model.failover_segment_uuid.not_in(scopes)))
    ids = [row.id for row in session.scalars(query.with_for_update())]
    if not ids:
        return []
    session.execute(sa.update(model).where(model.id.in_(ids)).values(
        hold=None, message=message).execution_options(
            synchronize_session=False))
    return list(session.scalars(sa.select(model).where(
        model.id.in_(ids)).order_by(model.generated_time, model.id
                                    ).execution_options(
            populate_existing=True)))


# --- vmoves ---
def vmove_get_all(filters=None, limit=None, marker=None, sort_keys=None,
                  sort_dirs=None):
    filters = filters or {}
    conditions = [getattr(models.VMove, key) == filters[key]
                  for key in ('notification_uuid', 'status', 'type')
                  if key in filters]
    return _list(models.VMove, conditions, limit, marker, sort_keys,
                 sort_dirs)


@_retry_read
def vmove_get_by_uuid(uuid, notification_uuid=None):
    with _reader() as session:
        query = _live(models.VMove).where(models.VMove.uuid == uuid)
        if notification_uuid is not None:
            query = query.where(
                models.VMove.notification_uuid == notification_uuid)
        vmove = session.scalars(query).first()
        if vmove is None:
            raise exception.VMoveNotFound(id=uuid)
        return vmove


@_retry_write()
def vmove_create_many(values_list):
    """Insert several vmoves in one transaction."""
    vmoves = [models.VMove(uuid=uuidutils.generate_uuid(), **values)
              for values in values_list]
    if vmoves:
        with _writer() as session:
            session.add_all(vmoves)
    return vmoves


@_retry_write()
def vmove_update(uuid, values):
    """Set ``values`` on one vmove, in one statement and without reading
    the row first: a host recovery writes two of these per instance."""
    table = models.VMove.__table__
    updated = _execute_write(
        sa.update(table)
        .where(table.c.uuid == uuid, table.c.deleted == 0)
        .values(**values))
    if updated == 0:
        raise exception.VMoveNotFound(id=uuid)


# --- purge ---
@_retry_write()
def purge_deleted_rows(age_in_days, max_rows):
    """Hard-delete rows soft-deleted (or finished) more than N days ago.

    Returns the number of rows deleted. ``max_rows`` of -1 means no limit.
    """
    cutoff = timeutils.utcnow() - datetime.timedelta(days=age_in_days)
    deleted = 0
    # Children before parents: hosts reference failover_segments.uuid.
    plan = (
        (models.VMove, models.VMove.deleted_at < cutoff),
        (models.Notification, sa.and_(
            models.Notification.updated_at < cutoff,
            models.Notification.status.in_(FINAL_NOTIFICATION_STATUSES))),
        (models.Host, models.Host.deleted_at < cutoff),
        (models.FailoverSegment, models.FailoverSegment.deleted_at < cutoff),
    )
    with _writer() as session:
        for model, condition in plan:
            if max_rows != -1 and deleted >= max_rows:
                break
            ids = sa.select(model.id).where(condition)
            if max_rows != -1:
                ids = ids.limit(max_rows - deleted)
            id_list = [row[0] for row in session.execute(ids)]
            if id_list:
                session.execute(sa.delete(model).where(
                    model.id.in_(id_list)))
                deleted += len(id_list)
    return deleted
