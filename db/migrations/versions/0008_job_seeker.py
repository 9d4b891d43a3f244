"""job seeker: application tracker (jobs.status..., application_events), document versions
(documents.version, documents.origin), plans.redact_personal_data, usage_log.job_id

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 20:30:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('redact_personal_data', sa.Boolean(), server_default=sa.true(),
                                      nullable=False))
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='saved', nullable=False))
        batch_op.add_column(sa.Column('status_changed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('follow_up_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('notes', sa.Text(), nullable=True))
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('origin', sa.String(length=16), server_default='generated', nullable=False))
        batch_op.create_index('ix_documents_user_job_kind', ['user_id', 'job_id', 'kind'], unique=False)
    # the versions a job's document already has: number the existing copies oldest first
    op.execute(
        "UPDATE documents SET version = (SELECT COUNT(*) FROM documents d2 WHERE d2.user_id = documents.user_id "
        "AND d2.kind = documents.kind AND d2.job_id = documents.job_id AND d2.id <= documents.id) "
        "WHERE job_id IS NOT NULL"
    )
    with op.batch_alter_table('usage_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('job_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_usage_log_job', ['job_id'], unique=False,
                              sqlite_where=sa.text('job_id IS NOT NULL'),
                              postgresql_where=sa.text('job_id IS NOT NULL'))
    op.create_table('application_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('happened_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_application_events_job_id_jobs'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_application_events_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_events'))
    )
    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_events_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_events_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_events_user_id'))
        batch_op.drop_index(batch_op.f('ix_application_events_job_id'))
    op.drop_table('application_events')
    with op.batch_alter_table('usage_log', schema=None) as batch_op:
        batch_op.drop_index('ix_usage_log_job', sqlite_where=sa.text('job_id IS NOT NULL'),
                            postgresql_where=sa.text('job_id IS NOT NULL'))
        batch_op.drop_column('job_id')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_user_job_kind')
        batch_op.drop_column('origin')
        batch_op.drop_column('version')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('notes')
        batch_op.drop_column('follow_up_on')
        batch_op.drop_column('status_changed_at')
        batch_op.drop_column('status')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_column('redact_personal_data')
