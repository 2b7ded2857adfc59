"""The OTLP receiver's spans, kept once each, and the current item of each conversation.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('otlp_span',
    sa.Column('workspace_id', _ID, nullable=False),
    sa.Column('trace_id', sa.String(length=32), nullable=False),
    sa.Column('span_id', sa.String(length=16), nullable=False),
    sa.Column('conversation', sa.String(length=300), nullable=False),
    sa.Column('start_ns', sa.BigInteger(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_otlp_span_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workspace_id', 'trace_id', 'span_id', name=op.f('pk_otlp_span'))
    )
    op.create_index('ix_otlp_span_conversation', 'otlp_span', ['workspace_id', 'conversation'], unique=False)
    op.create_table('otlp_conversation',
    sa.Column('workspace_id', _ID, nullable=False),
    sa.Column('conversation', sa.String(length=300), nullable=False),
    sa.Column('item_id', _ID, nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_otlp_conversation_item_id_item')),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], name=op.f('fk_otlp_conversation_workspace_id_workspace'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workspace_id', 'conversation', name=op.f('pk_otlp_conversation'))
    )


def downgrade() -> None:
    op.drop_table('otlp_conversation')
    op.drop_index('ix_otlp_span_conversation', table_name='otlp_span')
    op.drop_table('otlp_span')
