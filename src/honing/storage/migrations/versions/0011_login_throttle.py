"""Sign-in throttling: failed sign-ins per account name and per client address, so every
server process refuses the same attempts.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_throttle',
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('lockouts', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('forget_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'key', name=op.f('pk_login_throttle'))
    )
    op.create_index('ix_login_throttle_forget_at', 'login_throttle', ['forget_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_login_throttle_forget_at', table_name='login_throttle')
    op.drop_table('login_throttle')
