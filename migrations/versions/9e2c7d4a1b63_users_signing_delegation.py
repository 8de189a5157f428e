"""users.signing_delegation: the act by which the Director General delegates to a reviewer
the signature of decisions, which their decisions cite; without one they do not sign

Revision ID: 9e2c7d4a1b63
Revises: 6a1f3b8c4d27
Create Date: 2026-12-07 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9e2c7d4a1b63'
down_revision = '6a1f3b8c4d27'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signing_delegation', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('signing_delegation')
