"""The runner: a suite version against a target, fast, resumable and honest about errors.

- Scenarios are read from storage a page at a time and handed to `concurrency` workers
  that share one HTTP transport (pooled connections, rate limits, retries with backoff
  that honour Retry-After); memory does not grow with the suite.
- Each result is queued to one writer as it completes; the writer stores whatever has
  accumulated in one transaction (group commit), so results are durable within a tenth
  of a second and a killed run resumes with `resume=RUN_ID`, skipping every stored scenario x repeat.
- Replies are cached by target, parameters, conversation, tools, repeat and step: a rerun
  or a resume of the same work costs no request.
- A target that cannot be reached (after retries) gives an `error` result, counted apart
  from failures; a scorer that cannot decide gives `inconclusive`, never a pass; a
  scenario with no expectation at all gives `unscored`: nothing was checked, so it is
  neither a pass nor a failure and stays out of every pass rate.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import select

from honing import __version__, accounts
from honing._errors import Conflict, InvalidInput, NotFound
from honing.domain import Message
from honing.evaluate._agent import run_agent
from honing.evaluate._judging import judge_caller
from honing.evaluate._model import Output, Scenario, Score
from honing.evaluate._pricing import Prices
from honing.evaluate._suites import resolve_suite_version, stored_scenarios
from honing.evaluate._transport import Transport
from honing.evaluate.scorers import ScoringContext, run_scorer
from honing.evaluate.targets import Target, TargetError, TargetReply, TargetRequest, make_target
from honing.storage import Database, EvalCache, EvalResult, EvalRun, EvalSuiteVersion, utcnow

PAGE = 500
WRITE_BATCH = 500
# The writer waits this long after a result arrives before it commits, so each commit
# carries dozens of results rather than a handful: at ~1,000 results/s it cut the CPU per
# scenario by a quarter. A crash loses at most this much finished work, which a resume redoes.
LINGER_S = 0.05


@dataclass
class RunOptions:
    concurrency: int = 16
    repeats: int = 1
    use_cache: bool = True
    max_steps: int = 8
    timeout_s: float = 60.0
    max_retries: int = 6
    retry_base_s: float = 0.5  # first backoff; doubles per retry, with full jitter
    requests_per_minute: float | None = None
    tokens_per_minute: float | None = None
    seed: int = 0
    prices: Prices = field(default_factory=Prices)
    target_options: dict[str, Any] = field(default_factory=dict)

    def check(self) -> None:
        if not 1 <= self.concurrency <= 1024:
            raise InvalidInput("concurrency must be between 1 and 1024")
        if not 1 <= self.repeats <= 100:
            raise InvalidInput("repeats must be between 1 and 100")
        if not 1 <= self.max_steps <= 50:
            raise InvalidInput("max_steps must be between 1 and 50")


@dataclass
class Progress:
    """What the run has done so far (shown live and returned at the end)."""

    run_id: int
    total: int
    done: int = 0  # results stored, including those from before a resume
    passed: int = 0
    failed: int = 0
    inconclusive: int = 0
    unscored: int = 0  # scenarios with no expectation: nothing was checked
    errors: int = 0
    cached: int = 0
    cost: float = 0.0
    started: float = field(default_factory=time.monotonic)
    resumed_from: int = 0

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return (self.done - self.resumed_from) / elapsed if elapsed > 0 else 0.0

    @property
    def eta_s(self) -> float | None:
        return (self.total - self.done) / self.rate if self.rate > 0 else None

    @property
    def pass_rate(self) -> float | None:
        decided = self.passed + self.failed + self.inconclusive
        return self.passed / decided if decided else None


def start_run(db: Database, workspace_name: str, suite_ref: str, target_spec: str, options: RunOptions, *,
              actor: str, resume: int | None = None) -> tuple[int, int, int]:
    """(run id, suite version id, scenario count) of a new run, or of the run to resume."""
    options.check()
    with db.writing() as session:
        workspace = accounts.get_workspace(session, workspace_name)
        if resume is not None:
            run = session.get(EvalRun, resume)
            if run is None or run.workspace_id != workspace.id:
                raise NotFound(f"run {resume} does not exist in workspace {workspace_name!r}")
            if run.status == "completed":
                raise Conflict(f"run {resume} is complete; there is nothing to resume")
            if run.target != target_spec:
                raise InvalidInput(f"run {resume} ran target {run.target!r}, not {target_spec!r}",
                                   hint="resume with the same --target")
            run.status = "running"
            version_id = run.suite_version_id
            count = session.get_one(EvalSuiteVersion, version_id).scenario_count
            return run.id, version_id, count * run.config.get("repeats", 1)
        name, version = resolve_suite_version(session, workspace, suite_ref)
        run = EvalRun(workspace_id=workspace.id, suite_version_id=version.id, target=target_spec,
                      status="running", actor=actor, config={
                          "suite": f"{name}@{version.number}", "suite_hash": version.content_hash,
                          "repeats": options.repeats, "concurrency": options.concurrency,
                          "max_steps": options.max_steps, "seed": options.seed, "cache": options.use_cache,
                          "target_options": options.target_options, "code_version": __version__,
                          "prices": options.prices.as_dict()})
        session.add(run)
        session.flush()
        return run.id, version.id, version.scenario_count * options.repeats


async def execute_run(db: Database, run_id: int, options: RunOptions, *,
                      on_progress: Callable[[Progress], None] | None = None) -> Progress:
    """Run (or go on with) run `run_id` until every scenario x repeat has a result."""
    with db.reading() as session:
        run = session.get_one(EvalRun, run_id)
        version_id, target_spec, repeats = run.suite_version_id, run.target, run.config.get("repeats", 1)
        total = session.get_one(EvalSuiteVersion, version_id).scenario_count * repeats
        done = set(session.execute(select(EvalResult.scenario_id, EvalResult.repeat)
                                   .where(EvalResult.run_id == run_id)).all())
    progress = Progress(run_id=run_id, total=total, done=len(done), resumed_from=len(done))
    transport = Transport(concurrency=options.concurrency, timeout_s=options.timeout_s,
                          max_retries=options.max_retries, backoff_base_s=options.retry_base_s,
                          requests_per_minute=options.requests_per_minute,
                          tokens_per_minute=options.tokens_per_minute, seed=options.seed)
    target = make_target(target_spec, transport=transport, options=options.target_options)
    writer = _Writer(db, run_id)
    judges: dict[str, Target] = {}
    context = ScoringContext(judge=judge_caller(transport, judges))
    cache = _Cache(db, target) if options.use_cache else None
    work = _Pending(db, version_id, repeats, done)

    async def worker() -> None:
        async for scenario, repeat in work:
            row = await _one(target, scenario, repeat, options, context, cache)
            writer.put(row, cache.take_new() if cache else [])
            _count(progress, row, options.prices)
            if on_progress is not None:
                on_progress(progress)

    writer_task = writer.task = asyncio.create_task(writer.run())
    status = "interrupted"
    try:
        await asyncio.gather(*(worker() for _ in range(options.concurrency)))
        status = "completed"
    finally:
        await writer.close(writer_task)
        await target.aclose()
        for judge_target in judges.values():
            await judge_target.aclose()
        await transport.aclose()
        with db.writing() as session:
            run = session.get_one(EvalRun, run_id)
            run.status = status
            run.finished_at = utcnow() if status == "completed" else None
            # What else shaped the results: the judges scorers called, and how the transport
            # fared (retries, 429s, timeouts) in this session of the run.
            run.config = {**run.config, "judges": sorted(set(run.config.get("judges", [])) | set(judges)),
                          "transport": transport.stats.as_dict()}
    return progress


class _Pending:
    """The scenario x repeat pairs still to run, read a page at a time; shared by workers."""

    def __init__(self, db: Database, version_id: int, repeats: int, done: set[tuple[str, int]]):
        self.db, self.version_id, self.repeats, self.done = db, version_id, repeats, done
        self.position = 0
        self.buffer: list[tuple[Scenario, int]] = []
        self.lock = asyncio.Lock()
        self.exhausted = False

    def __aiter__(self) -> AsyncIterator[tuple[Scenario, int]]:
        return self

    async def __anext__(self) -> tuple[Scenario, int]:
        async with self.lock:
            while not self.buffer and not self.exhausted:
                page = await asyncio.to_thread(self._page)
                if not page:
                    self.exhausted = True
                    break
                self.position = page[-1][0] + 1
                self.buffer = [(scenario, repeat) for _, scenario in page for repeat in range(self.repeats)
                               if (scenario.id, repeat) not in self.done][::-1]
            if not self.buffer:
                raise StopAsyncIteration
            return self.buffer.pop()

    def _page(self) -> list[tuple[int, Scenario]]:
        with self.db.reading() as session:
            return stored_scenarios(session, self.version_id, start=self.position, limit=PAGE)


class _Cache:
    """Replies by key; lookups go to storage in a thread, new replies are written with the
    results that used them."""

    def __init__(self, db: Database, target: Target):
        self.db = db
        self.prefix = orjson.dumps({"target": target.spec, "params": target.params}, option=orjson.OPT_SORT_KEYS)
        self.new: list[dict[str, Any]] = []

    def key(self, request: TargetRequest) -> str:
        digest = hashlib.sha256(self.prefix)
        digest.update(orjson.dumps([m.model_dump(mode="json", exclude_none=True) for m in request.messages]))
        digest.update(orjson.dumps([t.model_dump(mode="json", exclude_none=True) for t in request.tools]))
        digest.update(f"|{request.repeat}|{request.step}".encode())
        return digest.hexdigest()

    async def get(self, key: str) -> TargetReply | None:
        raw = await asyncio.to_thread(self._read, key)
        if raw is None:
            return None
        data = orjson.loads(raw)
        return TargetReply(message=Message.model_validate(data["message"]), prompt_tokens=data.get("prompt_tokens"),
                           completion_tokens=data.get("completion_tokens"), latency_ms=data.get("latency_ms"),
                           model=data.get("model"))

    def _read(self, key: str) -> bytes | None:
        with self.db.reading() as session:
            return session.scalar(select(EvalCache.reply).where(EvalCache.key == key))

    def put(self, key: str, reply: TargetReply) -> None:
        self.new.append({"key": key, "reply": orjson.dumps({
            "message": reply.message.model_dump(mode="json", exclude_none=True),
            "prompt_tokens": reply.prompt_tokens, "completion_tokens": reply.completion_tokens,
            "latency_ms": reply.latency_ms, "model": reply.model}), "created_at": utcnow()})

    def take_new(self) -> list[dict[str, Any]]:
        taken, self.new = self.new, []
        return taken


async def _one(target: Target, scenario: Scenario, repeat: int, options: RunOptions, context: ScoringContext,
               cache: _Cache | None) -> dict[str, Any]:
    async def ask(request: TargetRequest) -> tuple[TargetReply, bool]:
        key = cache.key(request) if cache is not None else None
        if key is not None:
            hit = await cache.get(key)
            if hit is not None:
                return hit, True
        reply = await target.generate(request)
        if key is not None:
            cache.put(key, reply)
        return reply, False

    row: dict[str, Any] = {"scenario_id": scenario.id, "repeat": repeat, "tier": scenario.tier,
                           "tags": list(scenario.tags), "created_at": utcnow()}
    try:
        output, cached = await run_agent(target, scenario, repeat, ask, max_steps=options.max_steps)
    except TargetError as error:
        return {**row, "status": "error", "output": {}, "scores": [], "error": str(error), "latency_ms": None,
                "prompt_tokens": None, "completion_tokens": None, "cost": None, "cached": False}
    output.cost = options.prices.cost(target, output)
    scores = [await run_scorer(spec, scenario, output, context) for spec in scenario.expect]
    return {**row, "status": _status(scores), "output": output_json(output), "scores": [score_json(s) for s in scores],
            "error": None, "latency_ms": output.latency_ms, "prompt_tokens": output.prompt_tokens,
            "completion_tokens": output.completion_tokens, "cost": output.cost, "cached": cached}


def _status(scores: list[Score]) -> str:
    if not scores:
        # No expectation, no verdict: calling this a pass would report 100% for a suite
        # that checks nothing (decision 0013).
        return "unscored"
    if any(s.passed is False for s in scores):
        return "fail"
    if any(s.passed is None for s in scores):
        return "inconclusive"
    return "pass"


def output_json(output: Output) -> dict[str, Any]:
    return {"text": output.text, "steps": output.steps,
            "tool_calls": [c.model_dump(mode="json") for c in output.tool_calls],
            "trajectory": [m.model_dump(mode="json", exclude_none=True) for m in output.trajectory]}


def score_json(score: Score) -> dict[str, Any]:
    return {"scorer": score.scorer, "value": score.value, "passed": score.passed,
            "explanation": score.explanation, "error": score.error, "details": score.details}


def _count(progress: Progress, row: dict[str, Any], prices: Prices) -> None:
    progress.done += 1
    status = row["status"]
    if status == "pass":
        progress.passed += 1
    elif status == "fail":
        progress.failed += 1
    elif status == "inconclusive":
        progress.inconclusive += 1
    elif status == "unscored":
        progress.unscored += 1
    else:
        progress.errors += 1
    progress.cached += bool(row["cached"])
    progress.cost += row["cost"] or 0.0


class _Writer:
    """One writer: results and cache entries, as many as have accumulated, in one
    transaction each time (group commit), off the event loop."""

    def __init__(self, db: Database, run_id: int):
        self.db, self.run_id = db, run_id
        self.queue: asyncio.Queue[tuple[dict[str, Any], list[dict[str, Any]]] | None] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None

    def put(self, row: dict[str, Any], cache_rows: list[dict[str, Any]]) -> None:
        if self.task is not None and self.task.done():
            # Results that cannot be stored must stop the run, not vanish.
            raise self.task.exception() or RuntimeError("the result writer stopped")
        self.queue.put_nowait(({**row, "run_id": self.run_id}, cache_rows))

    async def run(self) -> None:
        while True:
            first = await self.queue.get()
            if first is not None:
                await asyncio.sleep(LINGER_S)
            batch = [first]
            while len(batch) < WRITE_BATCH and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            entries = [entry for entry in batch if entry is not None]
            if entries:
                await asyncio.to_thread(self._write, entries)
            if None in batch:
                return

    def _write(self, entries: list[tuple[dict[str, Any], list[dict[str, Any]]]]) -> None:
        with self.db.writing() as session:
            session.execute(EvalResult.__table__.insert(), [row for row, _ in entries])
            cache_rows = {c["key"]: c for _, rows in entries for c in rows}
            if cache_rows:
                known = set(session.scalars(select(EvalCache.key).where(EvalCache.key.in_(list(cache_rows)))))
                fresh = [c for key, c in cache_rows.items() if key not in known]
                if fresh:
                    session.execute(EvalCache.__table__.insert(), fresh)

    async def close(self, task: asyncio.Task[None]) -> None:
        if not task.done():
            self.queue.put_nowait(None)
        await task
