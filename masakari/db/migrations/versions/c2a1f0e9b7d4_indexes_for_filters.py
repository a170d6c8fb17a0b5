"""Indexes for the list filters and the duplicate-notification check.

First revision of this project on top of upstream's head: it only adds
indexes, so an upstream database keeps working with either service.

Revision ID: c2a1f0e9b7d4
Revises: 13adff5efb9a
"""

from alembic import op

revision = 'c2a1f0e9b7d4'
down_revision = '13adff5efb9a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('hosts_failover_segment_id_idx', 'hosts',
                    ['failover_segment_id'])
    op.create_index('notifications_duplicate_check_idx', 'notifications',
                    ['source_host_uuid', 'type', 'generated_time'])
    op.create_index('notifications_status_idx', 'notifications', ['status'])
    op.create_index('notifications_created_at_idx', 'notifications',
                    ['created_at'])
    op.create_index('vmoves_notification_uuid_idx', 'vmoves',
                    ['notification_uuid'])
