"""users.address_undo_made/used: a link to undo an address change, once used, ends the links
made before it was used and after it was made

Revision ID: 5e2b9c7d1a43
Revises: c4a8e2d61f07
Create Date: 2026-12-03 21:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e2b9c7d1a43'
down_revision = 'c4a8e2d61f07'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address_undo_made', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('address_undo_used', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('address_undo_used')
        batch_op.drop_column('address_undo_made')
