"""removed_files.item_id: the id the removed file had in its list, so that a "Remove" sent
again for it (a double click, another tab) offers to put it back again

Revision ID: 6a1f3b8c4d27
Revises: 3c8d1e6f2a90
Create Date: 2026-12-07 19:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6a1f3b8c4d27'
down_revision = '3c8d1e6f2a90'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('removed_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('item_id', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('removed_files', schema=None) as batch_op:
        batch_op.drop_column('item_id')
