"""What a rater receives for an assignment. Built from an allow-list, so nothing that could
reveal a gold item (its kind, its answers), other raters' labels, or (when blind) the
model behind a response ever leaves the server."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from honing import datasets
from honing.annotate._order import shows_swapped, to_shown
from honing.annotate._policy import QueuePolicy
from honing.annotate._rubrics import LoadedRubric, loaded_rubric
from honing.domain import Item
from honing.rubrics import Rubric
from honing.storage import Assignment, Queue, QueueItem, RaterProgress, Suggestion
from honing.storage._immutable import ImmutableCache

LETTERS = "ABCDEFGH"


def rater_payload(session: Session, queue: Queue, assignment: Assignment) -> dict[str, Any]:
    policy = QueuePolicy.model_validate(queue.policy)
    item_id = _ITEM_OF.get(session, assignment.queue_item_id, lambda: session.scalar(
        select(QueueItem.item_id).where(QueueItem.id == assignment.queue_item_id)))
    loaded = loaded_rubric(session, queue.rubric_version_id)
    done = session.scalar(select(RaterProgress.labels).where(
        RaterProgress.queue_id == queue.id, RaterProgress.rater_id == assignment.rater_id)) or 0
    shown = _SHOWN.get(session, shown_key(item_id, assignment.swapped, policy),
                       lambda: _shown_item(session, item_id, assignment.swapped, policy))
    suggestions = session.execute(select(Suggestion.question, Suggestion.value, Suggestion.source,
                                         Suggestion.score).where(Suggestion.item_id == item_id)
                                  .order_by(Suggestion.question, Suggestion.id)).all()
    return assemble_payload(queue, assignment, item_id, loaded, shown, suggestions, done)


def assemble_payload(queue: Queue, assignment: Any, item_id: int, loaded: LoadedRubric,
                     shown: dict[str, Any], suggestions: Sequence[Any], done: int) -> dict[str, Any]:
    """The payload from its parts; `assignment` is a row or object with its columns and
    each suggestion one with question, value, source and score."""
    # Which item this is, so a client can match the task with its own records; but not where
    # hidden gold items are mixed in: they are added after the live items, so their ids
    # would tell a rater which items are gold.
    named = not queue.policy.get("gold_rate")
    return {
        "assignment_id": assignment.id,
        "queue_item_id": assignment.queue_item_id if named else None,
        "item_id": item_id if named else None,
        "queue": queue.name,
        "lease_expires_at": assignment.lease_expires_at.isoformat(),
        "rubric_version": loaded.number,
        "rubric": loaded.document,
        "item": shown,
        "suggestions": _suggestions(suggestions, loaded.rubric, assignment.swapped,
                                    len(shown["responses"])),
        "draft": assignment.draft,
        "active_ms": assignment.active_ms,
        "submitted_so_far": done,
    }


def shown_key(item_id: int, swapped: bool, policy: QueuePolicy) -> tuple[Any, ...]:
    return (item_id, swapped, policy.blind, tuple(policy.show_metadata))


# Both only ever grow: a queue item's item never changes, nor does an item's content. The
# shown item is shared between raters, so it must never be mutated once built.
_ITEM_OF: ImmutableCache[int] = ImmutableCache(size=65_536)
_SHOWN: ImmutableCache[dict[str, Any]] = ImmutableCache(size=4096)


def _shown_item(session: Session, item_id: int, swapped: bool, policy: QueuePolicy) -> dict[str, Any]:
    return shown_item(datasets.load_item(session, item_id).item, swapped, policy)


def shown_item(item: Item, swapped: bool, policy: QueuePolicy) -> dict[str, Any]:
    """The item as a rater sees it: responses in this assignment's left/right order, model
    names only when the queue is not blind, and only the metadata the policy shows."""
    responses = list(item.responses)
    if shows_swapped(swapped, len(responses)):
        responses.reverse()
    shown = []
    for letter, response in zip(LETTERS, responses, strict=False):
        entry: dict[str, Any] = {"label": letter, "content": response.content}
        if response.tool_calls:
            entry["tool_calls"] = [c.model_dump(mode="json") for c in response.tool_calls]
        if not policy.blind:
            entry.update(model=response.model, model_version=response.model_version)
        shown.append(entry)
    return {
        "messages": [m.model_dump(mode="json", exclude_none=True) for m in item.messages],
        "context": [c.model_dump(mode="json", exclude_none=True) for c in item.context],
        "tools": [t.model_dump(mode="json", exclude_none=True) for t in item.tools],
        "responses": shown,
        "metadata": {k: item.metadata[k] for k in policy.show_metadata if k in item.metadata},
    }


def _suggestions(rows: Sequence[Any], rubric: Rubric, swapped: bool,
                 response_count: int) -> list[dict[str, Any]]:
    """Model pre-labels, in the left/right order this rater sees."""
    known = {q.id for q in rubric.questions}
    shown = []
    for s in rows:
        if s.question not in known:
            continue
        value = to_shown(rubric, {s.question: s.value}, swapped=swapped,
                         response_count=response_count)[s.question]
        shown.append({"question": s.question, "value": value, "source": s.source, "score": s.score})
    return shown
