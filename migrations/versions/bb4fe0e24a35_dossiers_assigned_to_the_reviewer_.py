"""dossiers assigned_to: the reviewer handling a filed request, and since when

Requests filed before this revision are handled by nobody until a reviewer takes them.

Revision ID: bb4fe0e24a35
Revises: 449fc103dd38
Create Date: 2026-12-05 15:50:09.951225

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'bb4fe0e24a35'
down_revision = '449fc103dd38'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assigned_to_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_dossiers_assigned_to_id'), ['assigned_to_id'], unique=False)
        batch_op.create_foreign_key(
            'fk_dossiers_assigned_to_id_users', 'users', ['assigned_to_id'], ['id'],
            ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_constraint('fk_dossiers_assigned_to_id_users', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_dossiers_assigned_to_id'))
        batch_op.drop_column('assigned_at')
        batch_op.drop_column('assigned_to_id')
