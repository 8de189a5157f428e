"""The schema the migrations build (as `make run` and production build it) is the one the
models declare: a column, index, constraint or type added to a model without its migration
would otherwise show only in production, where the tables come from the migrations alone."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from wizard.extensions import db


def test_the_migrations_build_the_schema_the_models_declare(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []
