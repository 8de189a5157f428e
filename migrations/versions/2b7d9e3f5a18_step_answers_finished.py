"""step_answers.finished: a step saved for later with answers missing or wrong is not shown done

Revision ID: 2b7d9e3f5a18
Revises: 8c4e1f7a2d65
Create Date: 2026-12-02 21:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2b7d9e3f5a18'
down_revision = '8c4e1f7a2d65'
branch_labels = None
depends_on = None


def upgrade():
    # Steps saved before: not known, taken as finished (as the list of steps showed them).
    with op.batch_alter_table('step_answers', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('finished', sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('step_answers', schema=None) as batch_op:
        batch_op.drop_column('finished')
