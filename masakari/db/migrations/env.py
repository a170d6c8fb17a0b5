"""Alembic environment: runs on the connection masakari.db.migration passes."""

from alembic import context

from masakari.db import models

config = context.config
VERSION_TABLE = 'masakari_alembic_version'


def run_migrations_online():
    connection = config.attributes['connection']
    context.configure(connection=connection,
                      target_metadata=models.Base.metadata,
                      version_table=VERSION_TABLE,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
