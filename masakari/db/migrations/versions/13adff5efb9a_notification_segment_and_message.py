"""Record the notification's segment and the engine's explanation.

Revision ID: 13adff5efb9a
Revises: 8bdf5929c5a6
"""

from alembic import op
import sqlalchemy as sa

revision = '13adff5efb9a'
down_revision = '8bdf5929c5a6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications') as batch:
        batch.add_column(sa.Column('failover_segment_uuid', sa.String(36),
                                   nullable=True))
        batch.add_column(sa.Column('message', sa.Text, nullable=True))
