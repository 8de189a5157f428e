"""audit_events.actor_name as text: a user's name (200) and address (254) did not fit in 254

Revision ID: c4a8e2d61f07
Revises: 2b7d9e3f5a18
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a8e2d61f07'
down_revision = '2b7d9e3f5a18'
branch_labels = None
depends_on = None


def upgrade():
    # Values are kept as they are: the hash chain, which covers them, is unchanged.
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column(
            'actor_name',
            existing_type=sa.String(length=254),
            type_=sa.Text(),
            existing_nullable=False,
        )


def downgrade():
    # Refused by PostgreSQL while a longer name is stored: such events are not cut short.
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column(
            'actor_name',
            existing_type=sa.Text(),
            type_=sa.String(length=254),
            existing_nullable=False,
        )
