"""follow_up_reports read: when a reviewer marked a report read, and who

Reports sent before this revision are left unread: nothing recorded that anyone read them.

Revision ID: 9ccf55b94ab2
Revises: 2a9764e20b70
Create Date: 2026-12-05 15:25:56.848872

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9ccf55b94ab2'
down_revision = '2a9764e20b70'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('follow_up_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('read_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('read_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('read_by_name', sa.String(length=200), nullable=True))
        batch_op.create_foreign_key(
            'fk_follow_up_reports_read_by_id_users', 'users', ['read_by_id'], ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('follow_up_reports', schema=None) as batch_op:
        batch_op.drop_constraint('fk_follow_up_reports_read_by_id_users', type_='foreignkey')
        batch_op.drop_column('read_by_name')
        batch_op.drop_column('read_by_id')
        batch_op.drop_column('read_at')
