"""removed_files: a document or uploaded letter just removed from a draft, kept two days so
that its removal can be undone

Revision ID: 2a9764e20b70
Revises: a76618d8d3f7
Create Date: 2026-12-05 10:37:11.853098

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2a9764e20b70'
down_revision = 'a76618d8d3f7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('removed_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('files', sa.String(length=20), nullable=False),
    sa.Column('item', sa.JSON(), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('removed_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_removed_files_dossier_id'), ['dossier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_removed_files_removed_at'), ['removed_at'], unique=False)



def downgrade():
    with op.batch_alter_table('removed_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_removed_files_removed_at'))
        batch_op.drop_index(batch_op.f('ix_removed_files_dossier_id'))

    op.drop_table('removed_files')
