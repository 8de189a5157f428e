"""follow_up_reports: where the CE certification stands, and the authorisation's end asked

Reports sent before this revision said nothing of it: their certification is NULL.

Revision ID: 017be4a18306
Revises: ce1569d72115
Create Date: 2026-12-05 21:58:45.262362

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '017be4a18306'
down_revision = 'ce1569d72115'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('follow_up_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certification', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('ce_expected_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('certificate_number', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('certificate_body', sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column('certificate_issued_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('end_asked', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('follow_up_reports', schema=None) as batch_op:
        batch_op.drop_column('end_asked')
        batch_op.drop_column('certificate_issued_on')
        batch_op.drop_column('certificate_body')
        batch_op.drop_column('certificate_number')
        batch_op.drop_column('ce_expected_on')
        batch_op.drop_column('certification')
