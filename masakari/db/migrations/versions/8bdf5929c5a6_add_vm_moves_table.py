"""Add the vmoves table (one row per instance moved by a host recovery).

Revision ID: 8bdf5929c5a6
Revises: 8f848eb45d03
"""

from alembic import op
from oslo_db.sqlalchemy import types as oslo_types
import sqlalchemy as sa

revision = '8bdf5929c5a6'
down_revision = '8f848eb45d03'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'vmoves',
        sa.Column('created_at', sa.DateTime),
        sa.Column('updated_at', sa.DateTime),
        sa.Column('deleted_at', sa.DateTime),
        sa.Column('deleted', oslo_types.SoftDeleteInteger),
        sa.Column('id', sa.Integer, primary_key=True, nullable=False,
                  autoincrement=True),
        sa.Column('uuid', sa.String(36), nullable=False),
        sa.Column('notification_uuid', sa.String(36), nullable=False),
        sa.Column('instance_uuid', sa.String(36), nullable=False),
        sa.Column('instance_name', sa.String(255), nullable=False),
        sa.Column('source_host', sa.String(255)),
        sa.Column('dest_host', sa.String(255)),
        sa.Column('start_time', sa.DateTime),
        sa.Column('end_time', sa.DateTime),
        sa.Column('type', sa.String(36)),
        sa.Column('status', sa.String(255)),
        sa.Column('message', sa.Text),
        sa.UniqueConstraint('uuid', name='uniq_vmove0uuid'),
        mysql_engine='InnoDB', mysql_charset='utf8')
