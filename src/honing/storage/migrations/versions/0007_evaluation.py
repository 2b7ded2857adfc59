"""Evaluation: suites and their immutable versions, scenarios in their own rows (runs
stream them), runs, one result per scenario and repeat, and the response cache.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('eval_cache',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('reply', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_eval_cache'))
    )
    op.create_table('eval_suite',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('workspace_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_eval_suite_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eval_suite')),
    sa.UniqueConstraint('workspace_id', 'name', name=op.f('uq_eval_suite_workspace_id'))
    )
    op.create_table('eval_suite_version',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('suite_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('scenario_count', sa.Integer(), nullable=False),
    sa.Column('tiers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['suite_id'], ['eval_suite.id'], name=op.f('fk_eval_suite_version_suite_id_eval_suite'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eval_suite_version')),
    sa.UniqueConstraint('suite_id', 'number', name=op.f('uq_eval_suite_version_suite_id'))
    )
    with op.batch_alter_table('eval_suite_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_eval_suite_version_content_hash'), ['content_hash'], unique=False)

    op.create_table('eval_run',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('workspace_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('suite_version_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('target', sa.String(length=1000), nullable=False),
    sa.Column('config', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['suite_version_id'], ['eval_suite_version.id'], name=op.f('fk_eval_run_suite_version_id_eval_suite_version')),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_eval_run_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eval_run'))
    )
    with op.batch_alter_table('eval_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_eval_run_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('eval_scenario',
    sa.Column('version_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('scenario_id', sa.String(length=200), nullable=False),
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.Column('spec', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['eval_suite_version.id'], name=op.f('fk_eval_scenario_version_id_eval_suite_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('version_id', 'position', name=op.f('pk_eval_scenario'))
    )
    op.create_table('eval_result',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('scenario_id', sa.String(length=200), nullable=False),
    sa.Column('repeat', sa.Integer(), nullable=False),
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.Column('tags', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('output', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('scores', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('latency_ms', sa.Float(), nullable=True),
    sa.Column('prompt_tokens', sa.Integer(), nullable=True),
    sa.Column('completion_tokens', sa.Integer(), nullable=True),
    sa.Column('cost', sa.Float(), nullable=True),
    sa.Column('cached', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['eval_run.id'], name=op.f('fk_eval_result_run_id_eval_run'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eval_result')),
    sa.UniqueConstraint('run_id', 'scenario_id', 'repeat', name=op.f('uq_eval_result_run_id'))
    )
    with op.batch_alter_table('eval_result', schema=None) as batch_op:
        batch_op.create_index('ix_eval_result_run_status', ['run_id', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('eval_result', schema=None) as batch_op:
        batch_op.drop_index('ix_eval_result_run_status')

    op.drop_table('eval_result')
    op.drop_table('eval_scenario')
    with op.batch_alter_table('eval_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_eval_run_workspace_id'))

    op.drop_table('eval_run')
    with op.batch_alter_table('eval_suite_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_eval_suite_version_content_hash'))

    op.drop_table('eval_suite_version')
    op.drop_table('eval_suite')
    op.drop_table('eval_cache')
