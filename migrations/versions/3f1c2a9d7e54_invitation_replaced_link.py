"""invitations.replaced_token_hash: a link replaced by a newer one says so when opened

Revision ID: 3f1c2a9d7e54
Revises: 81ec8a897c62
Create Date: 2026-12-01 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f1c2a9d7e54'
down_revision = '81ec8a897c62'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replaced_token_hash', sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_invitations_replaced_token_hash'), ['replaced_token_hash'], unique=False
        )


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_replaced_token_hash'))
        batch_op.drop_column('replaced_token_hash')
