"""What an evaluation is made of: scenarios and suites (files users keep in git), what a
target answered (`Output`), and what a scorer concluded (`Score`).

Messages, tool calls, tool definitions and context documents are the domain's own
(`honing.domain`), so an item labeled by people and a scenario run against a model are
the same conversation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, model_validator

from honing._errors import InvalidInput, Problem
from honing.domain import ContextDocument, Message, ToolCall, ToolDefinition

# A suite may declare its own tiers (`tiers: [blocker, major, minor]`, most important
# first); one that does not has these, so suites written before tiers were declarable
# keep their meaning and their content hashes.
TIERS: tuple[str, ...] = ("critical", "important", "nice")
DEFAULT_TIER = "important"  # a scenario's tier when neither it nor the suite's defaults name one
Tier = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,15}$",
                            description="one of the suite's tiers (up to 16 letters, digits, '.', '_', '-')")]
SCENARIO_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,199}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScorerSpec(BaseModel):
    """One expectation: a registered scorer and its parameters, e.g.
    `{type: contains, value: "reset link", case_sensitive: false}`. The parameters are
    checked by the scorer's own parameter model when the suite is loaded."""

    model_config = ConfigDict(extra="allow", frozen=True)
    type: Annotated[str, Field(min_length=1, max_length=64, description="a registered scorer")]
    name: Annotated[str, Field(max_length=100)] | None = Field(
        default=None, description="how reports name this expectation (default: the type)")

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.model_extra or {})

    @property
    def label(self) -> str:
        return self.name or self.type


class ToolMock(_Strict):
    """What a tool returns when the model calls it during a scenario: a static result, an
    error, or a Python function (`module:function`, called with the arguments)."""

    tool: Annotated[str, Field(min_length=1, max_length=256)]
    when: dict[str, Any] | None = Field(
        default=None, description="only for calls whose arguments include these values")
    result: Any = None
    error: str | None = None
    function: Annotated[str, Field(pattern=r"^[\w.]+:[\w.]+$")] | None = None


class Provenance(_Strict):
    source: Literal["incident", "ticket", "synthetic", "red_team", "dataset_item", "manual"] = "manual"
    ref: Annotated[str, Field(max_length=500)] | None = None
    note: str | None = None


class Scenario(_Strict):
    id: Annotated[str, Field(pattern=SCENARIO_ID_PATTERN)]
    input: str | Annotated[list[Message], Field(min_length=1)] = Field(
        description="a user message, or a whole conversation as chat messages")
    context: list[ContextDocument] = Field(default_factory=list)
    tools: list[ToolDefinition] = Field(default_factory=list)
    tool_mocks: list[ToolMock] = Field(default_factory=list)
    expect: list[ScorerSpec] = Field(default_factory=list)
    tier: Tier = DEFAULT_TIER
    tags: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(default_factory=list)
    provenance: Provenance | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    def messages(self) -> list[Message]:
        """The conversation sent to the target (a string input is one user message)."""
        if isinstance(self.input, str):
            return [Message(role="user", content=self.input)]
        return list(self.input)

    def canonical_json(self) -> bytes:
        return orjson.dumps(self.model_dump(mode="json", exclude_none=True), option=orjson.OPT_SORT_KEYS)


class Suite(_Strict):
    """A named, versioned set of scenarios. `defaults.expect` applies to every scenario
    (before its own expectations); `scenario_files` are JSONL files (one scenario per
    line) next to the YAML file."""

    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")]
    description: str = ""
    tiers: Annotated[list[Tier], Field(min_length=1, max_length=20)] | None = Field(
        default=None, description="The suite's tiers, most important first (default: critical, important, "
                                  "nice). Results, failures, comparisons and reports follow this order, and "
                                  "every scenario's tier must be one of them.")
    held_out: bool | None = Field(
        default=None, description="Held out from training: the contamination check compares training data "
                                  "with held-out suites. Default: held out when pushed with `honing suite push`, "
                                  "a scratch suite when `honing eval run FILE` pushes it. "
                                  "`honing suite mark` changes it later.")
    defaults: SuiteDefaults | None = None
    scenarios: list[Scenario] = Field(default_factory=list)
    scenario_files: list[str] = Field(default_factory=list)

    @property
    def tier_names(self) -> tuple[str, ...]:
        """The suite's tiers, most important first."""
        return tuple(self.tiers) if self.tiers is not None else TIERS

    @model_validator(mode="after")
    def _known_tiers(self) -> Suite:
        problems: list[Problem] = []
        if self.tiers is not None and len(set(self.tiers)) != len(self.tiers):
            repeated = sorted({t for t in self.tiers if self.tiers.count(t) > 1})
            problems.append(Problem(f"tier {', '.join(map(repr, repeated))} is listed twice", field="tiers",
                                    hint="each tier appears once, most important first"))
        default = self.defaults.tier if self.defaults else None
        if default is not None and default not in self.tier_names:
            problems.append(Problem(unknown_tier(default, self.tier_names), field="defaults.tier"))
        for index, scenario in enumerate(self.scenarios):
            message = self.tier_problem(scenario)
            if message:
                problems.append(Problem(message, field=f"scenarios[{index}].tier"))
        if problems:
            raise InvalidInput("the suite's tiers are not consistent", problems=problems)
        return self

    def tier_problem(self, scenario: Scenario) -> str | None:
        """What is wrong with the scenario's tier in this suite (before defaults apply)."""
        if "tier" in scenario.model_fields_set:
            return None if scenario.tier in self.tier_names else unknown_tier(scenario.tier, self.tier_names)
        if self.defaults is not None and self.defaults.tier is not None:
            return None  # checked once, as defaults.tier
        if DEFAULT_TIER in self.tier_names:
            return None
        return (f"the scenario names no tier, and the default {DEFAULT_TIER!r} is not one of the suite's tiers "
                f"({', '.join(self.tier_names)}): give it a tier or set defaults.tier")

    def hash_header(self, digest: Any) -> None:
        """Feed what of the header belongs to a version into `digest`: the name, and the
        tiers when declared (their order changes what reports say, so it makes a version;
        a suite without `tiers` hashes as it always did)."""
        digest.update(self.name.encode())
        if self.tiers is not None:
            digest.update(b"\ntiers:" + orjson.dumps(self.tiers))

    def content_hash(self) -> str:
        """The version key: the suite with every scenario resolved, in order."""
        digest = hashlib.sha256()
        self.hash_header(digest)
        for scenario in self.scenarios:  # as honing.evaluate._suites.push_suite hashes files
            digest.update(b"\n" + scenario.canonical_json())
        return digest.hexdigest()


def tier_rank(tiers: tuple[str, ...] | list[str]) -> dict[str, int]:
    """Sort key of each tier: its place in the suite's order, most important first."""
    return {tier: rank for rank, tier in enumerate(tiers)}


def unknown_tier(tier: str, tiers: tuple[str, ...] | list[str]) -> str:
    return f"unknown tier {tier!r}; the suite's tiers are {', '.join(tiers)}"


class SuiteDefaults(_Strict):
    expect: list[ScorerSpec] = Field(default_factory=list)
    tier: Tier | None = None
    tags: list[str] = Field(default_factory=list)


Suite.model_rebuild()


@dataclass
class Output:
    """What the target produced for one scenario: the final assistant message, the whole
    trajectory (every assistant turn and tool result of the agent loop), usage and timing."""

    text: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)  # every call made, in order
    trajectory: list[Message] = field(default_factory=list)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_ms: float | None = None
    cost: float | None = None
    steps: int = 1


@dataclass(frozen=True)
class Score:
    """A scorer's verdict. `passed` is None when the scorer could not decide (`error` says
    why, e.g. a judge whose answer could not be parsed); such a score never counts as a
    pass."""

    scorer: str
    value: float | None
    passed: bool | None
    explanation: str = ""
    error: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
