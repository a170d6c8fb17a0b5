"""SQLAlchemy models; their tables match upstream Masakari's schema at head.

Columns and constraint names must stay identical to upstream's alembic head
(8f848eb45d03 → 8bdf5929c5a6 → 13adff5efb9a) so an existing upstream
database can be taken over. Indexes and the nullable columns that this
project adds live in later revisions (c2a1f0e9b7d4, e7b3d9a4f1c2,
a4d2c6e8f0b1) and are declared here too, so the models describe the head
schema.
"""

from oslo_db.sqlalchemy import types as oslo_types
from oslo_utils import timeutils
from sqlalchemy import Boolean
from sqlalchemy import Column
from sqlalchemy import DateTime
from sqlalchemy import Enum
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import orm

RECOVERY_METHODS = ('auto', 'reserved_host', 'auto_priority', 'rh_priority')
NOTIFICATION_STATUSES = ('new', 'running', 'error', 'failed', 'ignored',
                         'finished')

_TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8'}


def _now_seconds():
    """Upstream stores timestamps with second precision."""
    return timeutils.utcnow().replace(microsecond=0)


class Base(orm.DeclarativeBase):
    pass


class _SoftDeleteTimestamps:
    """created/updated/deleted columns; ``deleted`` = id once deleted."""

    created_at = Column(DateTime, default=_now_seconds)
    updated_at = Column(DateTime, onupdate=_now_seconds)
    deleted_at = Column(DateTime)
    deleted = Column(oslo_types.SoftDeleteInteger, default=0)


class FailoverSegment(_SoftDeleteTimestamps, Base):
    __tablename__ = 'failover_segments'
    __table_args__ = (
        UniqueConstraint('name', 'deleted', name='uniq_segment0name0deleted'),
        UniqueConstraint('uuid', name='uniq_segments0uuid'),
        Index('segments_service_type_idx', 'service_type'),
        _TABLE_ARGS,
    )

    id = Column(Integer, primary_key=True, autoincrement=True)
    uuid = Column(String(36), nullable=False)
    name = Column(String(255), nullable=False)
    service_type = Column(String(255), nullable=False)
    enabled = Column(Boolean, default=True)
    description = Column(Text)
    recovery_method = Column(Enum(*RECOVERY_METHODS, name='recovery_methods'),
                             nullable=False)


class Host(_SoftDeleteTimestamps, Base):
    __tablename__ = 'hosts'
    __table_args__ = (
        UniqueConstraint('name', 'deleted', name='uniq_host0name0deleted'),
        UniqueConstraint('uuid', name='uniq_host0uuid'),
        Index('hosts_type_idx', 'type'),
        Index('hosts_failover_segment_id_idx', 'failover_segment_id'),
        _TABLE_ARGS,
    )

    id = Column(Integer, primary_key=True, autoincrement=True)
    uuid = Column(String(36), nullable=False)
    name = Column(String(255), nullable=False)
    reserved = Column(Boolean, default=False)
    type = Column(String(255), nullable=False)
    control_attributes = Column(Text, nullable=False)
    on_maintenance = Column(Boolean, default=False)
    failover_segment_id = Column(String(36),
                                 ForeignKey('failover_segments.uuid'),
                                 nullable=False)

    failover_segment = orm.relationship(FailoverSegment, lazy='joined',
                                        innerjoin=True)


class Notification(_SoftDeleteTimestamps, Base):
    __tablename__ = 'notifications'
    __table_args__ = (
        UniqueConstraint('notification_uuid', name='uniq_notification0uuid'),
        Index('notifications_duplicate_check_idx', 'source_host_uuid',
              'type', 'generated_time'),
        Index('notifications_status_idx', 'status'),
        Index('notifications_created_at_idx', 'created_at'),
        Index('notifications_lease_idx', 'status', 'lease_expires_at'),
        _TABLE_ARGS,
    )

    id = Column(Integer, primary_key=True, autoincrement=True)
    notification_uuid = Column(String(36), nullable=False)
    generated_time = Column(DateTime, nullable=False)
    type = Column(String(36), nullable=False)
    payload = Column(Text)
    status = Column(Enum(*NOTIFICATION_STATUSES, name='notification_status'),
                    nullable=False)
    source_host_uuid = Column(String(36), nullable=False)
    # Nullable although upstream's model says otherwise: rows written before
    # upstream revision 13adff5efb9a hold NULL here.
    failover_segment_uuid = Column(String(36))
    message = Column(Text)
    # This project's (revision e7b3d9a4f1c2): the engine running the
    # notification and when its claim lapses unless renewed (UTC, from the
    # database's clock). Both NULL unless the notification is running.
    engine_host = Column(String(255))
    lease_expires_at = Column(DateTime)
    # This project's (revision a4d2c6e8f0b1): why automatic recovery waits
    # for an operator (HOLDS), or what the operator decided about a held
    # notification (SETTLED); NULL for one never held.
    hold = Column(String(16))


# A held notification waits: for the storm brake's release, or for the
# end of a recovery pause.
HOLD_STORM = 'storm'
HOLD_PAUSE = 'pause'
HOLDS = (HOLD_STORM, HOLD_PAUSE)
# What an operator did with a notification the storm brake held.
HOLD_RELEASED = 'released'
HOLD_CANCELLED = 'cancelled'
SETTLED = (HOLD_RELEASED, HOLD_CANCELLED)
# The scope of a pause of the whole cloud (otherwise a segment's uuid).
GLOBAL_SCOPE = '*'


class RecoveryPause(Base):
    """Automatic recovery paused by an operator: everywhere (``scope``
    ``*``) or in one segment (``scope`` = its uuid). One row per scope;
    resuming deletes it."""

    __tablename__ = 'recovery_pauses'
    __table_args__ = (
        UniqueConstraint('uuid', name='uniq_recovery_pause0uuid'),
        UniqueConstraint('scope', name='uniq_recovery_pause0scope'),
        _TABLE_ARGS,
    )

    id = Column(Integer, primary_key=True, autoincrement=True)
    uuid = Column(String(36), nullable=False)
    scope = Column(String(36), nullable=False)
    reason = Column(Text)
    created_at = Column(DateTime, default=_now_seconds)


class VMove(_SoftDeleteTimestamps, Base):
    __tablename__ = 'vmoves'
    __table_args__ = (
        UniqueConstraint('uuid', name='uniq_vmove0uuid'),
        Index('vmoves_notification_uuid_idx', 'notification_uuid'),
        _TABLE_ARGS,
    )

    id = Column(Integer, primary_key=True, autoincrement=True)
    uuid = Column(String(36), nullable=False)
    notification_uuid = Column(String(36), nullable=False)
    instance_uuid = Column(String(36), nullable=False)
    instance_name = Column(String(255), nullable=False)
    source_host = Column(String(255))
    dest_host = Column(String(255))
    start_time = Column(DateTime)
    end_time = Column(DateTime)
    type = Column(String(36))
    status = Column(String(255))
    message = Column(Text)
