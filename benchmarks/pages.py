"""Page times of the real server: every lead page of the demo (p50/p95 over N requests,
after one warm-up request), then the quality dashboard and the dataset card of a queue with
100,000 labels, first view (computed) and warm (from the figure cache), against the
uncached computation measured in the same run.

    PYTHONPATH=src .venv/bin/python benchmarks/pages.py                      # builds a demo in a temp dir
    PYTHONPATH=src .venv/bin/python benchmarks/pages.py --home /tmp/dash-demo --password LEADPW

The server is `honing serve` in a subprocess on a free port (default durability, SQLite
under --home). The 100k queue is written with the library (items imported, the demo
rubric, a queue, raters), its assignments and labels inserted in bulk into the same tables
the workbench writes.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx

WORKSPACE = "helpdesk-assistant"
PAGES = ["/w/{ws}", "/w/{ws}/queues", "/w/{ws}/queues/helpdesk-review", "/w/{ws}/queues/helpdesk-review/quality",
         "/w/{ws}/datasets/support-conversations", "/w/{ws}/datasets/support-conversations/card", "/w/{ws}/runs",
         "/w/{ws}/queues/helpdesk-review/review"]
BIG = "bench-100k"  # the big queue's workspace, dataset and queue: apart, so the demo's pages stay the demo's


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", help="an existing demo's HONING_HOME (default: build one in a temp dir)")
    parser.add_argument("--password", default=os.environ.get("HONING_DEMO_LEAD_PASSWORD"),
                        help="the lead's password of --home (env HONING_DEMO_LEAD_PASSWORD)")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--labels", type=int, default=100_000)
    parser.add_argument("--raters", type=int, default=4, help="labels per item in the big queue")
    args = parser.parse_args()
    home = Path(args.home or tempfile.mkdtemp(prefix="honing-pages-"))
    password = args.password
    if args.home is None:
        password = build_demo(home)
    if not password:
        parser.error("--password is needed with --home")
    os.environ["HONING_HOME"] = str(home)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "honing", "serve", "--port", str(port)],
                              env={**os.environ, "HONING_HOME": str(home)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600)
        wait_until_up(client)
        signed = client.post("/login", data={"username": "lead", "password": password, "next": "/"})
        if signed.status_code not in (200, 303):
            raise SystemExit(f"signing in as lead failed: {signed.status_code}")
        print(f"{'page':60} {'p50 ms':>8} {'p95 ms':>8}")
        for page in PAGES:
            path = page.format(ws=WORKSPACE)
            times = timed(client, path, args.requests + 1)[1:]  # the first request fills caches
            print(f"{path:60} {pct(times, 50):8.0f} {pct(times, 95):8.0f}")
        big_queue(home, args.labels, args.raters, client)
    finally:
        server.terminate()
        server.wait(30)


def build_demo(home: Path) -> str:
    out = subprocess.run([sys.executable, "-m", "honing", "demo", "--no-serve"], capture_output=True, text=True,
                         env={**os.environ, "HONING_HOME": str(home)}, check=True).stdout
    found = re.search(r"^\s*lead: (\S+)$", out, re.M)
    if found is None:
        raise SystemExit("the demo did not print the lead's password")
    return found[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(client: httpx.Client) -> None:
    for _ in range(300):
        try:
            if client.get("/api/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit("the server did not start")


def timed(client: httpx.Client, path: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"GET {path}: {response.status_code}")
    return times


def pct(times: list[float], q: int) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[q - 1] if len(times) > 1 else times[0]


def big_queue(home: Path, n_labels: int, raters: int, client: httpx.Client) -> None:
    from sqlalchemy import delete, or_

    from honing import accounts, annotate, datasets, demo, ingest, quality
    from honing._config import Settings
    from honing.accounts import Principal, Role
    from honing.storage import (
        Assignment,
        FigureCache,
        Label,
        Queue,
        QueueItem,
        open_database,
        utcnow,
    )

    db = open_database(Settings.from_env())
    items = n_labels // raters
    with db.reading() as session:
        exists = session.query(Queue.id).filter(Queue.name == BIG).first() is not None
    if not exists:
        with db.writing() as session:
            accounts.create_workspace(session, Principal(name="cli:bench"), BIG)
            accounts.set_role(session, Principal(name="cli:bench"), BIG, "lead", Role.lead)
    start = time.perf_counter()
    if not exists:
        path = home / f"{BIG}.jsonl"
        path.write_text("".join(_record(i) for i in range(items)))
        ingest.import_file(db, path, workspace=BIG, dataset=BIG, actor="cli:bench")
        actor = Principal(name="cli:bench")
        rubric = (Path(demo.__file__).parent / "helpdesk_rubric.yaml").read_text()
        with db.writing() as session:
            ws = accounts.get_workspace(session, BIG)
            for r in range(raters):
                accounts.create_user(session, actor, f"bench-rater{r}", "a long bench password")
                accounts.set_role(session, actor, BIG, f"bench-rater{r}", Role.rater,
                                  cohort=f"vendor-{r % 2}")
            pushed = annotate.push_rubric(session, ws, rubric, source="helpdesk_rubric.yaml", actor="cli:bench")
            queue = annotate.create_queue(session, ws, name=BIG, dataset_ref=BIG, rubric_ref=pushed.ref,
                                          policy=annotate.parse_policy({"overlap": raters}), actor="cli:bench")
            queue_id, rubric_version_id = queue.id, queue.rubric_version_id
            rater_ids = [accounts.get_user(session, f"bench-rater{r}").id for r in range(raters)]
            rows = session.execute(QueueItem.__table__.select().where(QueueItem.queue_id == queue_id)).all()
        rng = random.Random(0)
        now = utcnow()
        for chunk in range(0, len(rows), 2000):
            with db.writing() as session:
                assignments, labels = [], []
                for row in rows[chunk:chunk + 2000]:
                    truth = rng.randint(1, 5)
                    for rater in rater_ids:
                        at = now - timedelta(minutes=rng.randint(1, 20 * 24 * 60))
                        assignments.append({"queue_id": queue_id, "queue_item_id": row.id, "rater_id": rater,
                                            "status": "submitted", "leased_at": at, "lease_expires_at": at,
                                            "finished_at": at})
                        labels.append((row, rater, at, _answers(rng, truth)))
                ids = session.execute(Assignment.__table__.insert().returning(
                    Assignment.__table__.c.id, sort_by_parameter_order=True), assignments).scalars().all()
                session.execute(Label.__table__.insert(), [
                    {"assignment_id": a, "queue_id": queue_id, "queue_item_id": row.id, "item_id": row.item_id,
                     "rater_id": rater, "rubric_version_id": rubric_version_id, "kind": "live", "answers": given,
                     "status": "submitted", "active_ms": rng.randint(5_000, 90_000), "submitted_at": at,
                     "updated_at": at} for a, (row, rater, at, given) in zip(ids, labels, strict=True)])
                session.execute(QueueItem.__table__.update().where(
                    QueueItem.queue_id == queue_id, QueueItem.id.in_([r.id for r in rows[chunk:chunk + 2000]]))
                    .values(taken=raters, is_full=True))
    print(f"\n{n_labels:,} labels over {items:,} items ({raters} raters each): "
          f"{'reused' if exists else f'written in {time.perf_counter() - start:.0f} s'}")

    with db.reading() as session:
        ws = accounts.get_workspace(session, BIG)
        queue = annotate.get_queue(session, ws, BIG)
        start = time.perf_counter()
        quality.quality_report(session, ws, queue, quality.parse_period("14d"),
                               n_resamples=quality.DASHBOARD_RESAMPLES)
        uncached_report = time.perf_counter() - start
        start = time.perf_counter()
        datasets.build_card(session, ws, BIG)
        uncached_card = time.perf_counter() - start
        version_id = queue.dataset_version_id
        queue_key = f"queue:{queue.id}:%"
    print(f"uncached computation: dashboard figures {uncached_report:.2f} s, card {uncached_card:.2f} s")
    with db.writing() as session:  # a first view is a first view, also when --home was used before
        session.execute(delete(FigureCache).where(
            or_(FigureCache.key.like(queue_key), FigureCache.key == f"version:{version_id}")))
    for name, path, uncached in (("dashboard", f"/w/{BIG}/queues/{BIG}/quality", uncached_report),
                                 ("card", f"/w/{BIG}/datasets/{BIG}/card", uncached_card)):
        cold = timed(client, path, 1)[0]
        warm = timed(client, path, 10)
        print(f"{name:10} first view {cold / 1000:6.2f} s · warm p50 {pct(warm, 50):6.0f} ms, "
              f"p95 {pct(warm, 95):6.0f} ms · warm p95 / uncached = {pct(warm, 95) / 1000 / uncached:.3f}")


def _record(i: int) -> str:
    import json

    return json.dumps({"id": f"b-{i:06d}", "messages": [
        {"role": "user", "content": f"My laptop #{i} cannot reach the VPN."}],
        "responses": [{"model": "helpdesk", "content": "Please restart the VPN client."},
                      {"model": "helpdesk", "content": "The VPN is degraded; retry later."}],
        "metadata": {"source": "bench", "language": "en"}}) + "\n"


def _answers(rng: random.Random, truth: int) -> dict:
    def near() -> int:
        return min(5, max(1, truth + rng.choice([-1, 0, 0, 0, 1])))

    return {"helpfulness": {"A": near(), "B": near()}, "correctness": {"A": near(), "B": near()},
            "safety": {"A": "safe", "B": rng.choice(["safe", "safe", "borderline"])},
            "severity": rng.choice(["S0", "S1", "S2"]), "preference": rng.choice(["A>B", "tie", "B>A"]),
            "rationale": "the answer was checked against the article"}


if __name__ == "__main__":
    main()
