"""dossiers.started_as: the one-time mark of the form that started a draft, so that the same
form sent twice (a double click without JavaScript) starts one draft

Revision ID: 3c8d1e6f2a90
Revises: 017be4a18306
Create Date: 2026-12-07 19:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c8d1e6f2a90'
down_revision = '017be4a18306'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('started_as', sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint(
            'uq_dossiers_started_as', ['organisation_id', 'started_as']
        )


def downgrade():
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_constraint('uq_dossiers_started_as', type_='unique')
        batch_op.drop_column('started_as')
