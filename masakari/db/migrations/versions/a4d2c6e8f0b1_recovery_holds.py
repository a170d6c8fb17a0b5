"""Held notifications and recovery pauses.

Third revision of this project on top of upstream's head: a nullable
``notifications.hold`` (why automatic recovery of the notification waits
for an operator, or what the operator decided) and the
``recovery_pauses`` table (one row per paused scope: ``*`` for the whole
cloud or a segment's uuid). Upstream's services ignore both; to them a
held notification is an ordinary ``new`` one.

Revision ID: a4d2c6e8f0b1
Revises: e7b3d9a4f1c2
"""

from alembic import op
import sqlalchemy as sa

revision = 'a4d2c6e8f0b1'
down_revision = 'e7b3d9a4f1c2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications') as batch:
        batch.add_column(sa.Column('hold', sa.String(16), nullable=True))
    op.create_table(
        'recovery_pauses',
        sa.Column('id', sa.Integer, primary_key=True, nullable=False,
                  autoincrement=True),
        sa.Column('uuid', sa.String(36), nullable=False),
        sa.Column('scope', sa.String(36), nullable=False),
        sa.Column('reason', sa.Text),
        sa.Column('created_at', sa.DateTime),
        sa.UniqueConstraint('uuid', name='uniq_recovery_pause0uuid'),
        sa.UniqueConstraint('scope', name='uniq_recovery_pause0scope'),
        mysql_engine='InnoDB', mysql_charset='utf8')
