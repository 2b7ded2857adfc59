"""Exploring a run's results: every result, filtered by status, tier, tag, a scorer's
verdict, a text search over scenario id, input and output, and whether the scenario
regressed or was fixed against a baseline run; a page at a time, with the count of each
filter value under the other filters.

Everything is filtered and counted in SQL, so a page of a run with 100k results costs a
few indexed queries, never a read of the whole run. The JSON columns (tags, scores, output,
the scenario's input) are reached with each database's own functions: SQLite's
`json_each`/`json_extract`, PostgreSQL's `jsonb_array_elements`/`->>`.

Regressed and fixed follow `compare_runs` (see `honing.evaluate._compare`): a scenario
passes in a run when more than half of its decided repeats pass (errors and unscored
results are left out); it regressed when it passed in the baseline and not in the run,
both having decided."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson
from sqlalchemy import (
    ColumnElement,
    Text,
    and_,
    case,
    exists,
    func,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from honing._errors import InvalidInput
from honing.evaluate._model import tier_rank
from honing.evaluate._results import STATUSES, get_run
from honing.evaluate._suites import suite_tiers
from honing.storage import EvalResult, EvalRun, EvalScenario, EvalSuiteVersion, Workspace

CHANGES = ("regressed", "fixed")
VERDICTS = ("pass", "fail")
MAX_VALUE = 200  # characters of a filter value: ids, tiers and tags are no longer
_DECIDED = ("pass", "fail", "inconclusive")


@dataclass(frozen=True)
class ResultFilter:
    """Which results to show. Values within one field are alternatives (OR); the fields
    combine (AND). `scorer` alone keeps results the scorer scored; with `scorer_verdict`,
    those it passed or failed. `change` needs `baseline`."""

    statuses: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    scorer: str | None = None
    scorer_verdict: Literal["pass", "fail"] | None = None
    text: str | None = None
    baseline: int | None = None
    change: Literal["regressed", "fixed"] | None = None

    def __post_init__(self) -> None:
        for name, values in (("tier", self.tiers), ("tag", self.tags), ("scorer", (self.scorer or "",)),
                             ("text", (self.text or "",))):
            too_long = next((v for v in values if len(v) > MAX_VALUE), None)
            if too_long is not None:
                raise InvalidInput(f"{name} {too_long[:40]!r}... is longer than {MAX_VALUE} characters")
        unknown = [s for s in self.statuses if s not in STATUSES]
        if unknown:
            raise InvalidInput(f"unknown status {unknown[0]!r}; use one of {', '.join(STATUSES)}")
        if self.scorer_verdict is not None and self.scorer_verdict not in VERDICTS:
            raise InvalidInput(f"unknown scorer_verdict {self.scorer_verdict!r}; use pass or fail")
        if self.scorer_verdict is not None and not self.scorer:
            raise InvalidInput("scorer_verdict needs scorer: say which scorer passed or failed")
        if self.change is not None and self.change not in CHANGES:
            raise InvalidInput(f"unknown change {self.change!r}; use regressed or fixed")
        if self.change is not None and self.baseline is None:
            raise InvalidInput("change needs baseline: say which run the result regressed or was fixed against")


@dataclass
class Facets:
    """How many results each filter value would show, the other filters applied."""

    statuses: Counter[str] = field(default_factory=Counter)
    tiers: list[tuple[str, int]] = field(default_factory=list)  # in the suite's tier order
    tags: list[tuple[str, int]] = field(default_factory=list)
    scorers: dict[str, Counter[str]] = field(default_factory=dict)  # scorer -> pass/fail counts
    changes: Counter[str] = field(default_factory=Counter)
    total: int = 0  # results matching every filter

    def as_dict(self) -> dict[str, Any]:
        return {"status": {s: self.statuses[s] for s in STATUSES}, "tier": dict(self.tiers), "tag": dict(self.tags),
                "scorer": {name: {v: counts[v] for v in VERDICTS} for name, counts in self.scorers.items()},
                "change": {c: self.changes[c] for c in CHANGES}, "total": self.total}


@dataclass(frozen=True)
class Explorer:
    """One run's results under a filter (build it with `explore`)."""

    session: Session
    run: EvalRun
    baseline: EvalRun | None
    filter: ResultFilter

    def page(self, *, after: str | None = None, after_repeat: int | None = None,
             limit: int = 50) -> tuple[list[EvalResult], dict[str, Any] | None]:
        """Results in (scenario id, repeat) order after a cursor, and the cursor of the next
        page (None on the last). Keyset paging: a page at the end of a large run costs what
        the first does. Without `after_repeat` the page starts after every repeat of `after`."""
        query = select(EvalResult).where(*self._conditions())
        if after is not None:
            query = query.where(EvalResult.scenario_id > after if after_repeat is None else or_(
                EvalResult.scenario_id > after,
                and_(EvalResult.scenario_id == after, EvalResult.repeat > after_repeat)))
        rows = list(self.session.scalars(query.order_by(EvalResult.scenario_id, EvalResult.repeat).limit(limit + 1)))
        if len(rows) <= limit:
            return rows, None
        last = rows[limit - 1]
        return rows[:limit], {"after": last.scenario_id, "after_repeat": last.repeat}

    def inputs(self, scenario_ids: list[str]) -> dict[str, Any]:
        """The input of each of these scenarios, as the run's suite version stored it."""
        rows = self.session.execute(select(EvalScenario.scenario_id, EvalScenario.spec).where(
            EvalScenario.version_id == self.run.suite_version_id, EvalScenario.scenario_id.in_(set(scenario_ids))))
        return {sid: (spec or {}).get("input") for sid, spec in rows}

    def facets(self) -> Facets:
        facets = Facets(total=self._count(self._conditions()))
        others = self._conditions(without="status")
        facets.statuses.update(dict(self.session.execute(
            select(EvalResult.status, func.count()).where(*others).group_by(EvalResult.status)).all()))
        order = tier_rank(suite_tiers(self.session.get_one(EvalSuiteVersion, self.run.suite_version_id)))
        tiers = self.session.execute(select(EvalResult.tier, func.count())
                                     .where(*self._conditions(without="tier")).group_by(EvalResult.tier)).all()
        facets.tiers = sorted(((t, n) for t, n in tiers), key=lambda tn: (order.get(tn[0], len(order)), tn[0]))
        tags = _Json.of(self.session).tags()
        facets.tags = sorted(self.session.execute(
            select(tags.c.value, func.count(func.distinct(EvalResult.id))).select_from(EvalResult)
            .join(tags, true()).where(*self._conditions(without="tag")).group_by(tags.c.value)).all())
        json = _Json.of(self.session)
        scores = json.scores()
        # Grouped by label: PostgreSQL does not see two renderings of one expression, with
        # their own bound parameters, as the same.
        name_ = json.scorer(scores).label("scorer")
        verdict = case((json.passed(scores, True), "pass"), (json.passed(scores, False), "fail"),
                       else_="other").label("verdict")
        for name, value, count in self.session.execute(
                select(name_, verdict, func.count(func.distinct(EvalResult.id)))
                .select_from(EvalResult).join(scores, true()).where(*self._conditions(without="scorer"))
                .group_by(name_, verdict)):
            facets.scorers.setdefault(name, Counter())[value] += count
        facets.scorers = dict(sorted(facets.scorers.items()))
        if self.baseline is not None:
            others = self._conditions(without="change")
            for change in CHANGES:
                facets.changes[change] = self._count([*others, self._changed(change)])
        return facets

    def _count(self, conditions: list[ColumnElement[bool]]) -> int:
        return self.session.scalar(select(func.count()).select_from(EvalResult).where(*conditions)) or 0

    def _conditions(self, without: str | None = None) -> list[ColumnElement[bool]]:
        f, json = self.filter, _Json.of(self.session)
        found: list[ColumnElement[bool]] = [EvalResult.run_id == self.run.id]
        if f.statuses and without != "status":
            found.append(EvalResult.status.in_(f.statuses))
        if f.tiers and without != "tier":
            found.append(EvalResult.tier.in_(f.tiers))
        if f.tags and without != "tag":
            tags = json.tags()
            found.append(exists(select(1).select_from(tags).where(tags.c.value.in_(f.tags))))
        if f.scorer and without != "scorer":
            scores = json.scores()
            wanted = [json.scorer(scores) == f.scorer]
            if f.scorer_verdict is not None:
                wanted.append(json.passed(scores, f.scorer_verdict == "pass"))
            found.append(exists(select(1).select_from(scores).where(*wanted)))
        if f.text:
            found.append(self._search(f.text))
        if f.change and without != "change":
            found.append(self._changed(f.change))
        return found

    def _search(self, text: str) -> ColumnElement[bool]:
        """Scenario id, output text or the scenario's input holding `text`, any case. `%`
        and `_` match themselves. An input of messages is stored as JSON, where a quote or
        backslash is escaped: the JSON-escaped form of `text` is looked for there too."""
        json = _Json.of(self.session)
        plain = _contains(text)
        escaped = orjson.dumps(text).decode()[1:-1]
        patterns = [plain] if escaped == text else [plain, _contains(escaped)]
        input_text = json.text(EvalScenario.spec, "input")
        in_input = exists(select(1).where(
            EvalScenario.version_id == self.run.suite_version_id, EvalScenario.scenario_id == EvalResult.scenario_id,
            or_(*(input_text.ilike(p, escape="\\") for p in patterns))))
        return or_(EvalResult.scenario_id.ilike(plain, escape="\\"),
                   json.text(EvalResult.output, "text").ilike(plain, escape="\\"), in_input)

    def _changed(self, change: str) -> ColumnElement[bool]:
        assert self.baseline is not None
        before, after = _outcomes(self.baseline.id), _outcomes(self.run.id)
        passed_before = 2 * before.c.passes > before.c.decided
        passed_after = 2 * after.c.passes > after.c.decided
        flipped = and_(passed_before, ~passed_after) if change == "regressed" else and_(~passed_before, passed_after)
        ids = (select(after.c.scenario_id).join(before, before.c.scenario_id == after.c.scenario_id)
               .where(before.c.decided > 0, after.c.decided > 0, flipped))
        return EvalResult.scenario_id.in_(ids)


def explore(session: Session, workspace: Workspace, run: EvalRun, result_filter: ResultFilter, *,
            match: str | None = None) -> Explorer:
    """The explorer of `run` under `result_filter`. A baseline must be a run of the same
    workspace; one of another suite version is refused unless `match="same-id"` pairs the
    scenarios that share an id (as `compare_runs` does)."""
    baseline = None
    if result_filter.baseline is not None:
        baseline = get_run(session, workspace, result_filter.baseline)
        if baseline.suite_version_id != run.suite_version_id and match != "same-id":
            raise InvalidInput(
                f"run {baseline.id} and run {run.id} ran different suite versions: their scenarios are not "
                "paired unless you say how", hint="match=same-id pairs scenarios that share an id")
    return Explorer(session, run, baseline, result_filter)


def _contains(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _outcomes(run_id: int) -> Any:
    """Per scenario of a run: its passes and decided repeats, as `_Tally` counts them."""
    return (select(EvalResult.scenario_id,
                   func.sum(case((EvalResult.status == "pass", 1), else_=0)).label("passes"),
                   func.sum(case((EvalResult.status.in_(_DECIDED), 1), else_=0)).label("decided"))
            .where(EvalResult.run_id == run_id).group_by(EvalResult.scenario_id).subquery())


@dataclass(frozen=True)
class _Json:
    """The JSON functions of the session's database."""

    postgresql: bool

    @classmethod
    def of(cls, session: Session) -> _Json:
        return cls(session.get_bind().dialect.name == "postgresql")

    def tags(self) -> Any:
        if self.postgresql:
            return func.jsonb_array_elements_text(_array(EvalResult.tags)).table_valued("value").alias()
        return func.json_each(EvalResult.tags).table_valued("value").alias()

    def scores(self) -> Any:
        if self.postgresql:
            return func.jsonb_array_elements(_array(EvalResult.scores)).table_valued("value").alias()
        return func.json_each(EvalResult.scores).table_valued("value").alias()

    def scorer(self, scores: Any) -> ColumnElement[Any]:
        if self.postgresql:
            return scores.c.value.op("->>", return_type=Text)("scorer")
        return func.json_extract(scores.c.value, "$.scorer", type_=Text)

    def passed(self, scores: Any, verdict: bool) -> ColumnElement[bool]:
        # JSON true/false: PostgreSQL's ->> gives 'true'/'false', SQLite's json_extract 1/0.
        if self.postgresql:
            return scores.c.value.op("->>", return_type=Text)("passed") == ("true" if verdict else "false")
        return func.json_extract(scores.c.value, "$.passed") == (1 if verdict else 0)

    def text(self, column: Any, key: str) -> ColumnElement[str]:
        """The member `key` of a JSON object as text: a string as itself, anything else as JSON."""
        if self.postgresql:
            return column.op("->>", return_type=Text)(key)
        return func.json_extract(column, f"$.{key}", type_=Text)


def _array(column: Any) -> ColumnElement[Any]:
    # A JSON null (or any non-array) would make jsonb_array_elements raise: read it as [].
    return case((func.jsonb_typeof(column) == "array", column), else_=literal_column("'[]'::jsonb"))


__all__ = ["CHANGES", "Explorer", "Facets", "ResultFilter", "explore"]
