"""Token lifetimes: an API token created in a browser session records that session, so it
ends with it (revoked at its logout). Existing tokens keep their expiry, none or not.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = '0011'
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("api_token") as batch:
        batch.add_column(sa.Column("session_id", Id, nullable=True))
        batch.create_foreign_key(op.f("fk_api_token_session_id_api_token"), "api_token",
                                 ["session_id"], ["id"], ondelete="CASCADE")
        batch.create_index(op.f("ix_api_token_session_id"), ["session_id"])


def downgrade() -> None:
    with op.batch_alter_table("api_token") as batch:
        batch.drop_index(op.f("ix_api_token_session_id"))
        batch.drop_constraint(op.f("fk_api_token_session_id_api_token"), type_="foreignkey")
        batch.drop_column("session_id")
