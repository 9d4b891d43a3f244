"""analytics rollups: daily usage, latency histograms and per-user daily usage

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 15:27:30.667938
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('rollup_state',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=True),
    sa.Column('max_ledger_id', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_rollup_state'))
    )
    op.create_table('usage_daily',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('plan', sa.String(length=32), nullable=False),
    sa.Column('task_type', sa.String(length=32), nullable=False),
    sa.Column('provider', sa.String(length=64), nullable=False),
    sa.Column('model', sa.String(length=128), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('requests', sa.BigInteger(), nullable=False),
    sa.Column('attempts', sa.BigInteger(), nullable=False),
    sa.Column('tokens_input', sa.BigInteger(), nullable=False),
    sa.Column('tokens_output', sa.BigInteger(), nullable=False),
    sa.Column('tokens_cached', sa.BigInteger(), nullable=False),
    sa.Column('tokens_reasoning', sa.BigInteger(), nullable=False),
    sa.Column('tokens_cache_write', sa.BigInteger(), nullable=False),
    sa.Column('cost_usd', sa.BigInteger(), nullable=False),
    sa.Column('unpriced', sa.BigInteger(), nullable=False),
    sa.Column('charged_usd', sa.BigInteger(), nullable=False),
    sa.Column('latency_ms_sum', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_usage_daily'))
    )
    with op.batch_alter_table('usage_daily', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_usage_daily_day'), ['day'], unique=False)

    op.create_table('usage_latency_daily',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('plan', sa.String(length=32), nullable=False),
    sa.Column('task_type', sa.String(length=32), nullable=False),
    sa.Column('provider', sa.String(length=64), nullable=False),
    sa.Column('model', sa.String(length=128), nullable=False),
    sa.Column('bucket', sa.Integer(), nullable=False),
    sa.Column('calls', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_usage_latency_daily'))
    )
    with op.batch_alter_table('usage_latency_daily', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_usage_latency_daily_day'), ['day'], unique=False)

    op.create_table('usage_user_daily',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('plan', sa.String(length=32), nullable=False),
    sa.Column('requests', sa.BigInteger(), nullable=False),
    sa.Column('attempts', sa.BigInteger(), nullable=False),
    sa.Column('errors', sa.BigInteger(), nullable=False),
    sa.Column('tokens_input', sa.BigInteger(), nullable=False),
    sa.Column('tokens_output', sa.BigInteger(), nullable=False),
    sa.Column('cost_usd', sa.BigInteger(), nullable=False),
    sa.Column('unpriced', sa.BigInteger(), nullable=False),
    sa.Column('charged_usd', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_usage_user_daily'))
    )
    with op.batch_alter_table('usage_user_daily', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_usage_user_daily_day'), ['day'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('usage_user_daily', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_usage_user_daily_day'))

    op.drop_table('usage_user_daily')
    with op.batch_alter_table('usage_latency_daily', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_usage_latency_daily_day'))

    op.drop_table('usage_latency_daily')
    with op.batch_alter_table('usage_daily', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_usage_daily_day'))

    op.drop_table('usage_daily')
    op.drop_table('rollup_state')
