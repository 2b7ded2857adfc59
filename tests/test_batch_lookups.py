"""Batch lookups (keys in an array or a list) are planned for the keys they are given.

On PostgreSQL psycopg prepares a statement on the server after a connection has run it five
times, and the server then reuses one generic plan. Made while a table is still empty, that
plan finds rows by workspace alone and filters the keys, so each lookup reads the whole
workspace: intake into a new database slowed with every batch. These tests check the
lookups that storing items and receiving spans make are never prepared, and that the check
itself sees a prepared statement when there is one."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from honing import accounts
from honing.datasets import store_items
from honing.domain import Item
from honing.ingest import otlp
from honing.storage import Database, Workspace, execute_unprepared
from otlp_payloads import T0, genai_call, parts, request
from otlp_payloads import text as part

LOOKUP = text("SELECT id FROM workspace WHERE id = ANY(CAST(:ids AS bigint[]))")


def prepared(session, fragment: str) -> int:
    """Server-side prepared statements of this session's connection whose text holds
    `fragment`."""
    return session.scalar(text("SELECT count(*) FROM pg_prepared_statements "
                               "WHERE statement LIKE :pattern"), {"pattern": f"%{fragment}%"})


def test_a_lookup_gives_the_same_rows_either_way(db: Database, workspace: str) -> None:
    with db.reading() as session:
        ids = [accounts.get_workspace(session, workspace).id, 10**9]
        lookup = select(Workspace.id).where(Workspace.id.in_(ids))
        plain = session.execute(lookup).scalars().all()
        unprepared = execute_unprepared(session, lookup).scalars().all()
    assert plain == unprepared == ids[:1]


# Server-side prepared statements are PostgreSQL's.
postgresql_only = pytest.mark.parametrize("backend", ["postgresql"])


@postgresql_only
def test_an_unprepared_lookup_stays_unprepared_and_a_plain_one_does_not(db: Database) -> None:
    with db.reading() as session:
        for _ in range(8):
            execute_unprepared(session, LOOKUP, {"ids": [1, 2]}).all()
        assert prepared(session, "ANY(CAST(") == 0
        threshold = session.connection().connection.driver_connection.prepare_threshold
        assert threshold == 5  # restored after each call
        for _ in range(8):
            session.execute(LOOKUP, {"ids": [1, 2]}).all()
        assert prepared(session, "ANY(CAST(") == 1


@postgresql_only
def test_storing_items_batch_after_batch_prepares_no_lookup(db: Database,
                                                           workspace: str) -> None:
    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        for batch in range(8):
            items = [Item.model_validate({"messages": [{"role": "user",
                                                        "content": f"batch {batch} item {i}"}]})
                     for i in range(3)]
            ids, new = store_items(session, ws.id, [(item.content_hash(), item) for item in items])
            assert new == 3 and len(set(ids)) == 3
        assert prepared(session, "content_hash = ANY") == 0


@postgresql_only
def test_receiving_batch_after_batch_prepares_no_lookup(db: Database,
                                                       workspace: str) -> None:
    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        for batch in range(8):
            trace = f"{batch + 1:032x}"
            body = json.dumps(request([genai_call(
                trace, f"{batch + 1:016x}", [parts("user", part(f"question {batch}"))],
                [parts("assistant", part(f"answer {batch}"))], start=T0, end=T0 + 10**9,
                extra={"gen_ai.conversation.id": f"chat-{batch % 2}"})])).encode()
            spans, refused = otlp.decode_export(body, "application/json", None, 10**6)
            received = otlp.receive_export(session, ws, spans)
            assert not refused and received.accepted == 1
        assert prepared(session, "trace_id = ANY") == 0
        assert prepared(session, "otlp_span") == prepared(session, "INSERT INTO otlp_span")
