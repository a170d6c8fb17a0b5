"""Initial revision: failover segments, hosts and notifications.

Same revision id and schema as upstream's first alembic revision, so an
upstream database at this revision is recognised.

Revision ID: 8f848eb45d03
Revises:
"""

from alembic import op
from oslo_db.sqlalchemy import types as oslo_types
import sqlalchemy as sa

revision = '8f848eb45d03'
down_revision = None
branch_labels = None
depends_on = None

_TABLE_ARGS = {'mysql_engine': 'InnoDB', 'mysql_charset': 'utf8'}


def _timestamps():
    return [sa.Column('created_at', sa.DateTime),
            sa.Column('updated_at', sa.DateTime),
            sa.Column('deleted_at', sa.DateTime),
            sa.Column('deleted', oslo_types.SoftDeleteInteger)]


def upgrade():
    op.create_table(
        'failover_segments',
        *_timestamps(),
        sa.Column('id', sa.Integer, primary_key=True, nullable=False,
                  autoincrement=True),
        sa.Column('uuid', sa.String(36), nullable=False),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('service_type', sa.String(255), nullable=False),
        sa.Column('enabled', sa.Boolean, default=True),
        sa.Column('description', sa.Text),
        sa.Column('recovery_method',
                  sa.Enum('auto', 'reserved_host', 'auto_priority',
                          'rh_priority', name='recovery_methods'),
                  nullable=False),
        sa.UniqueConstraint('name', 'deleted',
                            name='uniq_segment0name0deleted'),
        sa.UniqueConstraint('uuid', name='uniq_segments0uuid'),
        sa.Index('segments_service_type_idx', 'service_type'),
        **_TABLE_ARGS)

    op.create_table(
        'hosts',
        *_timestamps(),
        sa.Column('id', sa.Integer, primary_key=True, nullable=False,
                  autoincrement=True),
        sa.Column('uuid', sa.String(36), nullable=False),
        sa.Column('name', sa.String(255), nullable=False),
        sa.Column('reserved', sa.Boolean, default=False),
        sa.Column('type', sa.String(255), nullable=False),
        sa.Column('control_attributes', sa.Text, nullable=False),
        sa.Column('on_maintenance', sa.Boolean, default=False),
        sa.Column('failover_segment_id', sa.String(36), nullable=False),
        sa.ForeignKeyConstraint(['failover_segment_id'],
                                ['failover_segments.uuid']),
        sa.UniqueConstraint('name', 'deleted',
                            name='uniq_host0name0deleted'),
        sa.UniqueConstraint('uuid', name='uniq_host0uuid'),
        sa.Index('hosts_type_idx', 'type'),
        **_TABLE_ARGS)

    op.create_table(
        'notifications',
        *_timestamps(),
        sa.Column('id', sa.Integer, primary_key=True, nullable=False,
                  autoincrement=True),
        sa.Column('notification_uuid', sa.String(36), nullable=False),
        sa.Column('generated_time', sa.DateTime, nullable=False),
        sa.Column('type', sa.String(36), nullable=False),
        sa.Column('payload', sa.Text),
        sa.Column('status',
                  sa.Enum('new', 'running', 'error', 'failed', 'ignored',
                          'finished', name='notification_status'),
                  nullable=False),
        sa.Column('source_host_uuid', sa.String(36), nullable=False),
        sa.UniqueConstraint('notification_uuid',
                            name='uniq_notification0uuid'),
        **_TABLE_ARGS)
