"""documents.written_for: what the request was for (the patient, or "global") when a document
of no set kind was added, so that one added for another patient or type of access is marked

Revision ID: c251d69a2c5c
Revises: cfbeeabefc24
Create Date: 2026-12-04 19:57:58.836293

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c251d69a2c5c'
down_revision = 'cfbeeabefc24'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('written_for', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('written_for')
