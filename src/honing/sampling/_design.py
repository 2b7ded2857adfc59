"""A sampling design's settings, checked before anything is read: what `honing sample`
records in the new version's lineage and what a schedule stores."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from honing._errors import InvalidInput

Kind = Literal["random", "stratified", "priority", "novelty"]
Allocation = Literal["proportional", "neyman", "fixed"]
KINDS: tuple[Kind, ...] = ("random", "stratified", "priority", "novelty")
ALLOCATIONS: tuple[Allocation, ...] = ("proportional", "neyman", "fixed")
# Priority weights: every item has the base weight (so every item can be drawn), plus the
# weight of each signal it shows. See docs/decisions/0029-sampling-designs.md.
DEFAULT_WEIGHTS: dict[str, float] = {"base": 1.0, "negative": 4.0, "error": 4.0, "slow": 2.0,
                                     "low_score": 2.0, "disagreement": 4.0}
MISSING_STRATUM = "(missing)"  # items without the stratifying field form their own stratum


@dataclass(frozen=True)
class Design:
    kind: Kind = "random"
    size: int | None = None  # None only with fixed allocation: the sum of the budgets
    seed: int = 0
    stratify_by: str | None = None  # an item metadata key
    allocation: Allocation = "proportional"
    budgets: dict[str, int] = field(default_factory=dict)  # stratum -> items drawn from it
    neyman_sd: str | None = None  # a numeric metadata key; default: the failure indicator's SD
    dedup: bool = False
    dedup_threshold: float = 0.8
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    slow_ms: float | None = None  # None: slower than 90% of the frame's known latencies
    score_field: str = "judge_score"
    low_score: float = 0.5
    novelty_field: str = "user"  # the text compared, as dedup names it
    novelty_floor: float = 0.05  # the weight of an item exactly like a labeled one

    def __post_init__(self) -> None:
        check_design(self)

    @property
    def stratified(self) -> bool:
        return self.stratify_by is not None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        if self.kind != "priority":
            for key in ("weights", "slow_ms", "score_field", "low_score"):
                out.pop(key)
        if self.kind != "novelty":
            out.pop("novelty_field"), out.pop("novelty_floor")
        if not self.stratified:
            for key in ("allocation", "budgets", "neyman_sd"):
                out.pop(key)
        if not self.dedup:
            out.pop("dedup_threshold")
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Design:
        return cls(**data)


def check_design(d: Design) -> None:
    if d.kind not in KINDS:
        raise InvalidInput(f"design {d.kind!r} is not one of: {', '.join(KINDS)}")
    if d.kind == "stratified" and not d.stratify_by:
        raise InvalidInput("the stratified design needs a metadata field to stratify by", hint="e.g. --stratify-by intent")
    if d.allocation not in ALLOCATIONS:
        raise InvalidInput(f"allocation {d.allocation!r} is not one of: {', '.join(ALLOCATIONS)}")
    if (d.budgets or d.neyman_sd or d.allocation != "proportional") and not d.stratify_by:
        raise InvalidInput("budgets, allocations and --neyman-sd need strata", hint="add --stratify-by FIELD")
    for stratum, budget in d.budgets.items():
        if not isinstance(budget, int) or budget < 0:
            raise InvalidInput(f"the budget of stratum {stratum!r} must be a whole number >= 0, "
                               f"not {budget!r}")
    if d.allocation == "fixed":
        if not d.budgets:
            raise InvalidInput("fixed allocation needs a budget per stratum",
                               hint="e.g. --budget billing=50 --budget login=20")
        if d.size is not None and d.size != sum(d.budgets.values()):
            raise InvalidInput(f"size {d.size} is not the sum of the budgets "
                               f"({sum(d.budgets.values())})",
                               hint="leave --size out with fixed allocation")
    elif d.size is None:
        raise InvalidInput("the sample needs a size", hint="e.g. --size 200")
    if d.size is not None and d.size < 1:
        raise InvalidInput(f"size {d.size} must be at least 1")
    unknown = set(d.weights) - set(DEFAULT_WEIGHTS)
    if unknown:
        raise InvalidInput(f"unknown priority signal(s): {', '.join(sorted(unknown))}", hint=f"signals: {', '.join(DEFAULT_WEIGHTS)}")
    if any(w < 0 for w in d.weights.values()) or d.weights.get("base", 1.0) <= 0:
        raise InvalidInput("priority weights must be >= 0 and the base weight > 0, so every "
                           "item keeps a chance to be drawn")
    if not 0 < d.novelty_floor <= 1:
        raise InvalidInput(f"novelty floor {d.novelty_floor} is not in (0, 1]")
    if not 0 < d.dedup_threshold <= 1:
        raise InvalidInput(f"dedup threshold {d.dedup_threshold} is not in (0, 1]")
