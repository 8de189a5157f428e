"""replaced_invitation_links: every link "Resend" replaced says so when opened, not only the last

Revision ID: 8c4e1f7a2d65
Revises: 5d2e7a1c9b40
Create Date: 2026-12-02 21:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8c4e1f7a2d65'
down_revision = '5d2e7a1c9b40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'replaced_invitation_links',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('invitation_id', sa.Integer(), nullable=False),
        sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('token_hash'),
    )
    with op.batch_alter_table('replaced_invitation_links', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_replaced_invitation_links_invitation_id'), ['invitation_id'], unique=False
        )
    # The one link each invitation remembered so far; when it was replaced is not known:
    # its invitation's creation stands for it.
    op.execute(
        "INSERT INTO replaced_invitation_links (token_hash, invitation_id, replaced_at) "
        "SELECT replaced_token_hash, id, created_at FROM invitations "
        "WHERE replaced_token_hash IS NOT NULL"
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_replaced_token_hash'))
        batch_op.drop_column('replaced_token_hash')


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replaced_token_hash', sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_invitations_replaced_token_hash'), ['replaced_token_hash'], unique=False
        )
    # The column held the last link replaced only.
    op.execute(
        "UPDATE invitations SET replaced_token_hash = (SELECT token_hash FROM "
        "replaced_invitation_links AS r WHERE r.invitation_id = invitations.id "
        "ORDER BY r.replaced_at DESC LIMIT 1)"
    )
    with op.batch_alter_table('replaced_invitation_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_replaced_invitation_links_invitation_id'))
    op.drop_table('replaced_invitation_links')
