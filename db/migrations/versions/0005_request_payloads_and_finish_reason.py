"""request payloads for the inspector, plans.keep_payloads, usage_log.finish_reason

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 16:20:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('request_payloads',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('request_id', sa.String(length=32), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('system', sa.Text(), nullable=False),
    sa.Column('prompt', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('images', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_request_payloads_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_payloads')),
    sa.UniqueConstraint('request_id', 'attempt', name=op.f('uq_request_payloads_request_id_attempt'))
    )
    with op.batch_alter_table('request_payloads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_payloads_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_request_payloads_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('keep_payloads', sa.Boolean(), server_default=sa.false(), nullable=False))
    # nullable without a default: PostgreSQL adds the column without rewriting the ledger
    with op.batch_alter_table('usage_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('finish_reason', sa.String(length=24), nullable=True))
    # /metrics counts quota denials by plan and reason: a partial index holding only the denial rows
    op.create_index('ix_usage_log_quota_denied', 'usage_log', ['plan', 'error_type'], unique=False,
                    sqlite_where=sa.text("status = 'quota_denied'"),
                    postgresql_where=sa.text("status = 'quota_denied'"))


def downgrade() -> None:
    op.drop_index('ix_usage_log_quota_denied', table_name='usage_log')
    with op.batch_alter_table('usage_log', schema=None) as batch_op:
        batch_op.drop_column('finish_reason')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_column('keep_payloads')
    with op.batch_alter_table('request_payloads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_payloads_user_id'))
        batch_op.drop_index(batch_op.f('ix_request_payloads_expires_at'))
    op.drop_table('request_payloads')
