#!/usr/bin/env python3
"""Count and time the SQL statements behind one claim and one submit.

A companion to annotation_load.py: seeds the same kind of throw-away PostgreSQL database,
then drives the app in process (FastAPI's TestClient, one rater, no concurrency) and
records every statement with SQLAlchemy's before/after_cursor_execute events, including
BEGIN-less round trips such as the pool's pre-ping. Prints, per endpoint, the statements of
one typical request in order, with their mean time, and the totals.

    .venv/bin/python benchmarks/annotation_sql_count.py \\
        --database-url postgresql+psycopg://honing@127.0.0.1:54329/postgres --items 4000
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from annotation_load import GOOD, WORKSPACE, BenchDatabase, BenchError, seed  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("HONING_BENCH_DATABASE_URL"),
                        help="PostgreSQL URL for CREATE/DROP DATABASE [env: HONING_BENCH_DATABASE_URL]")
    parser.add_argument("--items", type=int, default=4000)
    parser.add_argument("--cycles", type=int, default=50, help="claim -> submit cycles measured")
    parser.add_argument("--raters", type=int, default=3, help="raters taking turns")
    parser.add_argument("--show-sql", action="store_true", help="print each statement's full text")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("pass --database-url or set HONING_BENCH_DATABASE_URL")

    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from honing._config import Settings
    from honing.api import create_app
    from honing.storage import Database

    try:
        with BenchDatabase(args.database_url) as database:
            seeded = seed(database.url, raters=args.raters, levels=[1], items=args.items,
                          item_kind="demo")
            queue = seeded.queues[0]
            db = Database(database.url)
            app = create_app(db, Settings(home=Path("/tmp"), database_url=database.url))
            current: list[tuple[str, str, float]] | None = None
            started: dict[int, float] = {}

            @event.listens_for(db.engine, "before_cursor_execute")
            def _before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
                started[id(cursor)] = time.perf_counter()

            @event.listens_for(db.engine, "after_cursor_execute")
            def _after(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
                if current is not None:
                    current.append((_shape(statement), statement,
                                    (time.perf_counter() - started.pop(id(cursor), 0.0)) * 1000))

            # Round trips the cursor events do not see: psycopg sends BEGIN before the first
            # statement of a transaction, pool_pre_ping sends a ping on every checkout.
            @event.listens_for(db.engine, "begin")
            def _begin(conn):  # type: ignore[no-untyped-def]
                if current is not None:
                    current.append(("BEGIN", "BEGIN", 0.0))

            @event.listens_for(db.engine, "commit")
            def _commit(conn):  # type: ignore[no-untyped-def]
                if current is not None:
                    current.append(("COMMIT", "COMMIT", 0.0))

            @event.listens_for(db.engine.pool, "checkout")
            def _checkout(dbapi_connection, record, proxy):  # type: ignore[no-untyped-def]
                if current is not None:
                    current.append(("PING", "pool checkout (pre-ping)", 0.0))

            requests: dict[str, list[list[tuple[str, str, float]]]] = defaultdict(list)
            walls: dict[str, list[float]] = defaultdict(list)
            with TestClient(app) as client:
                for cycle in range(args.cycles + 5):
                    token = seeded.rater_tokens[cycle % len(seeded.rater_tokens)]
                    headers = {"Authorization": f"Bearer {token}"}
                    current = []
                    t0 = time.perf_counter()
                    claimed = client.post(f"/api/workspaces/{WORKSPACE}/queues/{queue}/claim",
                                          headers=headers)
                    t1 = time.perf_counter()
                    assert claimed.status_code == 200, claimed.text
                    if cycle >= 5:  # the first requests warm caches
                        requests["claim"].append(current)
                        walls["claim"].append((t1 - t0) * 1000)
                    assignment = claimed.json()["assignment"]["assignment_id"]
                    current = []
                    t0 = time.perf_counter()
                    submitted = client.post(f"/api/workspaces/{WORKSPACE}/assignments/{assignment}/submit",
                                            json={"answers": GOOD}, headers=headers)
                    t1 = time.perf_counter()
                    assert submitted.status_code == 200, submitted.text
                    if cycle >= 5:
                        requests["submit"].append(current)
                        walls["submit"].append((t1 - t0) * 1000)
                    current = None
            hidden = ("BEGIN", "COMMIT", "PING")
            for endpoint, runs in requests.items():
                counts = [sum(1 for s in run if s[0] not in hidden) for run in runs]
                extra = {kind: sum(1 for s in runs[0] if s[0] == kind) for kind in hidden}
                print(f"\n=== {endpoint}: {min(counts)}-{max(counts)} SQL statements per request "
                      f"(mean {sum(counts) / len(counts):.1f}), plus {extra['BEGIN']} BEGIN, "
                      f"{extra['COMMIT']} COMMIT and {extra['PING']} pool pre-ping round trips; "
                      f"mean wall time in process {sum(walls[endpoint]) / len(walls[endpoint]):.1f} ms, "
                      f"of which in cursor.execute "
                      f"{sum(t for run in runs for *_, t in run) / len(runs):.1f} ms")
                typical = max(set(counts), key=counts.count)
                run = next(r for r in runs if sum(1 for s in r if s[0] not in hidden) == typical)
                means: dict[int, list[float]] = defaultdict(list)
                for other in runs:
                    if [s[0] for s in other] == [s[0] for s in run]:
                        for i, (_, _, ms) in enumerate(other):
                            means[i].append(ms)
                for i, (shape, statement, _) in enumerate(run):
                    ms = sum(means[i]) / len(means[i]) if means[i] else 0.0
                    print(f"  {i + 1:2}. {ms:6.2f} ms  {shape}")
                    if args.show_sql and shape not in hidden:
                        print("        " + " ".join(statement.split()))
            db.dispose()
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def _shape(statement: str) -> str:
    """A one-line summary: verb, main table, and the telling clauses."""
    text = " ".join(statement.split())
    verb = text.split(" ", 1)[0].upper()
    tables = re.findall(r"\b(?:FROM|INTO|UPDATE|JOIN)\s+(\w+)", text, flags=re.IGNORECASE)
    extras = [clause for clause in ("FOR UPDATE SKIP LOCKED", "FOR UPDATE", "RETURNING", "EXISTS",
                                    "pg_advisory_xact_lock", "count(", "ORDER BY")
              if clause.lower() in text.lower()]
    if verb == "SELECT" and not tables:
        return " ".join(text.split()[:4])
    seen = list(dict.fromkeys(tables))
    extra = ("  [" + ", ".join(e for e in extras if not (e == "FOR UPDATE" and "FOR UPDATE SKIP LOCKED" in extras)) + "]") if extras else ""
    return f"{verb} {', '.join(seen)}{extra}"


if __name__ == "__main__":
    sys.exit(main())
