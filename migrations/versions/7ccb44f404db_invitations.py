"""invitations: clinicians invited to attach a letter; what a clinician adds to the letter

The link's token is never stored, only its sha256 (`token_hash`).

Revision ID: 7ccb44f404db
Revises: 62a44d21bd26
Create Date: 2026-11-25 09:09:30.738276

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7ccb44f404db'
down_revision = '62a44d21bd26'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('clinician_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('role', sa.String(length=200), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('letter_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['letter_id'], ['hcp_letters.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_dossier_id'), ['dossier_id'], unique=False)

    with op.batch_alter_table('hcp_letters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('establishment_finess', sa.String(length=9), nullable=True))
        batch_op.add_column(sa.Column('urgency_statement', sa.Text(), nullable=True))



def downgrade():
    with op.batch_alter_table('hcp_letters', schema=None) as batch_op:
        batch_op.drop_column('urgency_statement')
        batch_op.drop_column('establishment_finess')

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_dossier_id'))

    op.drop_table('invitations')
