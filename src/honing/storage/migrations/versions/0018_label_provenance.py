"""Labels brought in from other tools (Label Studio, Argilla, Langfuse) keep where they came
from: the tool, its ids, its annotator and timestamps.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('label') as batch:
        batch.add_column(sa.Column(
            'provenance', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
            nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('label') as batch:
        batch.drop_column('provenance')
