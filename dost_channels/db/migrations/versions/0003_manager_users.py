"""Managers' accounts: users with argon2 password hashes, roles and scope; their tokens

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 13:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('manager_users',
    sa.Column('user_id', sa.Text(), nullable=False),
    sa.Column('email', sa.Text(), nullable=False),
    sa.Column('role', sa.Text(), nullable=False),
    sa.Column('centers', sa.Text(), nullable=False),
    sa.Column('region', sa.Text(), nullable=True),
    sa.Column('password_hash', sa.Text(), nullable=True),
    sa.Column('created_at', sa.Double(), nullable=False),
    sa.Column('disabled_at', sa.Double(), nullable=True),
    sa.CheckConstraint("role IN ('manager', 'regional', 'admin')", name='manager_users_role'),
    sa.PrimaryKeyConstraint('user_id'),
    sa.UniqueConstraint('email')
    )
    op.create_table('manager_tokens',
    sa.Column('token_hash', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Text(), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('created_at', sa.Double(), nullable=False),
    sa.Column('expires_at', sa.Double(), nullable=True),
    sa.Column('used_at', sa.Double(), nullable=True),
    sa.CheckConstraint("purpose IN ('set_password', 'api')", name='manager_tokens_purpose'),
    sa.ForeignKeyConstraint(['user_id'], ['manager_users.user_id'], ),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('manager_tokens', schema=None) as batch_op:
        batch_op.create_index('manager_tokens_by_user', ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('manager_tokens', schema=None) as batch_op:
        batch_op.drop_index('manager_tokens_by_user')
    op.drop_table('manager_tokens')
    op.drop_table('manager_users')
