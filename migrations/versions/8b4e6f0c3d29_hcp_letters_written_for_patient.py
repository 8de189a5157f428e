"""hcp_letters.written_for_patient: the patient an individual request named when the letter
came, so that a letter about another patient is pointed out after the patient is changed

Revision ID: 8b4e6f0c3d29
Revises: 7a3d5e9b2c18
Create Date: 2026-12-04 14:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8b4e6f0c3d29'
down_revision = '7a3d5e9b2c18'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('hcp_letters', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('written_for_patient', sa.String(length=20), nullable=True)
        )


def downgrade():
    with op.batch_alter_table('hcp_letters', schema=None) as batch_op:
        batch_op.drop_column('written_for_patient')
