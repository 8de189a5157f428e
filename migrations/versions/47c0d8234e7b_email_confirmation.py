"""users.email_confirmed_at, users.confirmation_sent_at: an account signs in once its address
is confirmed by a link; accounts made before this are taken as confirmed

Revision ID: 47c0d8234e7b
Revises: 3f1c2a9d7e54
Create Date: 2026-12-01 22:35:55

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '47c0d8234e7b'
down_revision = '3f1c2a9d7e54'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('confirmation_sent_at', sa.DateTime(timezone=True), nullable=True))
    # Their owners have signed in with these accounts already: nobody is locked out.
    op.execute("UPDATE users SET email_confirmed_at = created_at")


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('confirmation_sent_at')
        batch_op.drop_column('email_confirmed_at')
