"""Data governance: the editable fields of dataset cards, checks run on dataset versions
(PII scan, duplicates, contamination), and retention policies.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('dataset_card',
    sa.Column('dataset_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('intended_use', sa.Text(), nullable=False),
    sa.Column('limitations', sa.Text(), nullable=False),
    sa.Column('license', sa.String(length=200), nullable=False),
    sa.Column('consent', sa.Text(), nullable=False),
    sa.Column('retention_notes', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['dataset.id'], name=op.f('fk_dataset_card_dataset_id_dataset'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dataset_id', name=op.f('pk_dataset_card'))
    )
    op.create_table('dataset_version_check',
    sa.Column('version_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('parameters', JSON, nullable=False),
    sa.Column('result', JSON, nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['dataset_version.id'], name=op.f('fk_dataset_version_check_version_id_dataset_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('version_id', 'kind', name=op.f('pk_dataset_version_check'))
    )
    op.create_table('retention_policy',
    sa.Column('dataset_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('field', sa.String(length=64), nullable=False),
    sa.Column('equals', sa.String(length=200), nullable=False),
    sa.Column('after_days', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['dataset.id'], name=op.f('fk_retention_policy_dataset_id_dataset'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dataset_id', name=op.f('pk_retention_policy'))
    )


def downgrade() -> None:
    op.drop_table('retention_policy')
    op.drop_table('dataset_version_check')
    op.drop_table('dataset_card')
