"""Claim and submit on PostgreSQL without the ORM or a worker thread.

They are the two requests every rater makes all day, so the API serves them with
asynchronous psycopg and raw statements: one pooled connection, one statement per claim
and two per submit, no thread hand-off. The rules are those of `claim_next` and `submit`, and so is the SQL.
Anything beyond the common case returns None, and the caller runs the synchronous path,
which handles every case: a qualification pack, a per-rater cap, a queue that is not
active, a submit that is late, repeated or raced.
"""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from honing import audit
from honing._errors import InvalidInput
from honing.annotate import _claim, _work
from honing.annotate._order import to_shown
from honing.annotate._payload import _ITEM_OF, _SHOWN, assemble_payload, shown_item, shown_key
from honing.annotate._policy import QueuePolicy
from honing.annotate._rubrics import _VERSIONS, LoadedRubric, loaded_rubric
from honing.datasets import StoredItem, load_item, load_items
from honing.datasets._items import _ITEMS
from honing.rubrics import validate_answers
from honing.storage import Database, LoopDatabase, Queue, utcnow


def _psycopg(sql: str) -> str:
    """SQLAlchemy's `:name` parameters as psycopg's `%(name)s`."""
    return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql)


def _claim_statement(pick: str) -> str:
    """One statement for a whole claim: the rater's open lease if there is one, else a new
    one taken with `pick` and its unsealed `assignment.claim` audit event; with the item's
    id, the rater's count of labels in the queue (one row) and the item's suggestions, so the payload
    needs no further round trip."""
    return _psycopg(f"""
WITH open_lease AS (
    SELECT * FROM assignment
    WHERE queue_id = :queue AND rater_id = :rater AND status = 'leased'
    ORDER BY id LIMIT 1
), {pick.format(unless="AND NOT EXISTS (SELECT 1 FROM open_lease)")}, inserted AS (
    {_claim.LEASE_TAKEN}
    RETURNING *
), logged AS (
    {audit.unsealed_events_sql(
        "assignment.claim", target="'assignment:' || inserted.id", source="inserted",
        details="jsonb_build_object('queue', CAST(:queue_name AS text), 'queue_item', inserted.queue_item_id)")}
), leased AS (
    SELECT * FROM open_lease UNION ALL SELECT * FROM inserted
)
SELECT leased.*, qi.item_id, qi.kind, qi.gold_answers, qi.tolerances,
       coalesce((SELECT p.labels FROM rater_progress p WHERE p.queue_id = :queue AND p.rater_id = :rater),
                0) AS done,
       (SELECT coalesce(json_agg(json_build_object('question', s.question, 'value', s.value,
                                                   'source', s.source, 'score', s.score)
                                 ORDER BY s.question, s.id), CAST('[]' AS json))
        FROM suggestion s WHERE s.item_id = qi.item_id) AS suggestions
FROM leased JOIN queue_item qi ON qi.id = leased.queue_item_id
""")


_HAS_QUALIFICATION = ("SELECT EXISTS (SELECT 1 FROM queue_item WHERE queue_id = %(queue)s"
                      " AND kind = 'qualification') AS found")
_EXPIRE = _psycopg(_claim.EXPIRE_SQL)
_CLAIM_LIVE = _claim_statement(_claim.PICK_LIVE)
_CLAIM_GOLD = _claim_statement(_claim.PICK_GOLD)
_ASSIGNMENT = """
SELECT a.id, a.queue_id, a.queue_item_id, a.rater_id, a.status, a.swapped, a.active_ms,
       qi.kind, qi.item_id, qi.gold_answers, qi.tolerances
FROM assignment a JOIN queue_item qi ON qi.id = a.queue_item_id
WHERE a.id = %(id)s AND a.rater_id = %(rater)s
"""
_SUBMIT = _psycopg(_work.SUBMIT_LEASED_SQL)
LOAD_AHEAD = 200  # items loaded ahead when a claim meets one that is not cached
LOAD_BATCH = 20
_UPCOMING = text(f"""
SELECT qi.id, qi.item_id FROM queue_item qi
WHERE qi.queue_id = :queue AND qi.kind = 'live' AND NOT qi.is_full
  AND qi.position >= (SELECT position FROM queue_item WHERE id = :start)
ORDER BY qi.position LIMIT {LOAD_AHEAD}
""")


class AsyncLabeling:
    """A pool of asynchronous connections to the server's PostgreSQL database, and the two
    hot operations on it. Open it on the server's event loop; close it at shutdown."""

    def __init__(self, db: Database, loop_db: LoopDatabase, *, max_connections: int = 32):
        self.loop_db = loop_db
        self.url = str(db.engine.url)  # the key the synchronous caches use
        conninfo = make_url(db.url).set(drivername="postgresql").render_as_string(hide_password=False)
        # All connections open at startup: a burst of raters must not wait for new ones.
        self.pool = AsyncConnectionPool(conninfo, min_size=2, max_size=max_connections, open=False,
                                        kwargs={"row_factory": dict_row, "autocommit": True})
        # Read-ahead of items per queue: the queue items whose claim starts the next load,
        # the queues being loaded, and the loads running.
        self._triggers: dict[int, set[int]] = {}
        self._loading: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        # What a submit needs to know of a lease this process handed out: its claim row,
        # so that the submit is one statement. Guarded by the statement itself; a lease
        # not found here (another worker's, or forgotten) is read first.
        self._leases: dict[int, SimpleNamespace] = {}
        self._policies: dict[int, tuple[dict[str, Any], QueuePolicy]] = {}

    async def open(self) -> None:
        await self.pool.open(wait=True)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await self.pool.close()

    async def claim(self, queue: Queue, rater_id: int, *, actor: str, workspace: str) -> dict[str, Any] | None:
        """The claim response body, or None for the synchronous path."""
        policy = self._policy(queue)
        if queue.status != "active" or policy.per_rater_cap is not None:
            return None
        key, now = (self.url, queue.id), utcnow()
        async with self.pool.connection() as conn:
            qualification = _claim.known_qualification(key)
            if qualification is None:
                qualification = (await _one(conn, _HAS_QUALIFICATION, queue=queue.id))["found"]
                _claim.remember_qualification(key, qualification)
            if qualification:
                return None
            if _claim.due(_claim._expiry_checks, key, seconds=1.0):
                await conn.execute(_EXPIRE, {"queue": queue.id, "now": now, "queue_name": queue.name,
                                             "workspace": workspace})
            params = dict(queue=queue.id, rater=rater_id, overlap=policy.overlap,
                          swapped=_claim._random.random() < 0.5, now=now, actor=actor,
                          workspace=workspace, queue_name=queue.name,
                          expires=now + timedelta(seconds=policy.lease_seconds))
            lease = None
            if policy.gold_rate > 0 and _claim._random.random() < policy.gold_rate:
                lease = await _one(conn, _CLAIM_GOLD, **params)
            if lease is None:
                lease = await _one(conn, _CLAIM_LIVE, **params)
            if lease is None:
                return {"assignment": None, "reason": "no items left for you in this queue"}
        item_id, done = lease.pop("item_id"), lease.pop("done")
        suggestions = [SimpleNamespace(**row) for row in lease.pop("suggestions")]
        self._remember_lease(lease, item_id)
        _ITEM_OF.put(self.url, lease["queue_item_id"], item_id)
        self._read_ahead_after(queue, lease["queue_item_id"])
        loaded = _VERSIONS.peek(self.url, queue.rubric_version_id)
        shown_as = shown_key(item_id, lease["swapped"], policy)
        shown = _SHOWN.peek(self.url, shown_as)
        if shown is None:
            stored = _ITEMS.peek(self.url, item_id)
            if stored is None or loaded is None:
                # Claims walk the queue in order: load the items coming next in one go.
                loaded, stored = await self.loop_db.run(self._load_ahead, queue, lease["queue_item_id"], item_id)
            shown = shown_item(stored.item, lease["swapped"], policy)
            _SHOWN.put(self.url, shown_as, shown)
        elif loaded is None:
            loaded = await self.loop_db.run(loaded_rubric, queue.rubric_version_id)
        payload = assemble_payload(queue, SimpleNamespace(**lease), item_id, loaded, shown, suggestions,
                                   done)
        return {"assignment": payload, "reason": None}

    async def submit(self, queue_of: Any, *, workspace_id: int, workspace: str, actor: str,
                     rater_id: int, assignment_id: int, answers: dict[str, Any],
                     confidence: float | None, active_ms: int) -> dict[str, Any] | None:
        """The stored label row of an open lease, its answers in the shown order, or None for
        the synchronous path.
        `queue_of(queue_id)` is an awaitable lookup of the queue."""
        async with self.pool.connection() as conn:
            lease = self._leases.pop(assignment_id, None)
            if lease is None or lease.rater_id != rater_id:
                row = await _one(conn, _ASSIGNMENT, id=assignment_id, rater=rater_id)
                if row is None or row["status"] != "leased":
                    return None
                lease = SimpleNamespace(**row)
            queue: Queue = await queue_of(lease.queue_id)
            if queue.workspace_id != workspace_id:
                return None
            policy = self._policy(queue)
            loaded = _VERSIONS.peek(self.url, queue.rubric_version_id)
            stored = _ITEMS.peek(self.url, lease.item_id)
            if loaded is None or stored is None:
                loaded, stored = await self.loop_db.run(self._submit_parts, queue, lease.item_id)
            count = len(stored.item.responses)
            problems = validate_answers(loaded.rubric, answers, response_count=count,
                                        responses=_work.response_texts(stored))
            if problems:
                raise InvalidInput("the answers are not complete or not valid", problems=problems)
            now = utcnow()
            values = _work.label_values(loaded.rubric, policy, queue, lease, lease, answers, now=now,
                                        confidence=confidence, active_ms=active_ms, response_count=count)
            values["answers"] = Jsonb(values["answers"])
            if values["gold_detail"] is not None:
                values["gold_detail"] = Jsonb(values["gold_detail"])
            label = await _one(conn, _SUBMIT, **values, now=now, actor=actor, workspace=workspace,
                               queue_name=queue.name)
        if label is not None:  # stored canonical; the rater gets them back as they gave them
            label["answers"] = to_shown(loaded.rubric, label["answers"], swapped=lease.swapped,
                                        response_count=count)
        return label

    def _policy(self, queue: Queue) -> QueuePolicy:
        """The queue's policy, parsed once per queue row read (the rows are cached)."""
        known = self._policies.get(queue.id)
        if known is None or known[0] is not queue.policy:
            known = self._policies[queue.id] = (queue.policy, QueuePolicy.model_validate(queue.policy))
        return known[1]

    def _remember_lease(self, lease: dict[str, Any], item_id: int) -> None:
        """Keep what a submit needs, and take the gold answers and tolerances out of the row
        the rater's payload is built from."""
        if len(self._leases) >= 100_000:  # leases never submitted (expired, skipped...)
            self._leases.clear()
        self._leases[lease["id"]] = SimpleNamespace(
            id=lease["id"], queue_id=lease["queue_id"], queue_item_id=lease["queue_item_id"],
            rater_id=lease["rater_id"], swapped=lease["swapped"], active_ms=0, item_id=item_id,
            kind=lease.pop("kind"), gold_answers=lease.pop("gold_answers"),
            tolerances=lease.pop("tolerances"))

    def _read_ahead_after(self, queue: Queue, queue_item_id: int) -> None:
        """Once claims reach the second half of the items loaded ahead, load the next ones
        in the background, one load per queue at a time, before any claim has to wait."""
        if queue_item_id not in self._triggers.get(queue.id, ()) or queue.id in self._loading:
            return
        self._loading.add(queue.id)

        async def load() -> None:
            try:
                await self.loop_db.run(self._load_ahead, queue, queue_item_id, None)
            finally:
                self._loading.discard(queue.id)

        task = asyncio.get_running_loop().create_task(load())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _load_ahead(self, session: Session, queue: Queue, queue_item_id: int,
                    item_id: int | None) -> tuple[LoadedRubric, StoredItem | None]:
        upcoming = session.execute(_UPCOMING, {"queue": queue.id, "start": queue_item_id}).all()
        wanted = [item_id] if item_id is not None else []
        missing = [i for i in dict.fromkeys([*wanted, *(row.item_id for row in upcoming)])
                   if _ITEMS.peek(self.url, i) is None]
        # In small batches: each batch's query lets the event loop serve requests, where one
        # large batch would hold it for tens of milliseconds while it builds the items.
        for start in range(0, len(missing), LOAD_BATCH):
            for stored in load_items(session, missing[start:start + LOAD_BATCH]):
                _ITEMS.put(self.url, stored.id, stored)
        self._triggers[queue.id] = {row.id for row in upcoming[len(upcoming) // 2:]}
        loaded = loaded_rubric(session, queue.rubric_version_id)
        return loaded, (load_item(session, item_id) if item_id is not None else None)

    @staticmethod
    def _submit_parts(session: Session, queue: Queue, item_id: int) -> tuple[LoadedRubric, StoredItem]:
        return loaded_rubric(session, queue.rubric_version_id), load_item(session, item_id)


async def _one(conn: AsyncConnection[Any], sql: str, **params: Any) -> dict[str, Any] | None:
    cursor = await conn.execute(sql, params)
    return await cursor.fetchone()


async def _all(conn: AsyncConnection[Any], sql: str, **params: Any) -> list[dict[str, Any]]:
    cursor = await conn.execute(sql, params)
    return await cursor.fetchall()
