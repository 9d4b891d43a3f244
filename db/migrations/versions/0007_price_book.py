"""the price book: price_versions (backfilled from the catalog), repricing runs and batches,
and per-row price version, unpriced reason, finer usage and re-pricing marks on usage_log

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 18:10:00
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the first version of every existing price applies to all history before the price book
_EPOCH = datetime(2000, 1, 1)
_COLUMNS = {"input_mtok": "input_usd_per_mtok", "output_mtok": "output_usd_per_mtok",
            "cache_read_mtok": "cached_input_usd_per_mtok", "cache_write_mtok": "cache_write_usd_per_mtok"}
_TIER_NAMES = {"input_mtok": "input", "output_mtok": "output", "cache_read_mtok": "cached_input",
               "cache_write_mtok": "cache_write"}


def _usd(pico: int | None) -> str | None:
    return None if pico is None else str(Decimal(int(pico)).scaleb(-12).normalize())


def upgrade() -> None:
    versions = op.create_table('price_versions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('model', sa.String(length=128), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.DateTime(), nullable=False),
    sa.Column('prices', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('created_by', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_versions')),
    sa.UniqueConstraint('kind', 'model', 'version', name=op.f('uq_price_versions_kind_model_version'))
    )
    op.create_index('ix_price_versions_model_from', 'price_versions', ['kind', 'model', 'effective_from'],
                    unique=False)
    op.create_table('repricing_runs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('model', sa.String(length=128), nullable=False),
    sa.Column('period_start', sa.DateTime(), nullable=False),
    sa.Column('period_end', sa.DateTime(), nullable=False),
    sa.Column('price_version_id', sa.Integer(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('old_total_usd', sa.BigInteger(), nullable=False),
    sa.Column('new_total_usd', sa.BigInteger(), nullable=False),
    sa.Column('actor', sa.String(length=255), nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['price_version_id'], ['price_versions.id'],
                            name=op.f('fk_repricing_runs_price_version_id_price_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_repricing_runs'))
    )
    op.create_table('repricing_batches',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('first_row_id', sa.BigInteger(), nullable=False),
    sa.Column('last_row_id', sa.BigInteger(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('old_total_usd', sa.BigInteger(), nullable=False),
    sa.Column('new_total_usd', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['repricing_runs.id'], name=op.f('fk_repricing_batches_run_id_repricing_runs'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_repricing_batches'))
    )
    op.create_index(op.f('ix_repricing_batches_run_id'), 'repricing_batches', ['run_id'], unique=False)
    # nullable without defaults: PostgreSQL adds them without rewriting the ledger
    with op.batch_alter_table('usage_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('price_version_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('unpriced_reason', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('usage_detail', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('repriced_run_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('cost_before_repricing_usd', sa.BigInteger(), nullable=True))

    # version 1 of every catalog price, as it stands, in force since before any ledger row
    bind = op.get_bind()
    catalog = bind.execute(sa.text(
        "SELECT kind, model, input_usd_per_mtok, output_usd_per_mtok, cached_input_usd_per_mtok, "
        "cache_write_usd_per_mtok, price_tiers, price_source FROM model_catalog")).mappings().all()
    now = datetime.utcnow()
    rows = []
    for m in catalog:
        tiers = m["price_tiers"] or {}
        if isinstance(tiers, str):
            import json
            tiers = json.loads(tiers)
        prices: dict = {}
        for key, column in _COLUMNS.items():
            base = _usd(m[column])
            if base is None:
                continue
            steps = tiers.get(_TIER_NAMES[key]) or []
            prices[key] = {"base": base, "tiers": steps} if steps else base
        rows.append({"kind": m["kind"], "model": m["model"], "version": 1, "effective_from": _EPOCH,
                     "prices": prices, "source": m["price_source"] or "migration",
                     "note": "The catalog price when the price book was introduced.", "created_by": None,
                     "created_at": now})
    if rows:
        op.bulk_insert(versions, rows)


def downgrade() -> None:
    with op.batch_alter_table('usage_log', schema=None) as batch_op:
        batch_op.drop_column('cost_before_repricing_usd')
        batch_op.drop_column('repriced_run_id')
        batch_op.drop_column('usage_detail')
        batch_op.drop_column('unpriced_reason')
        batch_op.drop_column('price_version_id')
    op.drop_index(op.f('ix_repricing_batches_run_id'), table_name='repricing_batches')
    op.drop_table('repricing_batches')
    op.drop_table('repricing_runs')
    op.drop_index('ix_price_versions_model_from', table_name='price_versions')
    op.drop_table('price_versions')
