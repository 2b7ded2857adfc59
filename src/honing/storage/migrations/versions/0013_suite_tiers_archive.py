"""Suites: the tiers a suite file declares (with each version, most important first), whether
a suite is held out from training (what the contamination check compares with; suites
stored before are marked held out, as every suite was compared), and when it was archived.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    with op.batch_alter_table('eval_suite', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_out', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('eval_suite_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tier_names', JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('eval_suite_version', schema=None) as batch_op:
        batch_op.drop_column('tier_names')
    with op.batch_alter_table('eval_suite', schema=None) as batch_op:
        batch_op.drop_column('archived_at')
        batch_op.drop_column('held_out')
