"""Request and response shapes of the annotation API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from honing.annotate import QueuePolicy

# Answer order (docs/decisions/0014-answer-order.md), repeated in every field that holds answers.
SHOWN_ORDER = ("Response letters name the responses as this assignment showed them (A = left): "
               "the rater's client never needs to know about left/right swaps.")
CANONICAL_ORDER = "Response letters name the responses in the dataset's (stored) order, A = first."
HIDDEN_IDS = ("Null in a queue that mixes in hidden gold items (policy gold_rate > 0): gold items are "
              "added after the live ones, so their ids would tell a rater which items are gold.")
EDIT_ANSWER = ("A response_edit answer that is a response's text unchanged is refused unless given as "
               '{"text": ..., "accepted_as_is": true}; an untouched prefill is no answer.')


class RubricPushIn(BaseModel):
    yaml: str = Field(max_length=1_000_000, description="the rubric file's text")
    source: str = Field(default="rubric.yaml", max_length=200)


class RubricOut(BaseModel):
    name: str
    number: int
    ref: str
    content_hash: str
    created: bool | None = None


class QueueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=64)
    dataset: str = Field(max_length=140, description="DATASET or DATASET@VERSION")
    rubric: str = Field(max_length=140, description="RUBRIC or RUBRIC@VERSION")
    policy: QueuePolicy = Field(default_factory=QueuePolicy)


class QueueStats(BaseModel):
    live_items: int
    complete_items: int
    labels: int
    active_leases: int
    gold_items: int
    qualification_items: int
    open_escalations: int


class QueueOut(BaseModel):
    name: str
    dataset_version: str
    rubric_version: str
    policy: QueuePolicy
    status: str
    created_at: datetime
    stats: QueueStats | None = None


class ReferenceRecord(BaseModel):
    item: dict[str, Any] = Field(description="an item in the interchange shape")
    answers: dict[str, Any] = Field(description=CANONICAL_ORDER)
    tolerances: dict[str, dict[str, Any]] = Field(default_factory=dict)


class ReferenceIn(BaseModel):
    kind: Literal["gold", "qualification"]
    records: list[ReferenceRecord] = Field(min_length=1, max_length=10_000)


class SuggestionIn(BaseModel):
    item_id: int = Field(ge=1, le=2**62)
    question: str = Field(max_length=64)
    value: Any = Field(description=CANONICAL_ORDER + " Raters receive it in their shown order.")
    source: str = Field(max_length=200, description="the model or rule that made it")
    score: float | None = None


class SuggestionsIn(BaseModel):
    records: list[SuggestionIn] = Field(min_length=1, max_length=100_000)


class AssignmentOut(BaseModel):
    """A task as its rater sees it. Its responses, suggestions and draft all use the shown
    order. """ + SHOWN_ORDER

    assignment_id: int = Field(description="submit, skip, flag or escalate with this id")
    queue_item_id: int | None = Field(description="the queue item claimed (as in labels and the queue's "
                                                  "items). " + HIDDEN_IDS)
    item_id: int | None = Field(description="the dataset item behind it (as in the dataset's items). "
                                            + HIDDEN_IDS)
    queue: str
    lease_expires_at: datetime = Field(description="submit before this, or the item goes back to the queue")
    rubric_version: int
    rubric: dict[str, Any]
    item: dict[str, Any] = Field(description="messages, context, tools, responses (shown order), metadata")
    suggestions: list[dict[str, Any]]
    draft: dict[str, Any] | None
    active_ms: int
    submitted_so_far: int = Field(description="the rater's labels in this queue so far")


class ClaimOut(BaseModel):
    assignment: AssignmentOut | None = Field(
        description="the task claimed; null when there is nothing to do")
    reason: str | None = None


class AnswersIn(BaseModel):
    answers: dict[str, Any] = Field(description=(
        "Question id -> answer, for a draft, a submit or a rework. " + SHOWN_ORDER + " " + EDIT_ANSWER))
    active_ms: int = Field(default=0, ge=0, le=7 * 86_400_000)
    confidence: float | None = Field(default=None, ge=0, le=1)


class ReasonIn(BaseModel):
    reason: str = Field(max_length=2000)


class ReviewIn(BaseModel):
    verdict: Literal["accept", "return"]
    reason: str | None = Field(default=None, max_length=5000)


class AdjudicationIn(BaseModel):
    question: str = Field(max_length=64)
    answer: Any = Field(description=CANONICAL_ORDER + " " + EDIT_ANSWER)
    note: str = Field(max_length=5000)


class LabelOut(BaseModel):
    id: int
    queue: str
    queue_item_id: int
    rater: str | None = None
    status: str
    answers: dict[str, Any] = Field(description=(
        "In the order `order` names: `shown` in a rater's own submit, feedback and rework ("
        + SHOWN_ORDER + "); `canonical` for reviewers and leads (" + CANONICAL_ORDER + ")"))
    order: Literal["shown", "canonical"] = Field(description="which response order `answers` use")
    rubric_version_id: int
    confidence: float | None
    active_ms: int
    rework_count: int
    submitted_at: datetime
    updated_at: datetime
    reviews: list[dict[str, Any]] = []
    gold: dict[str, Any] | None = Field(default=None, description="only in a rater's own feedback")


class EscalationLinks(BaseModel):
    item: str = Field(description="the item's page")
    labels: str | None = Field(description="the queue item's labels side by side and its adjudication "
                                           "(a page); null until the item has a label")
    labels_api: str = Field(description="the queue item's labels through the API")


class EscalationOut(BaseModel):
    id: int
    queue: str
    item_id: int
    queue_item_id: int
    assignment_id: int
    rater: str
    severity: str
    summary: str
    details: dict[str, Any]
    confidence: float | None
    status: Literal["open", "assigned", "resolved"]
    assignee: str | None = Field(description="the reviewer, lead or admin working on it")
    outcome: str | None = Field(description="how it ended, once resolved: answered, item_fixed, "
                                            "item_removed, label_corrected or no_action")
    note: str | None = Field(description="the resolution note the rater reads")
    resolved_at: datetime | None
    resolved_by: str | None
    created_at: datetime
    links: EscalationLinks


class DisagreementOut(BaseModel):
    queue_item_id: int
    item_id: int
    question: str
    score: float
    labels: int
    adjudicated: bool


class AdjudicationOut(BaseModel):
    id: int
    queue_item_id: int
    question: str
    answer: Any = Field(description=CANONICAL_ORDER)
    note: str
    created_at: datetime
