"""Figure cache: computed figures (quality reports, card agreement) with the state of the
data they were computed from, reused while that state holds; an index that finds a
queue's newest label change in one seek (part of that state).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('figure_cache',
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=400), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('refreshing_since', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('kind', 'key', name=op.f('pk_figure_cache'))
    )
    op.create_index('ix_label_updated', 'label', ['queue_id', 'updated_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_label_updated', table_name='label')
    op.drop_table('figure_cache')
