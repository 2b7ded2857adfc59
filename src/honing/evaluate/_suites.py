"""Suites as files users keep in git (YAML, with scenarios inline or in JSONL files beside
it) and as immutable, content-hashed versions in storage.

Scenarios are streamed: read one at a time from the files, checked (scorer parameters
included), hashed and written in batches inside one transaction. A problem anywhere
rolls the whole push back, so a suite is stored entirely or not at all; and a suite of a
hundred thousand scenarios costs the memory of a batch, not of the suite.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from honing import audit
from honing._config_files import field_path, json_schema, parse_yaml_model, read_config_text
from honing._errors import InvalidInput, NotFound, Problem
from honing.evaluate._model import TIERS, Scenario, Suite, tier_rank
from honing.evaluate._suite_marks import get_suite, set_held_out
from honing.storage import EvalScenario, EvalSuite, EvalSuiteVersion, Workspace

BATCH = 1000
MAX_PROBLEMS = 50
SCHEMA_HINT = "the JSON Schema of suite files: honing schema suite"


def suite_json_schema() -> dict[str, Any]:
    return json_schema(Suite, "Honing evaluation suite")


def read_suite_header(path: Path) -> Suite:
    return parse_yaml_model(read_config_text(path, "suite"), Suite, source=path.name, kind="suite", schema_hint=SCHEMA_HINT,
                            empty_hint="a suite needs a name and scenarios (inline or in scenario_files)")


def iter_scenarios(path: Path, suite: Suite) -> Iterator[tuple[Scenario, str]]:
    """Each scenario of the suite, defaults applied and scorer parameters checked, with where
    it came from ("suite.yaml scenarios[3]" or "cases.jsonl line 7"). Raises InvalidInput
    with every problem found (up to 50) once the files are read."""
    from honing.evaluate.scorers import check_spec

    problems: list[Problem] = []
    seen: dict[str, str] = {}

    def checked(scenario: Scenario, where: str, file: str, line: int | None, prefix: str) -> Scenario | None:
        bad = False
        tier_problem = suite.tier_problem(scenario)
        if tier_problem:  # inline scenarios were checked with the header; files are checked here
            bad = True
            problems.append(Problem(tier_problem, file=file, line=line, field=f"{prefix}tier"))
        scenario = _with_defaults(suite, scenario)
        for index, spec in enumerate(scenario.expect):
            try:
                check_spec(spec, where=f"{where}: expect[{index}]")
            except InvalidInput as error:
                bad = True
                problems.extend(Problem(p.message, file=file, line=line,
                                        field=f"{prefix}expect[{index}]" + (f".{p.field}" if p.field else ""),
                                        hint=p.hint) for p in (error.problems or [Problem(error.message)]))
        if scenario.id in seen:
            bad = True
            problems.append(Problem(f"scenario id {scenario.id!r} also appears at {seen[scenario.id]}",
                                    file=file, line=line, field=f"{prefix}id", hint="ids must be unique"))
        seen.setdefault(scenario.id, where)
        return None if bad else scenario

    for index, scenario in enumerate(suite.scenarios):
        ok = checked(scenario, f"{path.name} scenarios[{index}]", path.name, None, f"scenarios[{index}].")
        if ok is not None and not problems:
            yield ok, f"{path.name} scenarios[{index}]"
    for name in suite.scenario_files:
        file = (path.parent / name)
        for line, raw in _lines(file, name):
            try:
                scenario = Scenario.model_validate(orjson.loads(raw))
            except orjson.JSONDecodeError as error:
                problems.append(Problem(f"not valid JSON: {error}", file=name, line=line))
                continue
            except ValidationError as error:
                problems.extend(Problem(e["msg"].removeprefix("Value error, "), file=name, line=line,
                                        field=field_path(e["loc"])) for e in error.errors())
                continue
            ok = checked(scenario, f"{name} line {line}", name, line, "")
            if ok is not None and not problems:
                yield ok, f"{name} line {line}"
            if len(problems) >= MAX_PROBLEMS:
                break
    if problems:
        raise InvalidInput(f"{path.name}: the suite is not valid ({len(problems)} problem"
                           f"{'s' if len(problems) != 1 else ''}{', first 50 shown' if len(problems) >= MAX_PROBLEMS else ''})",
                           problems=problems[:MAX_PROBLEMS], hint=SCHEMA_HINT)
    if not seen:
        raise InvalidInput(f"{path.name}: the suite has no scenarios",
                           hint="add `scenarios:` or list JSONL files in `scenario_files:`")


def _lines(file: Path, name: str) -> Iterator[tuple[int, bytes]]:
    try:
        handle = file.open("rb")
    except OSError as error:
        raise InvalidInput(f"cannot read scenario file {name}: {error.strerror}",
                           hint="scenario_files are paths relative to the suite file") from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            if raw.strip():
                yield number, raw


def _with_defaults(suite: Suite, scenario: Scenario) -> Scenario:
    defaults = suite.defaults
    if defaults is None:
        return scenario
    changes: dict[str, Any] = {}
    if defaults.expect:
        changes["expect"] = [*defaults.expect, *scenario.expect]
    if defaults.tier is not None and "tier" not in scenario.model_fields_set:
        changes["tier"] = defaults.tier
    if defaults.tags:
        changes["tags"] = list(dict.fromkeys([*defaults.tags, *scenario.tags]))
    return scenario.model_copy(update=changes) if changes else scenario


@dataclass(frozen=True)
class SuitePush:
    name: str
    number: int
    created: bool
    content_hash: str
    scenarios: int
    tiers: dict[str, int]  # scenarios per tier, in the suite's tier order
    # Scenarios with no expectation (defaults included): they will run as unscored, which
    # a user would rather hear before paying for a run than after.
    unscored: int = 0
    held_out: bool = True

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.number}"


def push_suite(session: Session, workspace: Workspace, path: Path, *, actor: str,
               scratch: bool = False) -> SuitePush:
    """Store the suite file as a new version, unless its content equals the newest one.

    A new suite is held out (the contamination check compares training data with it)
    unless it is pushed as `scratch` (as `honing eval run FILE` does); `held_out:` in the
    file decides either way, and a suite already stored keeps its mark otherwise.

    Two passes over the files: the first checks every scenario and computes the version
    hash, so nothing is written when there is a problem or no change; the second writes."""
    suite = read_suite_header(path)
    digest = hashlib.sha256()
    suite.hash_header(digest)
    tiers: Counter[str] = Counter()
    unscored = 0
    for scenario, _ in iter_scenarios(path, suite):
        digest.update(b"\n" + scenario.canonical_json())
        tiers[scenario.tier] += 1
        unscored += not scenario.expect
    content_hash, count = digest.hexdigest(), sum(tiers.values())
    ordered = {tier: tiers[tier] for tier in suite.tier_names if tier in tiers}
    row = session.scalar(select(EvalSuite).where(EvalSuite.workspace_id == workspace.id,
                                                 EvalSuite.name == suite.name))
    if row is None:
        row = EvalSuite(workspace_id=workspace.id, name=suite.name,
                        held_out=suite.held_out if suite.held_out is not None else not scratch)
        session.add(row)
        session.flush()
    elif suite.held_out is not None and suite.held_out != row.held_out:
        set_held_out(session, workspace, row, suite.held_out, actor=actor)
    latest = latest_version(session, row.id)
    if latest is not None and latest.content_hash == content_hash:
        return SuitePush(suite.name, latest.number, False, content_hash, latest.scenario_count,
                         ordered_tiers(latest), unscored, row.held_out)
    number = (latest.number if latest else 0) + 1
    version = EvalSuiteVersion(suite_id=row.id, number=number, content_hash=content_hash,
                               description=suite.description, scenario_count=count, tiers=ordered,
                               tier_names=suite.tiers, source=path.name[:500], actor=actor)
    session.add(version)
    session.flush()
    batch: list[dict[str, Any]] = []
    for position, (scenario, _) in enumerate(iter_scenarios(path, suite)):
        batch.append({"version_id": version.id, "position": position, "scenario_id": scenario.id,
                      "tier": scenario.tier, "spec": scenario.model_dump(mode="json", exclude_none=True)})
        if len(batch) >= BATCH:
            session.execute(EvalScenario.__table__.insert(), batch)
            batch = []
    if batch:
        session.execute(EvalScenario.__table__.insert(), batch)
    audit.record(session, actor=actor, action="suite.push", target=f"suite:{suite.name}@{number}",
                 workspace=workspace.name, details={"scenarios": count, "hash": content_hash})
    return SuitePush(suite.name, number, True, content_hash, count, ordered, unscored, row.held_out)


def suite_tiers(version: EvalSuiteVersion) -> tuple[str, ...]:
    """The version's tiers, most important first (the default ones unless its file declared
    its own)."""
    return tuple(version.tier_names) if version.tier_names else TIERS


def ordered_tiers(version: EvalSuiteVersion) -> dict[str, int]:
    """Scenarios per tier in the suite's order (PostgreSQL's JSONB keeps no key order)."""
    rank = tier_rank(suite_tiers(version))
    return dict(sorted(version.tiers.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])))


def latest_version(session: Session, suite_id: int) -> EvalSuiteVersion | None:
    return session.scalar(select(EvalSuiteVersion).where(EvalSuiteVersion.suite_id == suite_id)
                          .order_by(EvalSuiteVersion.number.desc()).limit(1))


def resolve_suite_version(session: Session, workspace: Workspace, ref: str) -> tuple[str, EvalSuiteVersion]:
    """'name' (newest version) or 'name@N'."""
    name, _, number = ref.partition("@")
    row = get_suite(session, workspace, name)  # archived suites too: old runs and reports read them
    if number:
        if not number.isdigit():
            raise InvalidInput(f"suite reference {ref!r} must be NAME or NAME@NUMBER")
        version = session.scalar(select(EvalSuiteVersion).where(EvalSuiteVersion.suite_id == row.id,
                                                                EvalSuiteVersion.number == int(number)))
    else:
        version = latest_version(session, row.id)
    if version is None:
        raise NotFound(f"suite version {ref!r} does not exist")
    return name, version


def list_suite_versions(session: Session, workspace: Workspace, *,
                        archived: bool = True) -> list[tuple[str, EvalSuiteVersion]]:
    """Every version of the workspace's suites (`archived=False`: of those not archived)."""
    return [(suite.name, version) for suite, version in list_suites(session, workspace, archived=archived)]


def list_suites(session: Session, workspace: Workspace, *,
                archived: bool = False) -> list[tuple[EvalSuite, EvalSuiteVersion]]:
    """Each suite with each of its versions, by name and number; archived suites only when
    `archived`."""
    query = (select(EvalSuite, EvalSuiteVersion).join(EvalSuiteVersion, EvalSuiteVersion.suite_id == EvalSuite.id)
             .where(EvalSuite.workspace_id == workspace.id).order_by(EvalSuite.name, EvalSuiteVersion.number))
    if not archived:
        query = query.where(EvalSuite.archived_at.is_(None))
    return [(suite, version) for suite, version in session.execute(query).all()]


def stored_scenarios(session: Session, version_id: int, *, start: int = 0, limit: int = BATCH) -> list[tuple[int, Scenario]]:
    """One page of a stored version's scenarios, from position `start`."""
    rows = session.execute(select(EvalScenario.position, EvalScenario.spec).where(
        EvalScenario.version_id == version_id, EvalScenario.position >= start)
        .order_by(EvalScenario.position).limit(limit))
    return [(position, Scenario.model_validate(spec)) for position, spec in rows]


def unscored_scenarios(session: Session, version_id: int) -> tuple[int, int]:
    """(scenarios with no expectation, scenarios) of a stored version: the first will run
    as unscored."""
    rows = session.execute(select(EvalScenario.spec).where(EvalScenario.version_id == version_id)
                           .execution_options(yield_per=BATCH))
    unscored = total = 0
    for (spec,) in rows:
        total += 1
        unscored += not spec.get("expect")
    return unscored, total


def unscored_warning(unscored: int, scenarios: int) -> str | None:
    """What to tell a user before a run whose suite has scenarios with no expectation."""
    if not unscored:
        return None
    return (f"{unscored} of {scenarios} scenarios have no expectation: they will run as unscored (never a pass, "
            "not in the pass rate; a release gate over them is inconclusive unless its policy allows unscored)")


def scenario_count(session: Session, version_id: int) -> int:
    return session.scalar(select(func.count()).select_from(EvalScenario).where(
        EvalScenario.version_id == version_id)) or 0
