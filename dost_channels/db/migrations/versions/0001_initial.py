"""Initial schema: every store's tables (channels and the on-call outbox)

Revision ID: 0001
Revises: (none)
Create Date: 2026-12-01 11:17:19.089196
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

UNSENT = 'sent_at IS NULL AND gave_up_at IS NULL'  # the outbox_due index covers the rows still to send


def upgrade() -> None:
    op.create_table('api_clients',
    sa.Column('client_id', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('key_hash', sa.Text(), nullable=False),
    sa.Column('centers', sa.Text(), nullable=False),
    sa.Column('channels', sa.Text(), nullable=False),
    sa.Column('created_at', sa.Double(), nullable=False),
    sa.Column('revoked_at', sa.Double(), nullable=True),
    sa.PrimaryKeyConstraint('client_id'),
    sa.UniqueConstraint('key_hash')
    )
    op.create_table('completed_visits',
    sa.Column('visit_id', sa.Text(), nullable=False),
    sa.Column('center_id', sa.Text(), nullable=False),
    sa.Column('completed_at', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('visit_id')
    )
    with op.batch_alter_table('completed_visits', schema=None) as batch_op:
        batch_op.create_index('completed_visits_by_center', ['center_id', 'completed_at'], unique=False)

    op.create_table('devices',
    sa.Column('device_id', sa.Text(), nullable=False),
    sa.Column('center_id', sa.Text(), nullable=False),
    sa.Column('label', sa.Text(), server_default='', nullable=False),
    sa.Column('token_hash', sa.Text(), nullable=False),
    sa.Column('created_at', sa.Double(), nullable=False),
    sa.Column('revoked_at', sa.Double(), nullable=True),
    sa.PrimaryKeyConstraint('device_id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_table('invitation_outbox',
    sa.Column('visit_id', sa.Text(), nullable=False),
    sa.Column('phone_encrypted', sa.Text(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.Double(), nullable=False),
    sa.Column('expires_at', sa.Double(), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('next_attempt_at', sa.Double(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.Double(), nullable=True),
    sa.Column('gave_up_at', sa.Double(), nullable=True),
    sa.PrimaryKeyConstraint('visit_id')
    )
    with op.batch_alter_table('invitation_outbox', schema=None) as batch_op:
        batch_op.create_index('outbox_due', ['next_attempt_at'], unique=False, sqlite_where=sa.text(UNSENT),
                              postgresql_where=sa.text(UNSENT))

    op.create_table('invitations',
    sa.Column('visit_id', sa.Text(), nullable=False),
    sa.Column('phone_hash', sa.Text(), nullable=False),
    sa.Column('center_id', sa.Text(), nullable=False),
    sa.Column('service_group', sa.Text(), nullable=True),
    sa.Column('language', sa.Text(), nullable=False),
    sa.Column('created_at', sa.Double(), nullable=False),
    sa.Column('expires_at', sa.Double(), nullable=False),
    sa.Column('sent_at', sa.Double(), nullable=True),
    sa.Column('help_sent_at', sa.Double(), nullable=True),
    sa.Column('answered_at', sa.Double(), nullable=True),
    sa.Column('feedback_id', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('visit_id')
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index('invitations_by_phone', ['phone_hash', 'created_at'], unique=False)

    op.create_table('kiosk_presses',
    sa.Column('feedback_id', sa.Text(), nullable=False),
    sa.Column('device_id', sa.Text(), nullable=False),
    sa.Column('pressed_at', sa.Double(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('suspect', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('feedback_id')
    )
    with op.batch_alter_table('kiosk_presses', schema=None) as batch_op:
        batch_op.create_index('kiosk_presses_by_device', ['device_id', 'pressed_at'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('received_at', sa.Double(), nullable=False),
    sa.Column('receiver', sa.Text(), nullable=False),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('severity', sa.Text(), nullable=False),
    sa.Column('region', sa.Text(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('opt_outs',
    sa.Column('phone_hash', sa.Text(), nullable=False),
    sa.Column('opted_out_at', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('phone_hash')
    )
    op.create_table('qr_tokens',
    sa.Column('token_hash', sa.Text(), nullable=False),
    sa.Column('center_id', sa.Text(), nullable=False),
    sa.Column('service_group', sa.Text(), nullable=True),
    sa.Column('created_at', sa.Double(), nullable=False),
    sa.Column('expires_at', sa.Double(), nullable=False),
    sa.Column('used_at', sa.Double(), nullable=True),
    sa.Column('feedback_id', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('token_hash')
    )
    op.create_table('rate_buckets',
    sa.Column('bucket_key', sa.Text(), nullable=False),
    sa.Column('tokens', sa.Double(), nullable=False),
    sa.Column('updated_at', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('bucket_key')
    )
    op.create_table('sms_auto_replies',
    sa.Column('phone_hash', sa.Text(), nullable=False),
    sa.Column('day', sa.Text(), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('phone_hash', 'day')
    )
    op.create_table('sms_messages',
    sa.Column('message_id', sa.Text(), nullable=False),
    sa.Column('received_at', sa.Double(), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('message_id')
    )
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.create_index('sms_messages_by_time', ['received_at'], unique=False)

    op.create_table('deliveries',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Text(), nullable=False),
    sa.Column('channel_type', sa.Text(), nullable=False),
    sa.Column('channel_config', sa.Text(), nullable=False),
    sa.Column('state', sa.Text(), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('next_attempt_at', sa.Double(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.Double(), nullable=False),
    sa.CheckConstraint("state IN ('pending', 'sent', 'failed')", name='deliveries_state'),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index('deliveries_due', ['state', 'next_attempt_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('deliveries_due')

    op.drop_table('deliveries')
    with op.batch_alter_table('sms_messages', schema=None) as batch_op:
        batch_op.drop_index('sms_messages_by_time')

    op.drop_table('sms_messages')
    op.drop_table('sms_auto_replies')
    op.drop_table('rate_buckets')
    op.drop_table('qr_tokens')
    op.drop_table('opt_outs')
    op.drop_table('notifications')
    with op.batch_alter_table('kiosk_presses', schema=None) as batch_op:
        batch_op.drop_index('kiosk_presses_by_device')

    op.drop_table('kiosk_presses')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index('invitations_by_phone')

    op.drop_table('invitations')
    with op.batch_alter_table('invitation_outbox', schema=None) as batch_op:
        batch_op.drop_index('outbox_due', sqlite_where=sa.text(UNSENT), postgresql_where=sa.text(UNSENT))

    op.drop_table('invitation_outbox')
    op.drop_table('devices')
    with op.batch_alter_table('completed_visits', schema=None) as batch_op:
        batch_op.drop_index('completed_visits_by_center')

    op.drop_table('completed_visits')
    op.drop_table('api_clients')
