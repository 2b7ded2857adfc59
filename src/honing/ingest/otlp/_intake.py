"""Receiving spans into a workspace: each span is kept once, and every conversation a batch
touches is rebuilt from all of its spans into its current item (decision 0027).

A batch is one transaction: spans, rebuilt items, the conversations' current items and the
feedback signals the spans carry are written together or not at all."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import orjson
from sqlalchemy import bindparam, select, text, update
from sqlalchemy.orm import Session

from honing import feedback
from honing._errors import InvalidInput
from honing.datasets import store_items
from honing.feedback import Signal
from honing.ingest.otlp._conversation import build_item
from honing.ingest.otlp._decode import SpanRecord
from honing.ingest.otlp._feedback import SOURCE, span_signals
from honing.storage import OtlpConversation, OtlpSpan, Workspace, execute_unprepared, utcnow
from honing.storage._tables import UtcDateTime

CONVERSATION_ID = "gen_ai.conversation.id"
_MAX_KEY = 300


@dataclass
class Received:
    """What a batch did: spans accepted (new or already known), refused with reasons, and
    the conversations whose current item it rebuilt."""

    accepted: int = 0
    rejected: list[str] = field(default_factory=list)
    conversations: dict[str, int] = field(default_factory=dict)  # key -> current item id

    def add(self, other: Received) -> None:
        self.accepted += other.accepted
        self.rejected += other.rejected
        self.conversations.update(other.conversations)


def receive_spans(session: Session, workspace: Workspace, spans: Iterable[SpanRecord]) -> Received:
    result = Received()
    signals: dict[str, list[Signal]] = {}
    kept: list[SpanRecord] = []
    for span in spans:
        try:
            found = span_signals(span)
        except InvalidInput as error:
            result.rejected.append(error.message)
            continue
        if found:
            signals[span.span_id] = found
        kept.append(span)
    if not kept:
        return result
    keys, known = _conversation_keys(session, workspace, kept)
    _insert_spans(session, workspace, kept, keys)
    result.accepted = len(kept)
    touched = list(dict.fromkeys(keys[s.trace_id] for s in kept))  # in order of arrival
    by_conversation: dict[str, list[SpanRecord]] = defaultdict(list)
    # A conversation with spans from earlier batches is rebuilt from everything stored; one
    # that is new in this batch (the usual case) from the batch itself, with no read back.
    earlier = [key for key in touched if key in known]
    for trace_id, span_id, conversation, body in execute_unprepared(session,
            select(OtlpSpan.trace_id, OtlpSpan.span_id, OtlpSpan.conversation, OtlpSpan.body)
            .where(OtlpSpan.workspace_id == workspace.id, OtlpSpan.conversation.in_(earlier))
    ) if earlier else ():
        by_conversation[conversation].append(SpanRecord.from_json(trace_id, span_id, body))
    fresh: dict[tuple[str, str], SpanRecord] = {}
    for span in kept:
        if keys[span.trace_id] not in known:
            fresh[(span.trace_id, span.span_id)] = span  # a span twice in one batch counts once
    for span in fresh.values():
        by_conversation[keys[span.trace_id]].append(span)
    built = {key: item for key in touched
             if (item := build_item(key, by_conversation[key])) is not None}
    if not built:
        return result
    ids, _ = store_items(session, workspace.id, [(i.content_hash(), i) for i in built.values()])
    current = dict(zip(built, ids, strict=True))
    rebuilt = [key for key in current if key in known]  # only these can have an item already
    previous = dict(execute_unprepared(session,
        select(OtlpConversation.conversation, OtlpConversation.item_id).where(
            OtlpConversation.workspace_id == workspace.id,
            OtlpConversation.conversation.in_(rebuilt))).all()) if rebuilt else {}
    _upsert_conversations(session, workspace, {k: v for k, v in current.items()
                                               if previous.get(k) != v})
    for key, item_id in current.items():
        if key in previous and previous[key] != item_id:
            feedback.move_signals(session, workspace, previous[key], item_id, SOURCE)
    pending: dict[int, list[Signal]] = defaultdict(list)
    for span in kept:
        key = keys[span.trace_id]
        if span.span_id in signals and key in current:
            pending[current[key]] += signals[span.span_id]
    for item_id, item_signals in pending.items():
        feedback.record_signals(session, workspace, item_id, item_signals)
    result.conversations = current
    return result


def _conversation_keys(session: Session, workspace: Workspace,
                       spans: list[SpanRecord]) -> tuple[dict[str, str], set[str]]:
    """trace id -> conversation key, and the keys that already have stored spans.
    `gen_ai.conversation.id` on any span of the trace names the conversation; without it
    the trace is its own conversation. A trace stored under its own key and now named
    moves to the named conversation."""
    named: dict[str, str] = {}
    for span in spans:
        value = span.attributes.get(CONVERSATION_ID)
        if value not in (None, "") and span.trace_id not in named:
            named[span.trace_id] = ("conversation:" + str(value))[:_MAX_KEY]
    traces = sorted({s.trace_id for s in spans})
    if session.get_bind().dialect.name == "postgresql":  # one statement for every batch size
        stored = dict(execute_unprepared(session, _STORED_TRACES_PG,
                                         {"workspace": workspace.id, "traces": traces}).all())
    else:
        stored = dict(session.execute(
            select(OtlpSpan.trace_id, OtlpSpan.conversation).where(
                OtlpSpan.workspace_id == workspace.id, OtlpSpan.trace_id.in_(traces))
            .distinct()).all())
    known = set(stored.values())
    if named:  # other traces of a named conversation may be stored already
        known.update(execute_unprepared(session, select(OtlpSpan.conversation).where(
            OtlpSpan.workspace_id == workspace.id,
            OtlpSpan.conversation.in_(set(named.values()))).distinct()).scalars())
    keys = {}
    for trace_id in traces:
        own = f"trace:{trace_id}"
        key = named.get(trace_id) or stored.get(trace_id) or own
        if stored.get(trace_id) == own and key != own:
            session.execute(update(OtlpSpan).where(
                OtlpSpan.workspace_id == workspace.id, OtlpSpan.trace_id == trace_id)
                .values(conversation=key))
            session.execute(OtlpConversation.__table__.delete().where(
                OtlpConversation.workspace_id == workspace.id,
                OtlpConversation.conversation == own))
        keys[trace_id] = key
        if trace_id in stored:
            known.add(key)
    return keys, known


def _insert_spans(session: Session, workspace: Workspace, spans: list[SpanRecord],
                  keys: dict[str, str]) -> None:
    rows = {(s.trace_id, s.span_id): s for s in spans}  # a span twice in one batch counts once
    document = orjson.dumps([(s.trace_id, s.span_id, keys[s.trace_id], s.start_ns,
                              s.as_json().decode()) for s in rows.values()]).decode()
    session.execute(_INSERT_SPANS[session.get_bind().dialect.name],
                    {"workspace": workspace.id, "now": utcnow(), "rows": document})


def _upsert_conversations(session: Session, workspace: Workspace, items: dict[str, int]) -> None:
    if items:
        session.execute(_UPSERT_CONVERSATIONS[session.get_bind().dialect.name],
                        {"workspace": workspace.id, "now": utcnow(),
                         "rows": orjson.dumps(list(items.items())).decode()})


# Each batch's rows are one statement over one JSON document that the database reads
# itself: an executemany binds and converts every value in Python, and on PostgreSQL sends
# and plans each row apart. (The `WHERE true` lets SQLite tell the upsert's ON CONFLICT
# from a join.)
_ROWS = {"postgresql": "jsonb_array_elements(CAST(:rows AS jsonb)) AS e",
         "sqlite": "(SELECT value AS e FROM json_each(:rows)) WHERE true"}
_INSERT_SPANS = {dialect: text(
    "INSERT INTO otlp_span (workspace_id, trace_id, span_id, conversation, start_ns, body, "
    f"received_at) SELECT :workspace, e->>0, e->>1, e->>2, CAST(e->>3 AS bigint), e->>4, :now "
    f"FROM {rows} ON CONFLICT (workspace_id, trace_id, span_id) DO NOTHING"
).bindparams(bindparam("now", type_=UtcDateTime())) for dialect, rows in _ROWS.items()}
_UPSERT_CONVERSATIONS = {dialect: text(
    "INSERT INTO otlp_conversation (workspace_id, conversation, item_id, first_seen, "
    f"updated_at) SELECT :workspace, e->>0, CAST(e->>1 AS bigint), :now, :now FROM {rows} "
    "ON CONFLICT (workspace_id, conversation) DO UPDATE "
    "SET item_id = excluded.item_id, updated_at = excluded.updated_at"
).bindparams(bindparam("now", type_=UtcDateTime())) for dialect, rows in _ROWS.items()}
_STORED_TRACES_PG = text(
    "SELECT DISTINCT trace_id, conversation FROM otlp_span WHERE workspace_id = :workspace "
    "AND trace_id = ANY(CAST(:traces AS text[]))")
