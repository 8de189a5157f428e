"""step_answers.carried_from: answers copied from a filed request stay to be looked at

Revision ID: 0fb5c4f7f89d
Revises: 47c0d8234e7b
Create Date: 2026-12-01 23:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0fb5c4f7f89d'
down_revision = '47c0d8234e7b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('step_answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carried_from', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('step_answers', schema=None) as batch_op:
        batch_op.drop_column('carried_from')
