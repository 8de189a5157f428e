"""step_answers.written_for: what a step about the request's own case (medical need, benefit
and risk) was written for, the patient or "global", so that a later change of either asks for
it to be looked at again

Revision ID: cfbeeabefc24
Revises: 2da0d43f9e44
Create Date: 2026-12-04 19:04:41.024574

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cfbeeabefc24'
down_revision = '2da0d43f9e44'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('step_answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('written_for', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('step_answers', schema=None) as batch_op:
        batch_op.drop_column('written_for')
