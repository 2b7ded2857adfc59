"""Alembic environment: Honing passes the live connection in `config.attributes`."""

from alembic import context

from honing.storage._tables import Base, UtcDateTime


def render_item(type_, obj, autogen_context):  # type: ignore[no-untyped-def]
    # Migrations must not import application types: write the plain column type.
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    render_item=render_item,
)
with context.begin_transaction():
    context.run_migrations()
