"""hcp_letters.written_for: the type of access the request had when the letter came, so that a
letter written for the other type is pointed out after a change of type

Revision ID: 7a3d5e9b2c18
Revises: 5e2b9c7d1a43
Create Date: 2026-12-04 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a3d5e9b2c18'
down_revision = '5e2b9c7d1a43'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('hcp_letters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('written_for', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('hcp_letters', schema=None) as batch_op:
        batch_op.drop_column('written_for')
