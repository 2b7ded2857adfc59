"""Audit events get their place in the chain when sealed, not when written; the per-item
`submitted` counter goes (labels are counted instead), so submits never write the hot
queue_item rows that claims lock.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                                      nullable=True))
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=True)
    # Until now the chain ran in id order.
    op.execute("UPDATE audit_event SET seq = id")
    op.create_index("ix_audit_event_seq", "audit_event", ["seq"], unique=True)
    op.create_index("ix_audit_event_unsealed", "audit_event", ["id"], unique=False,
                    postgresql_where=sa.text("seq IS NULL"), sqlite_where=sa.text("seq IS NULL"))
    with op.batch_alter_table("queue_item", schema=None) as batch_op:
        batch_op.drop_column("submitted")


def downgrade() -> None:
    with op.batch_alter_table("queue_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submitted", sa.Integer(), nullable=False, server_default="0"))
    op.drop_index("ix_audit_event_unsealed", table_name="audit_event")
    op.drop_index("ix_audit_event_seq", table_name="audit_event")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_column("seq")
