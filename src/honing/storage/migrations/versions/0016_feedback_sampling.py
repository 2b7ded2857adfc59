"""Feedback signals on items (thumbs, ratings, comments, corrections from production) and the
inclusion probabilities of sampled dataset versions.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feedback_signal',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('workspace_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('item_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('scale', sa.Float(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=True),
    sa.Column('author', sa.String(length=200), nullable=True),
    sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_feedback_signal_item_id_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_feedback_signal_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_signal')),
    sa.UniqueConstraint('workspace_id', 'source', 'external_id', name=op.f('uq_feedback_signal_workspace_id'))
    )
    op.create_index('ix_feedback_signal_item', 'feedback_signal', ['item_id', 'kind'], unique=False)
    op.create_table('sample_inclusion',
    sa.Column('version_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('item_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('stratum', sa.String(length=200), nullable=True),
    sa.Column('probability', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_sample_inclusion_item_id_item')),
    sa.ForeignKeyConstraint(['version_id'], ['dataset_version.id'], name=op.f('fk_sample_inclusion_version_id_dataset_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('version_id', 'item_id', name=op.f('pk_sample_inclusion'))
    )


def downgrade() -> None:
    op.drop_table('sample_inclusion')
    op.drop_index('ix_feedback_signal_item', table_name='feedback_signal')
    op.drop_table('feedback_signal')
