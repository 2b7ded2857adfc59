"""Escalations that end: an assignee, an outcome with a note the rater reads, and who
resolved it when. Rows from before stay (or become) open.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

USER_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Statuses were only ever 'open'; anything else is from no released code path.
    op.execute("UPDATE escalation SET status = 'open' WHERE status IS NULL "
               "OR status NOT IN ('open', 'assigned', 'resolved')")
    with op.batch_alter_table("escalation") as batch:
        batch.alter_column("status", existing_type=sa.String(16), existing_nullable=False,
                           server_default="open")
        batch.add_column(sa.Column("assignee_id", USER_ID, nullable=True))
        batch.add_column(sa.Column("outcome", sa.String(32), nullable=True))
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("resolved_by_id", USER_ID, nullable=True))
        batch.create_foreign_key(batch.f("fk_escalation_assignee_id_user_account"), "user_account",
                                 ["assignee_id"], ["id"])
        batch.create_foreign_key(batch.f("fk_escalation_resolved_by_id_user_account"), "user_account",
                                 ["resolved_by_id"], ["id"])
        batch.create_index("ix_escalation_queue_status", ["queue_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("escalation") as batch:
        batch.drop_index("ix_escalation_queue_status")
        batch.drop_constraint(batch.f("fk_escalation_resolved_by_id_user_account"), type_="foreignkey")
        batch.drop_constraint(batch.f("fk_escalation_assignee_id_user_account"), type_="foreignkey")
        batch.drop_column("resolved_by_id")
        batch.drop_column("resolved_at")
        batch.drop_column("note")
        batch.drop_column("outcome")
        batch.drop_column("assignee_id")
        batch.alter_column("status", existing_type=sa.String(16), existing_nullable=False,
                           server_default=None)
