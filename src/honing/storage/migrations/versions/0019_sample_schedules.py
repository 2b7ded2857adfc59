"""Scheduled sampling: schedules that draw a design from a dataset's newest version every
period, and the runs they made; the sampled version that queued each queue item.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.add_column('queue_item', sa.Column('sample_version_id', _ID, nullable=True))
    op.create_table('sample_schedule',
    sa.Column('id', _ID, nullable=False),
    sa.Column('workspace_id', _ID, nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=128), nullable=False),
    sa.Column('into', sa.String(length=128), nullable=False),
    sa.Column('queue', sa.String(length=64), nullable=True),
    sa.Column('design', _JSON, nullable=False),
    sa.Column('every_seconds', sa.Integer(), nullable=False),
    sa.Column('next_run_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_sample_schedule_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sample_schedule')),
    sa.UniqueConstraint('workspace_id', 'name', name=op.f('uq_sample_schedule_workspace_id'))
    )
    op.create_table('sample_schedule_run',
    sa.Column('id', _ID, nullable=False),
    sa.Column('schedule_id', _ID, nullable=False),
    sa.Column('version_id', _ID, nullable=True),
    sa.Column('ran_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', _JSON, nullable=False),
    sa.ForeignKeyConstraint(['schedule_id'], ['sample_schedule.id'], name=op.f('fk_sample_schedule_run_schedule_id_sample_schedule'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['dataset_version.id'], name=op.f('fk_sample_schedule_run_version_id_dataset_version'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sample_schedule_run'))
    )
    op.create_index(op.f('ix_sample_schedule_run_schedule_id'), 'sample_schedule_run', ['schedule_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_sample_schedule_run_schedule_id'), table_name='sample_schedule_run')
    op.drop_table('sample_schedule_run')
    op.drop_table('sample_schedule')
    with op.batch_alter_table('queue_item') as batch:
        batch.drop_column('sample_version_id')
