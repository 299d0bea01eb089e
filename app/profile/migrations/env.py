"""Alembic environment: runs on the connection the app hands over (see app.profile.db)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from app.profile.models import Base

target_metadata = Base.metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        # `alembic revision --autogenerate` from a developer's shell
        url = context.config.get_main_option("sqlalchemy.url") or "sqlite:///migration-dev.sqlite3"
        with create_engine(url).connect() as conn:
            context.configure(connection=conn, target_metadata=target_metadata,
                              render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
