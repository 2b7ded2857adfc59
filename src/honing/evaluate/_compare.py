"""Paired comparison of two runs: which scenarios regressed and which were fixed, whether
the change is more than chance in each tier, tag and scorer, and by how much.

Both runs answered the same scenarios, so the comparison is paired: each slice is a paired
2×2 table, its change in pass rate comes with Newcombe's paired interval, and its verdict is
read off that interval, Holm-adjusted across slices (see `honing.evaluate._slices`).

A scenario run with repeats counts once: errors are left out (the target failing to answer
says nothing about the model's answers), and it passes when more than half of its decided
repeats pass. A scenario no scorer looked at is unscored: never a pass, left out of the
pairs and counted apart. Rows are streamed and each scenario keeps
a few counters; outputs are read back only for the scenarios shown as examples.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import sys
from array import array
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from honing._errors import InvalidInput
from honing.evaluate._model import tier_rank
from honing.evaluate._results import get_run
from honing.evaluate._slices import Pairs, SliceComparison, compare_slices
from honing.evaluate._suites import suite_tiers
from honing.stats import quantile
from honing.storage import EvalResult, EvalRun, EvalScenario, EvalSuite, EvalSuiteVersion, Workspace

MATCHES = ("same-version", "same-id", "same-content")
LISTED = 100  # ids of unpaired and flaky scenarios listed (all are counted)
_ROWS = 2000  # rows fetched at a time while streaming results
_IDS_PER_QUERY = 500  # scenario ids per IN (...) list when reading examples back


@dataclass(frozen=True)
class ScenarioChange:
    """A scenario whose outcome changed, with what each run answered. Statuses are the
    scenario's over its repeats ("fail" when a failing repeat kept it from passing); outputs
    and scores are those of its first repeat with that status, so a regression shows a
    failing answer of B even when some of B's repeats passed."""

    scenario_id: str
    tier: str
    tags: list[str]
    status_a: str
    status_b: str
    input: Any
    output_a: dict[str, Any]
    output_b: dict[str, Any]
    scores_a: list[dict[str, Any]]
    scores_b: list[dict[str, Any]]
    error_b: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class Comparison:
    """What changed from run A to run B (see `compare_runs`)."""

    run_a: dict[str, Any]
    run_b: dict[str, Any]
    match: str
    matched: int
    only_a: int
    only_b: int
    only_a_ids: list[str]
    only_b_ids: list[str]
    overall: SliceComparison
    tiers: list[SliceComparison]
    tags: list[SliceComparison]
    scorers: list[SliceComparison]
    regressions: list[ScenarioChange]
    fixes: list[ScenarioChange]
    new_errors: list[ScenarioChange]
    counts: dict[str, int]
    flaky_a: list[dict[str, Any]]
    flaky_b: list[dict[str, Any]]
    latency: dict[str, float | None]
    cost: dict[str, float | None]
    conf: float
    alpha: float
    tier_names: tuple[str, ...] = ()  # run B's suite tiers, most important first

    def slices(self) -> list[SliceComparison]:
        return [self.overall, *self.tiers, *self.tags, *self.scorers]

    def slice(self, kind: str, name: str) -> SliceComparison | None:
        return next((s for s in self.slices() if s.kind == kind and s.name == name), None)

    def as_dict(self) -> dict[str, Any]:
        plain = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        plain["overall"] = self.overall.as_dict()
        plain["tier_names"] = list(self.tier_names)
        for name in ("tiers", "tags", "scorers", "regressions", "fixes", "new_errors"):
            plain[name] = [part.as_dict() for part in getattr(self, name)]
        return plain


class _Tally:
    """One scenario in one run: counts by status, and per scorer [passes, decided, sum of
    values, number of values]."""

    __slots__ = ("tier", "tags", "passes", "failures", "undecided", "errors", "unscored", "scorers")

    def __init__(self, tier: str, tags: list[str] | None):
        # Interned: every row decodes its own copy of these few labels, and a run of a
        # million scenarios would otherwise hold a million copies of each.
        self.tier, self.tags = sys.intern(tier), tuple(map(sys.intern, tags or ()))
        self.passes = self.failures = self.undecided = self.errors = self.unscored = 0
        self.scorers: dict[str, list[float]] = {}

    @property
    def decided(self) -> int:
        return self.passes + self.failures + self.undecided

    @property
    def passed(self) -> bool:
        return 2 * self.passes > self.decided  # a tie is not a pass

    @property
    def status(self) -> str:
        if not self.decided:
            return "unscored" if self.unscored else "error"
        return "pass" if self.passed else "fail" if self.failures else "inconclusive"


@dataclass
class _RunTally:
    scenarios: dict[str, _Tally]
    latencies: array[float]
    cost: float | None


def _read_run(session: Session, run: EvalRun) -> _RunTally:
    scenarios: dict[str, _Tally] = {}
    latencies = array("d")
    cost: float | None = None
    rows = session.execute(select(EvalResult.scenario_id, EvalResult.tier, EvalResult.tags, EvalResult.status,
                                  EvalResult.scores, EvalResult.latency_ms, EvalResult.cost)
                           .where(EvalResult.run_id == run.id).execution_options(yield_per=_ROWS))
    for row in rows:
        tally = scenarios.get(row.scenario_id)
        if tally is None:
            tally = scenarios[row.scenario_id] = _Tally(row.tier, row.tags)
        if row.cost is not None:
            cost = (cost or 0.0) + row.cost
        if row.status == "error":
            tally.errors += 1
            continue
        if row.status == "unscored":
            tally.unscored += 1
            continue
        if row.status == "pass":
            tally.passes += 1
        elif row.status == "fail":
            tally.failures += 1
        else:
            tally.undecided += 1
        if row.latency_ms is not None:
            latencies.append(row.latency_ms)
        for score in row.scores or ():
            counts = tally.scorers.get(score["scorer"])
            if counts is None:
                counts = tally.scorers[sys.intern(score["scorer"])] = [0, 0, 0.0, 0]
            counts[0] += score.get("passed") is True
            counts[1] += 1
            if score.get("value") is not None:
                counts[2] += score["value"]
                counts[3] += 1
    return _RunTally(scenarios, latencies, cost)


def compare_runs(session: Session, workspace: Workspace, run_a: int, run_b: int, *,
                 match: str | None = None, conf: float = 0.95, alpha: float = 0.05,
                 n_resamples: int = 2000, seed: int = 0, examples: int = 50) -> Comparison:
    """Compare run B (the candidate) with run A (the baseline), scenario by scenario.

    Runs of one suite version pair by scenario id. Runs of different versions are refused
    unless `match` says how to pair them: "same-id" (scenarios sharing an id, even if their
    spec changed) or "same-content" (scenarios whose stored spec, id included, is
    identical). Slices follow run B's tiers and tags. A slice's verdict is "worse" or
    "better" when its interval, at the level `alpha` and Holm's adjustment give it,
    excludes 0, else "no significant difference" (see `honing.evaluate._slices`).
    At most `examples` regressions, fixes and new errors are returned with their outputs;
    `counts` has the totals. Raises NotFound for a run outside the workspace and
    InvalidInput for unpaired versions, an unknown `match` or a bad parameter."""
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise InvalidInput(f"alpha must be strictly between 0 and 1 (e.g. 0.05); got {alpha!r}")
    if isinstance(examples, bool) or not isinstance(examples, int) or examples < 0:
        raise InvalidInput(f"examples must be a whole number of at least 0; got {examples!r}")
    if match is not None and match not in MATCHES:
        raise InvalidInput(f"unknown match {match!r}; use one of {', '.join(MATCHES)}")
    first, second = get_run(session, workspace, run_a), get_run(session, workspace, run_b)
    info_a, info_b = _run_info(session, first), _run_info(session, second)
    same_version = first.suite_version_id == second.suite_version_id
    if match is None or (match == "same-version" and not same_version):
        if not same_version:
            raise InvalidInput(
                f"run {first.id} ran {info_a['suite']} and run {second.id} ran {info_b['suite']}: runs of "
                "different suite versions are not paired unless you say how",
                hint="--match same-id pairs scenarios that share an id; --match same-content pairs "
                     "scenarios whose stored spec is identical")
        match = "same-version"
    a, b = _read_run(session, first), _read_run(session, second)
    matched = sorted(a.scenarios.keys() & b.scenarios.keys())
    if match == "same-content" and not same_version:
        digests_a = _spec_digests(session, first.suite_version_id, set(matched))
        digests_b = _spec_digests(session, second.suite_version_id, set(matched))
        matched = [sid for sid in matched if sid in digests_a and digests_a[sid] == digests_b.get(sid)]
    paired = set(matched)
    only_a = sorted(sid for sid in a.scenarios if sid not in paired)
    only_b = sorted(sid for sid in b.scenarios if sid not in paired)

    tiers = suite_tiers(session.get_one(EvalSuiteVersion, second.suite_version_id))  # slices follow run B
    groups = _group_pairs(matched, a.scenarios, b.scenarios)
    slices = compare_slices(groups, conf=conf, alpha=alpha, n_resamples=n_resamples, seed=seed, tiers=tiers)
    changes = _changes(matched, a.scenarios, b.scenarios, tiers)
    shown = {kind: ids[:examples] for kind, ids in changes.items() if kind != "resolved_errors"}
    details = _examples(session, first, second, [sid for ids in shown.values() for sid in ids],
                        a.scenarios, b.scenarios)
    return Comparison(
        run_a=info_a, run_b=info_b, match=match, matched=len(matched), only_a=len(only_a), only_b=len(only_b),
        only_a_ids=only_a[:LISTED], only_b_ids=only_b[:LISTED],
        overall=slices[0], tiers=[s for s in slices if s.kind == "tier"],
        tags=[s for s in slices if s.kind == "tag"], scorers=[s for s in slices if s.kind == "scorer"],
        regressions=[details[sid] for sid in shown["regressions"]], fixes=[details[sid] for sid in shown["fixes"]],
        new_errors=[details[sid] for sid in shown["new_errors"]],
        counts={kind: len(ids) for kind, ids in changes.items()},
        flaky_a=_flaky(a.scenarios), flaky_b=_flaky(b.scenarios),
        latency=_latency(a, b), cost=_cost(a, b), conf=conf, alpha=alpha, tier_names=tiers)


def _run_info(session: Session, run: EvalRun) -> dict[str, Any]:
    name, number = session.execute(select(EvalSuite.name, EvalSuiteVersion.number).join(
        EvalSuiteVersion, EvalSuiteVersion.suite_id == EvalSuite.id)
        .where(EvalSuiteVersion.id == run.suite_version_id)).one()
    return {"id": run.id, "suite": f"{name}@{number}", "suite_version_id": run.suite_version_id,
            "target": run.target, "status": run.status, "config": run.config}


def _spec_digests(session: Session, version_id: int, wanted: set[str]) -> dict[str, bytes]:
    """A short digest of each wanted scenario's canonical spec (never the specs themselves)."""
    rows = session.execute(select(EvalScenario.scenario_id, EvalScenario.spec)
                           .where(EvalScenario.version_id == version_id).execution_options(yield_per=_ROWS))
    return {sid: hashlib.blake2b(orjson.dumps(spec, option=orjson.OPT_SORT_KEYS), digest_size=16).digest()
            for sid, spec in rows if sid in wanted}


def _group_pairs(matched: list[str], a: dict[str, _Tally], b: dict[str, _Tally]) -> dict[tuple[str, str], Pairs]:
    groups: dict[tuple[str, str], Pairs] = {("overall", "all"): Pairs()}
    for sid in matched:
        ta, tb = a[sid], b[sid]
        decided = ta.decided > 0 and tb.decided > 0
        unscored = not decided and (ta.unscored > 0 or tb.unscored > 0)
        for key in (("overall", "all"), ("tier", tb.tier), *(("tag", tag) for tag in dict.fromkeys(tb.tags))):
            group = groups.setdefault(key, Pairs())
            if decided:
                group.add(sid, ta.passed, tb.passed)
            elif unscored:
                group.unscored += 1
        for scorer in ta.scorers.keys() | tb.scorers.keys():
            group = groups.setdefault(("scorer", scorer), Pairs())
            sa, sb = ta.scorers.get(scorer), tb.scorers.get(scorer)
            if sa and sb and sa[1] and sb[1]:
                group.add(sid, 2 * sa[0] > sa[1], 2 * sb[0] > sb[1])
                group.values_x.append(sa[2] / sa[3] if sa[3] else math.nan)
                group.values_y.append(sb[2] / sb[3] if sb[3] else math.nan)
    return groups


def _changes(matched: list[str], a: dict[str, _Tally], b: dict[str, _Tally],
             tiers: tuple[str, ...]) -> dict[str, list[str]]:
    """Ids of scenarios whose outcome changed, in the order of `tiers` (the first first)."""
    rank = tier_rank(tiers)
    changes: dict[str, list[str]] = {"regressions": [], "fixes": [], "new_errors": [], "resolved_errors": []}
    for sid in matched:
        ta, tb = a[sid], b[sid]
        if ta.decided and tb.decided and ta.passed != tb.passed:
            changes["fixes" if tb.passed else "regressions"].append(sid)
        elif ta.decided and not tb.decided:
            changes["new_errors"].append(sid)
        elif tb.decided and not ta.decided:
            changes["resolved_errors"].append(sid)
    for ids in changes.values():
        ids.sort(key=lambda sid: (rank.get(b[sid].tier, len(rank)), sid))
    return changes


def _examples(session: Session, run_a: EvalRun, run_b: EvalRun, ids: list[str], a: dict[str, _Tally],
              b: dict[str, _Tally]) -> dict[str, ScenarioChange]:
    """Inputs, outputs and scores of the scenarios shown, read back for those alone."""
    unique = list(dict.fromkeys(ids))
    first: dict[tuple[int, str], Any] = {}
    inputs: dict[str, Any] = {}
    for chunk in (unique[i:i + _IDS_PER_QUERY] for i in range(0, len(unique), _IDS_PER_QUERY)):
        rows = session.execute(select(EvalResult.run_id, EvalResult.scenario_id, EvalResult.status,
                                      EvalResult.output, EvalResult.scores, EvalResult.error)
                               .where(EvalResult.run_id.in_([run_a.id, run_b.id]),
                                      EvalResult.scenario_id.in_(chunk))
                               .order_by(EvalResult.run_id, EvalResult.scenario_id, EvalResult.repeat))
        for row in rows:
            key = (row.run_id, row.scenario_id)
            tallies = a if row.run_id == run_a.id else b
            if key not in first and row.status == tallies[row.scenario_id].status:
                first[key] = row
        for version_id in dict.fromkeys((run_b.suite_version_id, run_a.suite_version_id)):
            specs = session.execute(select(EvalScenario.scenario_id, EvalScenario.spec).where(
                EvalScenario.version_id == version_id, EvalScenario.scenario_id.in_(chunk)))
            for sid, spec in specs:
                inputs.setdefault(sid, spec.get("input"))
    found = {}
    for sid in unique:
        ra, rb = first.get((run_a.id, sid)), first.get((run_b.id, sid))
        found[sid] = ScenarioChange(
            scenario_id=sid, tier=b[sid].tier, tags=list(b[sid].tags), status_a=a[sid].status,
            status_b=b[sid].status, input=inputs.get(sid), output_a=ra.output if ra else {},
            output_b=rb.output if rb else {}, scores_a=ra.scores if ra else [], scores_b=rb.scores if rb else [],
            error_b=rb.error if rb and rb.status == "error" else None)
    return found


def _flaky(scenarios: dict[str, _Tally]) -> list[dict[str, Any]]:
    """Scenarios whose repeats disagree, as `summarize_run` reports them."""
    flaky = []
    for sid in sorted(scenarios):
        t = scenarios[sid]
        statuses = [t.passes, t.failures, t.undecided, t.errors]
        if sum(1 for count in statuses if count) > 1:
            repeats = sum(statuses)
            flaky.append({"scenario_id": sid, "passes": t.passes, "repeats": repeats, "pass_at_k": t.passes > 0,
                          "consistency": max(statuses) / repeats})
            if len(flaky) >= LISTED:
                break
    return flaky


def _latency(a: _RunTally, b: _RunTally) -> dict[str, float | None]:
    def at(run: _RunTally, q: float) -> float | None:
        return quantile(np.frombuffer(run.latencies, dtype=float), q) if len(run.latencies) else None

    figures = {f"{side}_{name}_ms": at(run, q) for side, run in (("a", a), ("b", b))
               for name, q in (("p50", 0.5), ("p95", 0.95))}
    for name in ("p50", "p95"):
        before, after = figures[f"a_{name}_ms"], figures[f"b_{name}_ms"]
        figures[f"delta_{name}_ms"] = after - before if before is not None and after is not None else None
    return figures


def _cost(a: _RunTally, b: _RunTally) -> dict[str, float | None]:
    def per_scenario(run: _RunTally) -> float | None:
        return run.cost / len(run.scenarios) if run.cost is not None and run.scenarios else None

    delta = b.cost - a.cost if a.cost is not None and b.cost is not None else None
    return {"a": a.cost, "b": b.cost, "delta": delta, "a_per_scenario": per_scenario(a),
            "b_per_scenario": per_scenario(b)}
