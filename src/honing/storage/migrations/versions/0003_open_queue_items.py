"""Open queue items: an `is_full` flag and a partial index so claims stop at the first open row.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("queue_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_full", sa.Boolean(), server_default=sa.text("false"),
                                      nullable=False))
        batch_op.drop_index("ix_queue_item_claim")
    # Existing rows: full when every place is taken (overlap lives in the queue's policy).
    op.execute(
        "UPDATE queue_item SET is_full = true WHERE kind = 'live' AND taken >= "
        f"(SELECT CAST({_overlap_expression()} AS INTEGER) FROM queue WHERE queue.id = queue_item.queue_id)"
    )
    op.create_index("ix_queue_item_open", "queue_item", ["queue_id", "kind", "position"],
                    unique=False, postgresql_where=sa.text("NOT is_full"),
                    sqlite_where=sa.text("NOT is_full"))


def downgrade() -> None:
    op.drop_index("ix_queue_item_open", table_name="queue_item")
    with op.batch_alter_table("queue_item", schema=None) as batch_op:
        batch_op.create_index("ix_queue_item_claim", ["queue_id", "kind", "taken", "position"])
        batch_op.drop_column("is_full")


def _overlap_expression() -> str:
    if op.get_bind().dialect.name == "postgresql":
        return "(queue.policy->>'overlap')"
    return "json_extract(queue.policy, '$.overlap')"
