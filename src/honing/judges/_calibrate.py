"""Calibrate a judge against human labels: ask it about every unit people rated for one
question of one queue, measure how far it agrees with them and what sways it, decide
whether it may stand in for them, and store the result as the judge's next version.

The verdict rests on Spearman's rho (judge against the humans' mean): "adopted" when at
least `min_items` units were judged and rho reaches `threshold`, "rejected" when it does
not (or when the judge gave every unit the same answer, so that it orders nothing),
"inconclusive" when too few units were judged or rho is otherwise undefined (e.g. every
human gave the same rating). The interval is reported beside it: a rho of 0.62 [0.48, 0.73]
passes a threshold of 0.6 on its point estimate, and the reader sees how firmly.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from honing import accounts
from honing._errors import InvalidInput
from honing.evaluate.scorers import render_output
from honing.judges._asking import JudgingProgress, Verdict, ask_judge
from honing.judges._config import JudgeConfig
from honing.judges._figures import N_RESAMPLES, Figures
from honing.judges._pairwise import pairwise_figures
from honing.judges._pointwise import pointwise_figures
from honing.judges._records import CalibrationRecord, store_calibration
from honing.judges._units import LabeledUnits, Unit, labeled_units
from honing.stats import Estimate
from honing.storage import Database

VERDICTS = ("adopted", "rejected", "inconclusive")
ERROR_EXAMPLES = 5


@dataclass(frozen=True)
class Calibration:
    """One calibration of a judge: the figures (each an Estimate with interval and n),
    the confusion matrix, the bias findings, the verdict, and the stored record."""

    judge: str
    fingerprint: str
    kind: str
    queue: str
    question: str
    n: int  # units the judge answered: every statistic rests on these
    labeled_units: int  # units humans labeled (after --limit)
    judge_errors: int  # units whose judge reply could not be read or whose call failed
    skipped: dict[str, int]  # labeled units the judge could not be asked about, by reason
    figures: Figures
    threshold: float
    min_items: int
    verdict: str
    verdict_reason: str
    error_examples: list[str]
    record: CalibrationRecord

    @property
    def spearman(self) -> Estimate:
        return self.figures.headline

    @property
    def version(self) -> int:
        return self.record.version

    @property
    def created_at(self) -> datetime:
        return self.record.created_at

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: the record's identity, the verdict and every figure."""
        return {"judge": self.judge, "version": self.version, "ref": self.record.ref,
                "fingerprint": self.fingerprint, "kind": self.kind, "queue": self.queue,
                "question": self.question, "n": self.n, "threshold": self.threshold,
                "verdict": self.verdict, "spearman": self.spearman.as_dict(),
                "created_at": self.created_at.isoformat(), **self.record.metrics}


def calibrate(db: Database, workspace_name: str, judge: JudgeConfig, queue: str, question: str, *,
              threshold: float = 0.6, min_items: int = 30, limit: int | None = None, conf: float = 0.95,
              seed: int = 0, concurrency: int = 8, actor: str,
              on_progress: Callable[[JudgingProgress], None] | None = None) -> Calibration:
    """Calibrate JUDGE on the human labels of QUESTION in QUEUE and store the record.

    Runs its own event loop (call it from synchronous code). Raises NotFound for an unknown
    workspace, queue or question and InvalidInput for a question that does not fit the
    judge's kind or a target spec that names nothing. `limit` samples that many labeled
    units (seeded); `seed` also seeds the bootstrap intervals."""
    _check(threshold, min_items, limit, conf, concurrency)
    with db.reading() as session:
        workspace = accounts.get_workspace(session, workspace_name)
        labeled = labeled_units(session, workspace, queue, question, kind=judge.kind, limit=limit, seed=seed)
    verdicts = asyncio.run(ask_judge(judge, labeled.units, concurrency=concurrency, seed=seed,
                                     on_progress=on_progress))
    answered = [(unit, v) for unit, v in zip(labeled.units, verdicts, strict=True) if v.error is None]
    figures = _figures(judge, labeled, answered, conf=conf, seed=seed)
    n = len(answered)
    answers = {v.score if judge.kind == "pointwise" else (v.a_first if v.a_first == v.b_first else "tie")
               for _, v in answered}
    verdict, reason = decide(figures.headline, n, threshold=threshold, min_items=min_items,
                             judge_constant=n >= 2 and len(answers) == 1)
    errors = [v.error for v in verdicts if v.error is not None]
    skipped = dict(labeled.skipped)
    examples = list(dict.fromkeys(errors))[:ERROR_EXAMPLES]
    metrics = {**figures.as_dict(), "labeled_units": len(labeled.units) + sum(skipped.values()),
               "judge_errors": len(errors), "skipped": skipped, "min_items": min_items,
               "verdict_reason": reason, "error_examples": examples, "conf": conf, "seed": seed}
    config = judge.model_dump(mode="json", exclude_none=True)
    if judge.kind == "pointwise":  # the scale as asked, even when it was the default
        config["scale"] = [a.model_dump(mode="json") for a in judge.anchors()]
    with db.writing() as session:
        workspace = accounts.get_workspace(session, workspace_name)
        record = store_calibration(
            session, workspace, judge_name=judge.name, fingerprint=judge.fingerprint, kind=judge.kind,
            config=config, queue=queue, question=question, n=n,
            metrics=metrics, verdict=verdict, threshold=threshold, actor=actor)
    return Calibration(judge=judge.name, fingerprint=judge.fingerprint, kind=judge.kind, queue=queue,
                       question=question, n=n, labeled_units=metrics["labeled_units"], judge_errors=len(errors),
                       skipped=skipped, figures=figures, threshold=threshold, min_items=min_items,
                       verdict=verdict, verdict_reason=reason, error_examples=examples, record=record)


def decide(spearman: Estimate, n: int, *, threshold: float, min_items: int,
           judge_constant: bool = False) -> tuple[str, str]:
    """(verdict, why) from the judge's Spearman rho against the humans. A judge that gave
    every unit the same answer orders nothing: rejected, although rho is undefined."""
    shown = _shown(spearman)
    if n < min_items:
        return "inconclusive", f"only {n} units judged; at least {min_items} are needed"
    if judge_constant:
        return "rejected", f"the judge gave the same answer to all {n} units: it cannot tell better from worse"
    if math.isnan(spearman.value):
        return "inconclusive", f"Spearman's rho is undefined: {spearman.reason}"
    if spearman.value >= threshold:
        return "adopted", f"Spearman's rho {shown} reaches the threshold {threshold:g} (n={n})"
    return "rejected", f"Spearman's rho {shown} is below the threshold {threshold:g} (n={n})"


def _shown(estimate: Estimate) -> str:
    value = f"{estimate.value:.3f}"
    if math.isnan(estimate.low) or math.isnan(estimate.high):
        return value
    return f"{value} [{estimate.low:.3f}, {estimate.high:.3f}]"


def _figures(judge: JudgeConfig, labeled: LabeledUnits, answered: list[tuple[Unit, Verdict]], *,
             conf: float, seed: int) -> Figures:
    if judge.kind == "pointwise":
        return pointwise_figures(
            [u.ratings for u, _ in answered], [v.score for _, v in answered if v.score is not None],
            [len(render_output(u.responses[0])) for u, _ in answered], raters=labeled.raters,
            human_scale=labeled.scale, judge_scale=[a.value for a in judge.anchors()], conf=conf, seed=seed,
            n_resamples=N_RESAMPLES)
    return pairwise_figures(
        [u.ratings for u, _ in answered], [v.a_first or "tie" for _, v in answered],
        [v.b_first or "tie" for _, v in answered],
        [(len(render_output(u.responses[0])), len(render_output(u.responses[1]))) for u, _ in answered],
        conf=conf, seed=seed, n_resamples=N_RESAMPLES)


def _check(threshold: float, min_items: int, limit: int | None, conf: float, concurrency: int) -> None:
    if not -1 <= threshold <= 1:
        raise InvalidInput(f"threshold {threshold!r} is not a correlation", hint="use a value between -1 and 1, "
                           "e.g. 0.6")
    if min_items < 1:
        raise InvalidInput(f"min_items must be at least 1, not {min_items!r}")
    if limit is not None and limit < 1:
        raise InvalidInput(f"limit must be at least 1, not {limit!r}")
    if not 0 < conf < 1:
        raise InvalidInput(f"conf must be between 0 and 1 (e.g. 0.95), not {conf!r}")
    if not 1 <= concurrency <= 1024:
        raise InvalidInput(f"concurrency must be between 1 and 1024, not {concurrency!r}")
