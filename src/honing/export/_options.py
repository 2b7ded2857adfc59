"""What a training export is asked for, and which rubric question each format reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from honing._errors import InvalidInput
from honing.datasets.pii import REDACTION_MODES
from honing.export._rows import ROW_FORMATS
from honing.rubrics import (
    LikertQuestion,
    PairwiseQuestion,
    Question,
    ResponseEditQuestion,
    Rubric,
)

CONTAINERS = ("jsonl", "hf")


@dataclass(frozen=True)
class TrainingOptions:
    """Options of `export_training`; the CLI's flags map onto these one to one."""

    format: str = "sft"  # one of ROW_FORMATS
    container: str = "jsonl"  # jsonl | hf (a `datasets` dataset saved with save_to_disk)
    standard: bool = False  # plain text instead of conversational messages
    provenance: bool = True
    question: str | None = None  # the pairwise (dpo, reward) or response_edit (sft) question
    from_ratings: str | None = None  # a per-response likert question instead
    min_rating: float | None = None  # sft: accepted at or above; kto: label true at or above
    max_rating: float | None = None  # kto: label false at or below
    min_gap: float = 1.0
    min_strength: int = 1
    min_agreement: float = 0.0
    exclude_gold: bool = True
    allow_contaminated: bool = False
    redact_pii: str | None = None  # rows holding PII written redacted: mask | placeholder | hash
    allow_pii: bool = False  # rows holding PII written unchanged (default: left out)
    as_version: str | None = None  # a queue's labels onto the items of this redacted version
    suites: tuple[str, ...] | None = None  # evaluation suites the contamination check uses
    validation: float = 0.0
    seed: int = 0
    stratify_by: str | None = None

    def check(self) -> None:
        if self.format not in ROW_FORMATS:
            raise InvalidInput(f"training format {self.format!r} is not supported",
                               hint="use one of: " + ", ".join(ROW_FORMATS))
        if self.container not in CONTAINERS:
            raise InvalidInput(f"container {self.container!r} is not supported", hint="jsonl or hf")
        if self.min_strength not in (1, 2):
            raise InvalidInput("--min-strength must be 1 (A>B) or 2 (A>>B)")
        if not 0 <= self.min_agreement <= 1:
            raise InvalidInput(f"--min-agreement {self.min_agreement} is not in [0, 1]", hint="e.g. 0.67")
        if self.min_gap <= 0:
            raise InvalidInput("--min-gap must be positive", hint="e.g. --min-gap 1")
        if self.redact_pii and self.allow_pii:
            raise InvalidInput("--redact-pii and --allow-pii exclude each other",
                               hint="--redact-pii MODE writes rows holding PII redacted; --allow-pii "
                                    "writes them unchanged; neither leaves them out")
        if self.redact_pii is not None and self.redact_pii not in REDACTION_MODES:
            raise InvalidInput(f"--redact-pii {self.redact_pii!r} is not a redaction mode",
                               hint="use one of: " + ", ".join(REDACTION_MODES))
        if self.format == "kto" and self.question and self.from_ratings:
            raise InvalidInput("give --question or --from-ratings for kto, not both")


def _question(rubric: Rubric, question_id: str, flag: str) -> Question:
    try:
        return rubric.question(question_id)
    except KeyError:
        raise InvalidInput(f"{flag} {question_id!r} is not a question of rubric {rubric.name!r}",
                           hint="questions: " + ", ".join(q.id for q in rubric.questions)) from None


def _first(rubric: Rubric, kind: type, per_response: bool | None = None) -> Question | None:
    for q in rubric.questions:
        if isinstance(q, kind) and (per_response is None or getattr(q, "per_response", False) == per_response):
            return q
    return None


def rating_question(rubric: Rubric, question_id: str | None, flag: str = "--from-ratings") -> LikertQuestion:
    """A per-response likert question, named or the rubric's first."""
    q = _question(rubric, question_id, flag) if question_id else _first(rubric, LikertQuestion, True)
    if q is None:
        raise InvalidInput(f"rubric {rubric.name!r} has no per-response likert question to read ratings from")
    if not (isinstance(q, LikertQuestion) and q.per_response):
        kind = "likert question for the whole item" if isinstance(q, LikertQuestion) else f"{q.type} question"
        raise InvalidInput(f"{flag} {q.id!r} is a {kind}; ratings come from a per-response likert question",
                           hint="questions: " + ", ".join(x.id for x in rubric.questions
                                                        if isinstance(x, LikertQuestion) and x.per_response))
    return q


Q = TypeVar("Q")


def _typed_question(rubric: Rubric, question_id: str | None, kind: type[Q], type_name: str, what: str,
                    instead: str) -> Q:
    """The named question, or the rubric's first of `kind`, which gives `what`; `instead`
    is the other way to export, for the hint."""
    q = _question(rubric, question_id, "--question") if question_id else _first(rubric, kind)
    if q is None:
        raise InvalidInput(f"rubric {rubric.name!r} has no {type_name} question for {what}",
                           hint=f"or {instead}")
    if not isinstance(q, kind):
        raise InvalidInput(f"--question {q.id!r} is a {q.type} question; {what} come from a {type_name} question",
                           hint=f"or {instead}")
    return q


def preference_question(rubric: Rubric, question_id: str | None) -> PairwiseQuestion:
    return _typed_question(rubric, question_id, PairwiseQuestion, "pairwise", "preference pairs",
                           "pair responses by their ratings: --from-ratings QUESTION")


def edit_question(rubric: Rubric, question_id: str | None) -> ResponseEditQuestion:
    return _typed_question(rubric, question_id, ResponseEditQuestion, "response_edit", "ideal responses",
                           "export accepted responses: --from-ratings QUESTION --min-rating 4")
