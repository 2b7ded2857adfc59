"""What every migration reader produces, whatever the tool: items with the labels their
annotators gave and the feedback their users gave, and the rubric questions those labels
answer. Readers are pure: they read a file and touch no database."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from honing._errors import InvalidInput
from honing.domain import Item
from honing.feedback import Signal

QuestionType = Literal["label", "multi_label", "likert", "pairwise", "text"]


@dataclass(frozen=True)
class MigratedLabel:
    annotator: str  # the other tool's user id, e-mail or username, as its export writes it
    answers: dict[str, Any]  # Honing question id -> answer, A = the item's first response
    submitted_at: datetime | None
    provenance: dict[str, Any]
    active_ms: int = 0


@dataclass(frozen=True)
class MigratedSuggestion:
    """A model's pre-label (Label Studio prediction, Argilla suggestion): shown to raters,
    never counted as a label."""

    question: str  # the tool's control or question name
    value: Any
    source: str  # "<tool>:<model version or agent>"
    score: float | None = None


@dataclass(frozen=True)
class MigratedRecord:
    item: Item
    labels: list[MigratedLabel] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    suggestions: list[MigratedSuggestion] = field(default_factory=list)


@dataclass
class QuestionSpec:
    """One rubric question, as found in a labeling configuration or derived from answers."""

    id: str
    type: QuestionType
    prompt: str
    options: list[str] = field(default_factory=list)  # label, multi_label
    low: int | None = None  # likert
    high: int | None = None

    def see(self, value: Any) -> None:
        """Widen the question to hold an answer found in the export."""
        if self.type in ("label", "multi_label"):
            for option in value if isinstance(value, list) else [value]:
                if option not in self.options:
                    self.options.append(option)
        elif self.type == "likert":
            self.low = value if self.low is None else min(self.low, value)
            self.high = value if self.high is None else max(self.high, value)

    def as_rubric(self) -> dict[str, Any]:
        # Imported labels may leave any question out (a skipped control, a draft), so no
        # imported question is required.
        body: dict[str, Any] = {"id": self.id, "type": self.type, "prompt": self.prompt,
                                "required": False}
        if self.type in ("label", "multi_label"):
            body["options"] = [{"value": o, "label": o} for o in self.options]
        elif self.type == "likert":
            low, high = self.low or 1, self.high or 1
            if high == low:
                high = low + 1
            body["scale"] = [{"value": v, "anchor": f"{v} of {high}"} for v in range(low, high + 1)]
        return body


@dataclass
class Migration:
    tool: str  # label-studio | argilla | langfuse
    questions: dict[str, QuestionSpec]  # by Honing question id, in rubric order
    records: list[MigratedRecord]
    # how the questions were found: "labeling config", "settings" or "derived from answers"
    questions_from: str
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # A question found to take several options only part way through the file: the
        # answers read before then are lists of one.
        multi = {q.id for q in self.questions.values() if q.type == "multi_label"}
        for record in self.records:
            for label in record.labels:
                for qid in multi & label.answers.keys():
                    if isinstance(label.answers[qid], str):
                        label.answers[qid] = [label.answers[qid]]

    def suggestions(self, item_ids: list[int]) -> list[dict[str, Any]]:
        """Suggestions as `annotate.add_suggestions` takes them, for the questions the rubric
        has and with values it allows (a model may predict what no annotator chose)."""
        rows = []
        for item_id, record in zip(item_ids, self.records, strict=True):
            for suggestion in record.suggestions:
                q = self.questions.get(question_id(suggestion.question))
                values = suggestion.value if isinstance(suggestion.value, list) else [suggestion.value]
                if q is None or (q.type in ("label", "multi_label") and not set(values) <= set(q.options)):
                    continue
                if q.type == "multi_label" and not isinstance(suggestion.value, list):
                    values = [suggestion.value]
                rows.append({"item_id": item_id, "question": q.id, "source": suggestion.source[:200],
                             "value": values if q.type == "multi_label" else suggestion.value,
                             "score": suggestion.score})
        return rows

    def rubric(self, name: str) -> dict[str, Any]:
        if not self.questions:
            raise InvalidInput(f"the {self.tool} export holds no answers to import as labels",
                               hint="check that the export includes the annotations")
        return {"name": name, "title": f"Imported from {self.tool}",
                "instructions": f"Labels imported from {self.tool}; questions "
                                f"{self.questions_from}.",
                "questions": [q.as_rubric() for q in self.questions.values()]}


_NOT_ID = re.compile(r"[^a-z0-9_]+")


def question_id(name: str) -> str:
    """A Honing question id for another tool's control or question name:
    'User Feedback' -> 'user_feedback'."""
    cleaned = _NOT_ID.sub("_", name.strip().lower()).strip("_")
    if not cleaned or not cleaned[0].isalpha():
        cleaned = f"q_{cleaned}"
    return cleaned[:40]
