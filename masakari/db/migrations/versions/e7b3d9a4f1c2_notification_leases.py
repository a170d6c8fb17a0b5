"""Which engine runs a notification, and until when its claim holds.

Second revision of this project on top of upstream's head. Two nullable
columns on ``notifications``: ``engine_host`` (the ``[DEFAULT] host`` of
the engine running it) and ``lease_expires_at`` (UTC, from the database's
clock; renewed by that engine's heartbeat). Both are NULL unless the
notification is ``running``. The index serves the engines' sweep for
running notifications whose lease has expired.

Upstream's services ignore the columns, so an upstream engine or API can
still use the database.

Revision ID: e7b3d9a4f1c2
Revises: c2a1f0e9b7d4
"""

from alembic import op
import sqlalchemy as sa

revision = 'e7b3d9a4f1c2'
down_revision = 'c2a1f0e9b7d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications') as batch:
        batch.add_column(sa.Column('engine_host', sa.String(255),
                                   nullable=True))
        batch.add_column(sa.Column('lease_expires_at', sa.DateTime(),
                                   nullable=True))
    op.create_index('notifications_lease_idx', 'notifications',
                    ['status', 'lease_expires_at'])
