"""documents, hcp_letters, removed_files: on SQLite, a removed row's id is never given to a new
row (AUTOINCREMENT), as PostgreSQL's sequences never do: a "Remove" or "Put back" sent from a
page kept open names the row it was shown for, never a file added since under its id

Revision ID: 4b7e2f9a6c15
Revises: 9e2c7d4a1b63
Create Date: 2026-12-07 23:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '4b7e2f9a6c15'
down_revision = '9e2c7d4a1b63'
branch_labels = None
depends_on = None

TABLES = ('documents', 'hcp_letters', 'removed_files')


def upgrade():
    _rebuild(autoincrement=True)


def downgrade():
    _rebuild(autoincrement=False)


def _rebuild(*, autoincrement: bool):
    # PostgreSQL's ids come from sequences, never taken again: nothing to change there.
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate='always', table_kwargs={'sqlite_autoincrement': autoincrement}
        ):
            pass
