"""review_notes: what a reviewer writes down on a request for the other reviewers, never
shown to the manufacturer

Revision ID: 449fc103dd38
Revises: 9ccf55b94ab2
Create Date: 2026-12-05 15:38:31.986826

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '449fc103dd38'
down_revision = '9ccf55b94ab2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('review_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('written_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_as', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dossier_id', 'sent_as', name='uq_review_notes_sent_as')
    )
    with op.batch_alter_table('review_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_notes_dossier_id'), ['dossier_id'], unique=False)



def downgrade():
    with op.batch_alter_table('review_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_notes_dossier_id'))

    op.drop_table('review_notes')
