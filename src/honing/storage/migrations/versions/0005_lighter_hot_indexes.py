"""Less work in the statements every claim and submit runs.

Audit events lose the indexes nothing reads (action, and the unique hash: the chain is
checked by walking it); the workspace index gains `id`, the order its events are listed
in. The review index holds only the labels sampled for review. Each rater's count of
labels in a queue is kept in `rater_progress`, so a claim reads one row instead of
counting them all.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "rater_progress",
        sa.Column("queue_id", _ID, nullable=False),
        sa.Column("rater_id", _ID, nullable=False),
        sa.Column("labels", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["queue_id"], ["queue.id"], name=op.f("fk_rater_progress_queue_id_queue"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["rater_id"], ["user_account.id"],
                                name=op.f("fk_rater_progress_rater_id_user_account")),
        sa.PrimaryKeyConstraint("queue_id", "rater_id", name=op.f("pk_rater_progress")),
    )
    op.execute("INSERT INTO rater_progress (queue_id, rater_id, labels) "
               "SELECT queue_id, rater_id, count(*) FROM label GROUP BY queue_id, rater_id")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_constraint("uq_audit_event_hash", type_="unique")
        batch_op.drop_index("ix_audit_event_action")
        batch_op.drop_index("ix_audit_event_workspace")
        batch_op.create_index("ix_audit_event_workspace", ["workspace", "id"], unique=False)
    with op.batch_alter_table("label", schema=None) as batch_op:
        batch_op.drop_index("ix_label_review")
        batch_op.create_index("ix_label_review", ["queue_id", "status"], unique=False,
                              postgresql_where=sa.text("audit"), sqlite_where=sa.text("audit"))


def downgrade() -> None:
    op.drop_table("rater_progress")
    with op.batch_alter_table("label", schema=None) as batch_op:
        batch_op.drop_index("ix_label_review")
        batch_op.create_index("ix_label_review", ["queue_id", "audit", "status"], unique=False)
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_workspace")
        batch_op.create_index("ix_audit_event_workspace", ["workspace"], unique=False)
        batch_op.create_index("ix_audit_event_action", ["action"], unique=False)
        batch_op.create_unique_constraint("uq_audit_event_hash", ["hash"])
