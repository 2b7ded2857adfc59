"""Storage: migrations match the models on both databases; items round-trip exactly."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from honing import accounts, datasets
from honing.domain import Item
from honing.storage import Base, Database
from records import record


def test_migrations_match_the_models(db):
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_migrating_twice_is_a_no_op(database_url):
    Database(database_url).dispose()
    Database(database_url).dispose()


def test_items_round_trip_and_are_shared(db, workspace):
    items = [_item(i) for i in range(3)]
    pairs = [(item.content_hash(), item) for item in items]
    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        ids, inserted = datasets.store_items(session, ws.id, pairs + pairs[:1])
        again, inserted_again = datasets.store_items(session, ws.id, pairs)
    assert inserted == 3 and inserted_again == 0
    assert ids[:3] == again and ids[3] == ids[0]
    with db.reading() as session:
        loaded = datasets.load_items(session, ids)
    assert [s.item for s in loaded] == items + items[:1]
    # Hashes recomputed from what the database gives back equal the stored ones.
    assert [s.item.content_hash() for s in loaded] == [s.content_hash for s in loaded]
    assert len(loaded[0].response_ids) == 2


def test_content_hash_ignores_key_order_but_not_content():
    body = _item(1).model_dump(mode="json")
    shuffled = dict(reversed(list(body.items())))
    assert Item.model_validate(shuffled).content_hash() == _item(1).content_hash()
    body["messages"][1]["content"] += "!"
    assert Item.model_validate(body).content_hash() != _item(1).content_hash()


def test_version_hash_depends_on_order():
    assert datasets.version_hash(["a", "b"]) != datasets.version_hash(["b", "a"])
    assert datasets.version_hash([]) == datasets.version_hash([])


@pytest.mark.parametrize("ref, expected", [("d", ("d", None)), ("d@3", ("d", "3")),
                                           ("d@abc123", ("d", "abc123"))])
def test_parse_ref(ref, expected):
    assert datasets.parse_ref(ref) == expected


def test_workspace_isolation_of_items(db, workspace):
    from conftest import OPERATOR

    with db.writing() as session:
        other = accounts.create_workspace(session, OPERATOR, "other")
        ws = accounts.get_workspace(session, workspace)
        item = _item(1)
        ids_a, _ = datasets.store_items(session, ws.id, [(item.content_hash(), item)])
        ids_b, _ = datasets.store_items(session, other.id, [(item.content_hash(), item)])
    assert ids_a != ids_b
    with db.reading() as session, pytest.raises(Exception, match="does not exist"):
        datasets.get_item(session, accounts.get_workspace(session, "other"), ids_a[0])


def _item(i: int) -> Item:
    body = record(i)
    body["external_id"] = body.pop("id")
    return Item.model_validate(body)


def test_open_items_migration_marks_full_items(database_url, backend):
    """0003 adds queue_item.is_full; rows already at their overlap must come out full."""
    from alembic import command
    from sqlalchemy import text

    from honing.storage._database import _alembic_config

    fresh = database_url if backend == "postgresql" else database_url.replace("honing.db", "old.db")
    db = Database(fresh, migrate=False)
    if backend == "postgresql":  # the template is already at head: start from scratch
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    config = _alembic_config()
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        rows = [
            "INSERT INTO workspace (id, name, title, created_at) VALUES (1, 'w', 'w', CURRENT_TIMESTAMP)",
            "INSERT INTO dataset (id, workspace_id, name, description, created_at) VALUES (1, 1, 'd', '', CURRENT_TIMESTAMP)",
            "INSERT INTO dataset_version (id, dataset_id, number, content_hash, item_count, operation, parameters, actor, created_at)"
            " VALUES (1, 1, 1, 'h', 2, 'import', '{}', 'x', CURRENT_TIMESTAMP)",
            "INSERT INTO rubric (id, workspace_id, name, created_at) VALUES (1, 1, 'r', CURRENT_TIMESTAMP)",
            "INSERT INTO rubric_version (id, rubric_id, number, content_hash, spec, source, actor, created_at)"
            " VALUES (1, 1, 1, 'h', '{}', '', 'x', CURRENT_TIMESTAMP)",
            "INSERT INTO queue (id, workspace_id, name, dataset_version_id, rubric_version_id, policy, status, actor, created_at)"
            " VALUES (1, 1, 'q', 1, 1, '{\"overlap\": 2}', 'active', 'x', CURRENT_TIMESTAMP)",
        ]
        for i in (1, 2, 3):
            rows.append(f"INSERT INTO item (id, workspace_id, content_hash, messages, context, tools, metadata, created_at)"
                        f" VALUES ({i}, 1, 'h{i}', '[]', '[]', '[]', '{{}}', CURRENT_TIMESTAMP)")
        rows += ["INSERT INTO queue_item (id, queue_id, item_id, kind, position, taken, submitted) VALUES (1, 1, 1, 'live', 0, 2, 2)",
                 "INSERT INTO queue_item (id, queue_id, item_id, kind, position, taken, submitted) VALUES (2, 1, 2, 'live', 1, 1, 1)",
                 "INSERT INTO queue_item (id, queue_id, item_id, kind, position, taken, submitted) VALUES (3, 1, 3, 'gold', 0, 5, 5)"]
        for row in rows:
            connection.execute(text(row))
    db.migrate()
    with db.engine.connect() as connection:
        full = dict(connection.execute(text("SELECT id, is_full FROM queue_item ORDER BY id")).all())
    db.dispose()
    assert {k: bool(v) for k, v in full.items()} == {1: True, 2: False, 3: False}
