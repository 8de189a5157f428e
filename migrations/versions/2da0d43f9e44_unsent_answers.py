"""unsent_answers: a step's answers sent after their session had ended, kept 24 hours
(sealed) to fill the step in again once the same person has signed in again

Revision ID: 2da0d43f9e44
Revises: 8b4e6f0c3d29
Create Date: 2026-12-04 17:23:34.691669

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2da0d43f9e44'
down_revision = '8b4e6f0c3d29'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('unsent_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.String(length=40), nullable=False),
    sa.Column('sealed', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('unsent_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unsent_answers_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_unsent_answers_token_sha256'), ['token_sha256'], unique=False)



def downgrade():
    with op.batch_alter_table('unsent_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unsent_answers_token_sha256'))
        batch_op.drop_index(batch_op.f('ix_unsent_answers_created_at'))

    op.drop_table('unsent_answers')
