"""Follow-up cases: one per feedback_id, their audit history (relayed to followup.cases), SMS contacts

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 13:25:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

UNPUBLISHED = 'published_at IS NULL'  # the history entries the case agent has still to relay


def upgrade() -> None:
    op.create_table('followup_cases',
    sa.Column('case_id', sa.Text(), nullable=False),
    sa.Column('feedback_id', sa.Text(), nullable=False),
    sa.Column('center_id', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('sentiment_label', sa.Text(), nullable=True),
    sa.Column('sentiment_score', sa.Double(), nullable=True),
    sa.Column('language', sa.Text(), nullable=True),
    sa.Column('service_group', sa.Text(), nullable=True),
    sa.Column('channel', sa.Text(), nullable=False),
    sa.Column('opened_at', sa.Double(), nullable=False),
    sa.Column('due_at', sa.Double(), nullable=False),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('assignee', sa.Text(), nullable=True),
    sa.Column('root_cause', sa.Text(), nullable=True),
    sa.Column('resolution_note', sa.Text(), nullable=True),
    sa.Column('resolved_at', sa.Double(), nullable=True),
    sa.Column('closed_at', sa.Double(), nullable=True),
    sa.Column('updated_at', sa.Double(), nullable=False),
    sa.Column('reply_sent_at', sa.Double(), nullable=True),
    sa.Column('survey_sent_at', sa.Double(), nullable=True),
    sa.Column('survey_rating', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('open', 'in_progress', 'resolved', 'closed')", name='followup_cases_status'),
    sa.PrimaryKeyConstraint('case_id'),
    sa.UniqueConstraint('feedback_id', name='followup_cases_feedback_id')
    )
    with op.batch_alter_table('followup_cases', schema=None) as batch_op:
        batch_op.create_index('followup_cases_by_center', ['center_id', 'status', 'due_at'], unique=False)
        batch_op.create_index('followup_cases_by_due', ['status', 'due_at'], unique=False)

    op.create_table('followup_case_history',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('case_id', sa.Text(), nullable=False),
    sa.Column('at', sa.Double(), nullable=False),
    sa.Column('actor', sa.Text(), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('from_status', sa.Text(), nullable=True),
    sa.Column('to_status', sa.Text(), nullable=False),
    sa.Column('root_cause', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('published_at', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['followup_cases.case_id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('followup_case_history', schema=None) as batch_op:
        batch_op.create_index('followup_case_history_by_case', ['case_id', 'id'], unique=False)
        batch_op.create_index('followup_case_history_unpublished', ['id'], unique=False,
                              sqlite_where=sa.text(UNPUBLISHED), postgresql_where=sa.text(UNPUBLISHED))

    op.create_table('followup_contacts',
    sa.Column('feedback_id', sa.Text(), nullable=False),
    sa.Column('phone_hash', sa.Text(), nullable=False),
    sa.Column('phone_encrypted', sa.Text(), nullable=False),
    sa.Column('language', sa.Text(), nullable=False),
    sa.Column('created_at', sa.Double(), nullable=False),
    sa.Column('expires_at', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('feedback_id')
    )
    with op.batch_alter_table('followup_contacts', schema=None) as batch_op:
        batch_op.create_index('followup_contacts_by_expiry', ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('followup_contacts', schema=None) as batch_op:
        batch_op.drop_index('followup_contacts_by_expiry')

    op.drop_table('followup_contacts')
    with op.batch_alter_table('followup_case_history', schema=None) as batch_op:
        batch_op.drop_index('followup_case_history_unpublished', sqlite_where=sa.text(UNPUBLISHED),
                            postgresql_where=sa.text(UNPUBLISHED))
        batch_op.drop_index('followup_case_history_by_case')

    op.drop_table('followup_case_history')
    with op.batch_alter_table('followup_cases', schema=None) as batch_op:
        batch_op.drop_index('followup_cases_by_due')
        batch_op.drop_index('followup_cases_by_center')

    op.drop_table('followup_cases')
