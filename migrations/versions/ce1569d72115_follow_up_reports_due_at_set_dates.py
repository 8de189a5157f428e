"""report_dues and decisions.report_every_months: follow-up reports due at set dates

Authorisations signed before this revision set no dates: their follow-up conditions say in
words what they ask.

Revision ID: ce1569d72115
Revises: bb4fe0e24a35
Create Date: 2026-12-05 18:31:49.805838

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ce1569d72115'
down_revision = 'bb4fe0e24a35'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_dues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name='fk_report_dues_decision_id', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name='fk_report_dues_dossier_id', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['follow_up_reports.id'], name='fk_report_dues_report_id', ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dossier_id', 'due_on', name='uq_report_dues_due_on')
    )
    with op.batch_alter_table('report_dues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_dues_dossier_id'), ['dossier_id'], unique=False)

    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_every_months', sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_column('report_every_months')

    with op.batch_alter_table('report_dues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_dues_dossier_id'))

    op.drop_table('report_dues')
