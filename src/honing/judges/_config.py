"""Judge config files: an LLM-as-judge as a file users keep in git, and its fingerprint.

    name: helpfulness-judge
    kind: pointwise                     # or pairwise
    target: openai:gpt-4o-mini?temperature=0
    rubric: |
      Does the response solve the employee's problem with steps they can follow?
    scale:                              # pointwise only; default: llm_judge's 1..5 anchors
      - {value: 1, anchor: does not help}
      ...
    pass_at: 4                          # pointwise only

The fingerprint is what makes a judge the judge that was calibrated: a short hash of
what shapes its verdicts (kind, target, rubric and, for pointwise judges, the scale).
A suite scorer (`llm_judge`, `llm_judge_pairwise`) asking the same model with the same
rubric and scale has the same fingerprint, so a release gate can find the calibration
behind every judge a run used. `pass_at` is left out on purpose: it is where a verdict
is cut, not how the judge grades, and calibration measures the grading.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from honing._config_files import json_schema, parse_yaml_model, read_config_text
from honing._errors import InvalidInput, Problem
from honing.evaluate.scorers import DEFAULT_SCALE, Anchor, JudgeParams, PairwiseParams

SCHEMA_HINT = "the JSON Schema of judge files: honing schema judge"
FINGERPRINT_CHARS = 16
JudgeKind = Literal["pointwise", "pairwise"]


class JudgeConfig(BaseModel):
    """An LLM-as-judge: which model, asked with which rubric, on which scale."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$", description=(
        "How calibration records name this judge: lowercase letters, digits, '.', '_', '-'."))]
    kind: JudgeKind = Field(description="pointwise grades one response on a scale; pairwise "
                                        "says which of two responses is better")
    target: Annotated[str, Field(min_length=1, description=(
        "Target spec of the judge model, e.g. openai:gpt-4o-mini?temperature=0 or "
        "python:module:function"))]
    rubric: Annotated[str, Field(min_length=1, description="What the judge is asked to grade.")]
    scale: list[Anchor] | None = Field(default=None, description=(
        "Pointwise only: the anchored scale (default: llm_judge's 1-5 anchors)."))
    pass_at: int | None = Field(default=None, description=(
        "Pointwise only, required there: the lowest score that passes."))

    @model_validator(mode="after")
    def _fits_its_kind(self) -> JudgeConfig:
        # Raised as InvalidInput (not ValueError) so that each problem keeps its own field
        # and the loader can point at its line. The scale checks are llm_judge's own.
        problems = []
        if self.kind == "pairwise":
            problems += [Problem(f"'{key}' is for pointwise judges only", field=key,
                                 hint="remove it, or use kind: pointwise")
                         for key in ("scale", "pass_at") if getattr(self, key) is not None]
        else:
            values = [a.value for a in self.anchors()]
            if len(values) < 2 or len(set(values)) != len(values):
                problems.append(Problem("the scale needs at least two anchors with distinct values",
                                        field="scale"))
            elif self.pass_at is None:
                problems.append(Problem("'pass_at' is missing: a pointwise judge needs the lowest "
                                        "passing score", field="pass_at",
                                        hint=f"add it, e.g. pass_at: {values[-2]}"))
            elif not min(values) < self.pass_at <= max(values):
                problems.append(Problem(f"pass_at {self.pass_at} must be above the lowest scale value "
                                        f"and at most the highest ({min(values)}..{max(values)})",
                                        field="pass_at"))
        if problems:
            raise InvalidInput("the judge is not valid", problems=problems)
        return self

    def anchors(self) -> list[Anchor]:
        """The scale, lowest first (the default scale when none is given)."""
        return sorted(self.scale if self.scale is not None else DEFAULT_SCALE, key=lambda a: a.value)

    @property
    def fingerprint(self) -> str:
        return _fingerprint(self.kind, self.target, self.rubric,
                            self.anchors() if self.kind == "pointwise" else None)

    def scorer_params(self, **extra: Any) -> dict[str, Any]:
        """Parameters of the equivalent suite scorer (`llm_judge` or `llm_judge_pairwise`)."""
        if self.kind == "pointwise":
            return {"judge": self.target, "rubric": self.rubric, "pass_at": self.pass_at,
                    "scale": [a.model_dump() for a in self.anchors()], **extra}
        return {"judge": self.target, "rubric": self.rubric, **extra}


def _fingerprint(kind: str, target: str, rubric: str, scale: list[Anchor] | None) -> str:
    # Surrounding whitespace is no change (YAML's `|` adds a final newline, `|-` does not).
    body: dict[str, Any] = {"kind": kind, "target": target.strip(), "rubric": rubric.strip()}
    if scale is not None:
        body["scale"] = [{"value": a.value, "anchor": a.anchor.strip()}
                         for a in sorted(scale, key=lambda a: a.value)]
    canonical = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()[:FINGERPRINT_CHARS]


def fingerprint_of_scorer(scorer_type: str, params: dict[str, Any]) -> str | None:
    """The fingerprint of the judge a suite scorer spec asks: equal to the JudgeConfig's
    when model, rubric and (pointwise) scale are the same. None for scorers that are not
    LLM judges, or whose parameters the scorer itself would refuse."""
    try:
        if scorer_type == "llm_judge":
            pointwise = JudgeParams.model_validate(params)
            return _fingerprint("pointwise", pointwise.judge, pointwise.rubric, pointwise.scale)
        if scorer_type == "llm_judge_pairwise":
            pairwise = PairwiseParams.model_validate(params)
            return _fingerprint("pairwise", pairwise.judge, pairwise.rubric, None)
    except ValidationError:
        return None
    return None


def parse_judge_config(text: str, *, source: str = "judge.yaml") -> JudgeConfig:
    """A judge config from YAML text; InvalidInput names each problem's file, line and field."""
    return parse_yaml_model(text, JudgeConfig, source=source, kind="judge", schema_hint=SCHEMA_HINT,
                            empty_hint="a judge needs name, kind, target and rubric")


def load_judge_config(path: Path | str) -> JudgeConfig:
    path = Path(path)
    return parse_judge_config(read_config_text(path, "judge"), source=path.name)


def judge_config_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of judge files, for editors and CI checks."""
    return json_schema(JudgeConfig, "Honing LLM judge")
