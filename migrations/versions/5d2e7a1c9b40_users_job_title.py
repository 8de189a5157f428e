"""users.job_title: a reviewer's function, stated on the decisions they sign

Revision ID: 5d2e7a1c9b40
Revises: bfbbf1e50876
Create Date: 2026-12-02 16:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d2e7a1c9b40'
down_revision = 'bfbbf1e50876'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('job_title', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('job_title')
