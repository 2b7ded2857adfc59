"""Gate policies: the YAML file that says when a run may ship.

    name: helpdesk-release
    confidence: 0.95        # intervals behind every decision
    min_n: 30               # fewer scenarios than this in a slice: not enough data to decide
    rules:
      - name: critical pass rate
        metric: pass_rate
        tier: critical
        min: 0.95
      - name: no critical regressions
        metric: regressions
        tier: critical
        max: 0
      - name: no drop overall
        metric: pass_rate
        max_drop: 0.02      # against --baseline, decided on the interval of the difference
      - metric: latency_p95_ms
        max: 6000
      - metric: judges_calibrated
    allow_unscored: false   # a rate rule over a slice with unscored results is inconclusive

A rule looks at one slice (a `tier`, a `tag` or a `scorer`; none is the whole run) and
one metric, against an absolute threshold (`min`, `max`) or the baseline run (`max_drop`
for rates, `max_increase` for latency and cost).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, model_validator

from honing._config_files import json_schema, parse_yaml_model, read_config_text

SCHEMA_HINT = "the JSON Schema of gate policies: honing schema gate"
Metric = Literal["pass_rate", "error_rate", "regressions", "new_errors", "latency_p50_ms", "latency_p95_ms",
                 "cost", "cost_per_scenario", "judges_calibrated"]
RATES = ("pass_rate", "error_rate")
COUNTS = ("regressions", "new_errors")  # scenarios that changed between the baseline and the run
BUDGETS = ("latency_p50_ms", "latency_p95_ms", "cost", "cost_per_scenario")
# Which way is good: a rate or budget rule with `min` wants the figure high, `max` low.
HIGHER_IS_BETTER = {"pass_rate": True, "error_rate": False}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rule(_Strict):
    name: str | None = Field(None, description="How reports name the rule (default: metric and slice).")
    metric: Metric
    tier: Annotated[str, Field(min_length=1, max_length=16)] | None = Field(
        None, description="A tier of the run's suite (checked against the suite's tiers when the gate is decided; "
                          "default tiers: critical, important, nice).")
    tag: Annotated[str, Field(min_length=1)] | None = None
    scorer: Annotated[str, Field(min_length=1)] | None = None
    min: float | None = Field(None, description="Absolute floor (rates: 0..1).")
    max: float | None = Field(None, description="Absolute ceiling (rates 0..1, counts, ms, USD).")
    max_drop: Annotated[float, Field(ge=0, le=1)] | None = Field(
        None, description="Pass rate: the largest drop from the baseline allowed, judged on the confidence "
                          "interval of the paired difference (pass when the whole interval is above -max_drop, "
                          "fail when it is all below, otherwise inconclusive).")
    max_increase: Annotated[float, Field(ge=0)] | None = Field(
        None, description="Latency or cost: the largest relative increase over the baseline (0.2 = +20%).")
    decide_on: Literal["estimate", "interval"] = Field(
        "estimate", description="Absolute rate thresholds: compare the point estimate (with at least min_n "
                                "scenarios), or require the whole confidence interval on the right side "
                                "(inconclusive while it straddles the threshold).")
    min_n: Annotated[int, Field(ge=1)] | None = Field(None, description="Overrides the policy's min_n.")
    allow_unscored: bool | None = Field(None, description="Overrides the policy's allow_unscored for this rule.")

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        if sum(x is not None for x in (self.tier, self.tag, self.scorer)) > 1:
            raise ValueError("a rule looks at one slice: give at most one of tier, tag and scorer")
        given = [k for k in ("min", "max", "max_drop", "max_increase") if getattr(self, k) is not None]
        if self.metric == "judges_calibrated":
            if given or self.tier or self.tag or self.scorer:
                raise ValueError("judges_calibrated takes no threshold and no slice: it checks every judge "
                                 "the run's suite uses")
            return self
        if len(given) != 1:
            raise ValueError(f"give exactly one threshold of min, max, max_drop and max_increase "
                             f"({'none' if not given else ', '.join(given)} given)")
        if self.max_drop is not None and self.metric != "pass_rate":
            raise ValueError("max_drop is for pass_rate; use max_increase for latency and cost")
        if self.max_increase is not None and self.metric not in BUDGETS:
            raise ValueError("max_increase is for latency and cost metrics")
        if self.metric in COUNTS and self.max is None:
            raise ValueError(f"{self.metric} takes max (e.g. max: 0)")
        if self.metric in BUDGETS and self.min is not None:
            raise ValueError(f"{self.metric} is a budget: use max or max_increase")
        if self.metric in RATES:
            for key in ("min", "max"):
                value = getattr(self, key)
                if value is not None and not 0 <= value <= 1:
                    raise ValueError(f"{key} of a rate is between 0 and 1 (got {value})")
        if self.metric in BUDGETS and (self.tier or self.tag or self.scorer):
            raise ValueError("latency and cost rules look at the whole run: remove tier, tag or scorer")
        return self

    @property
    def slice_kind(self) -> str:
        return "tier" if self.tier else "tag" if self.tag else "scorer" if self.scorer else "overall"

    @property
    def slice_name(self) -> str:
        return self.tier or self.tag or self.scorer or "all"

    @property
    def relative(self) -> bool:
        """Whether the rule needs a baseline run."""
        return self.max_drop is not None or self.max_increase is not None or self.metric in COUNTS

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        where = "" if self.slice_kind == "overall" else f" ({self.slice_kind} {self.slice_name})"
        return f"{self.metric}{where}"

    def threshold_text(self) -> str:
        if self.min is not None:
            return f">= {self.min:g}"
        if self.max is not None:
            return f"<= {self.max:g}"
        if self.max_drop is not None:
            return f"drop from baseline <= {self.max_drop:g}"
        if self.max_increase is not None:
            return f"increase over baseline <= {self.max_increase:.0%}"
        return "every judge calibrated and adopted"


class GatePolicy(_Strict):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: str | None = None
    confidence: Annotated[float, Field(gt=0.5, lt=1)] = 0.95
    min_n: Annotated[int, Field(ge=1)] = 30
    alpha: Annotated[float, Field(gt=0, lt=0.5)] = Field(
        0.05, description="Significance level of the comparison's per-slice verdicts (Holm-corrected).")
    allow_unscored: bool = Field(
        False, description="Whether a rate rule may be decided over a slice that holds unscored results (scenarios "
                           "with no expectation, which checked nothing). By default such a rule is inconclusive: "
                           "the pass rate of the rest would be read as the slice's. Each rule can override it.")
    rules: Annotated[list[Rule], Field(min_length=1)]

    @property
    def content_hash(self) -> str:
        canonical = orjson.dumps(self.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
        return hashlib.sha256(canonical).hexdigest()[:16]


def gate_policy_json_schema() -> dict[str, Any]:
    return json_schema(GatePolicy, "Honing gate policy")


def parse_gate_policy(text: str, *, source: str = "policy.yaml") -> GatePolicy:
    return parse_yaml_model(text, GatePolicy, source=source, kind="gate policy", schema_hint=SCHEMA_HINT,
                            empty_hint="a gate policy needs a name and rules")


def load_gate_policy(path: Path) -> GatePolicy:
    return parse_gate_policy(read_config_text(path, "gate policy"), source=path.name)
