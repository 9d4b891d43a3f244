"""self-service plans: invoices, plan_changes (each existing user gets the plan they are on now
from their sign-up on), credit_transactions.invoice_id

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 04:30:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('invoices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('plan_code', sa.String(length=32), nullable=True),
    sa.Column('amount_usd', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('provider_ref', sa.String(length=128), nullable=True),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_invoices_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoices')),
    sa.UniqueConstraint('user_id', 'idempotency_key', name='uq_invoices_user_key')
    )
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoices_user_id'), ['user_id'], unique=False)
    op.create_table('plan_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('from_plan', sa.String(length=32), nullable=True),
    sa.Column('to_plan', sa.String(length=32), nullable=False),
    sa.Column('effective_at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=True),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_plan_changes_invoice_id_invoices'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_plan_changes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_changes')),
    sa.UniqueConstraint('user_id', 'idempotency_key', name='uq_plan_changes_user_key')
    )
    op.create_index('ix_plan_changes_user_when', 'plan_changes', ['user_id', 'effective_at'], unique=False)
    with op.batch_alter_table('credit_transactions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invoice_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_credit_transactions_invoice_id_invoices'), 'invoices',
                                    ['invoice_id'], ['id'], ondelete='SET NULL')
    # the history starts with the plan each existing user is on now, from their sign-up on
    op.execute(
        "INSERT INTO plan_changes (user_id, from_plan, to_plan, effective_at, actor, reason) "
        "SELECT u.id, NULL, p.code, u.created_at, 'migration', 'plan at sign-up' "
        "FROM users u JOIN plans p ON p.id = u.plan_id"
    )


def downgrade() -> None:
    with op.batch_alter_table('credit_transactions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_credit_transactions_invoice_id_invoices'), type_='foreignkey')
        batch_op.drop_column('invoice_id')
    op.drop_index('ix_plan_changes_user_when', table_name='plan_changes')
    op.drop_table('plan_changes')
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoices_user_id'))
    op.drop_table('invoices')
