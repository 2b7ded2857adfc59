"""Annotation pages: queue list, the rater workbench, QA feedback, the reviewer's desk,
and the lead's queue console with labels, escalations, disagreements and adjudication."""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from honing import accounts, annotate, datasets, quality, rubrics
from honing._errors import NotFound
from honing.accounts import Permission, Principal, Role
from honing.api._ids import PathId
from honing.domain import ContextDocument, Message, ToolCall
from honing.stats import Estimate
from honing.storage import Label, Queue, User
from honing.web._pages import PagePrincipal, PageSession, _render

router = APIRouter(include_in_schema=False)


@dataclass
class QueuesPage:
    user: Principal
    workspace: Any
    role: Role
    queues: list[tuple[Any, dict[str, int] | None]]


@router.get("/w/{workspace}/queues", response_class=HTMLResponse)
def queues(request: Request, workspace: str, principal: PagePrincipal, session: PageSession) -> HTMLResponse:
    ws = accounts.authorize(session, principal, workspace, Permission.label)
    role = accounts.role_in(session, principal, ws)
    rows = [(q, annotate.queue_stats(session, q) if role.can(Permission.manage) else None)
            for q in annotate.list_queues(session, ws)]
    return _render(request, "queues.html", QueuesPage(principal, ws, role, rows))


@dataclass
class WorkbenchPage:
    user: Principal
    workspace: Any
    queue: Any


@router.get("/w/{workspace}/queues/{queue}/work", response_class=HTMLResponse)
def workbench(request: Request, workspace: str, queue: str, principal: PagePrincipal,
              session: PageSession) -> HTMLResponse:
    ws = accounts.authorize(session, principal, workspace, Permission.label)
    return _render(request, "workbench.html", WorkbenchPage(principal, ws, annotate.get_queue(session, ws, queue)))


@dataclass
class TaskPanel:
    """One assignment as the rater sees it: only what `rater_payload` lets through."""

    user: Principal
    task: dict[str, Any]
    messages: list[Message]
    context: list[ContextDocument]
    responses: list[dict[str, Any]]
    tool_calls: dict[str, list[ToolCall]]
    results: dict[str, str]


@router.get("/w/{workspace}/assignments/{assignment_id}/panel", response_class=HTMLResponse)
def task_panel(request: Request, workspace: str, assignment_id: PathId, principal: PagePrincipal,
               session: PageSession) -> HTMLResponse:
    ws = accounts.authorize(session, principal, workspace, Permission.label)
    assignment = annotate.own_assignment(session, assignment_id, principal.user_id)
    queue = session.get(Queue, assignment.queue_id)
    if queue.workspace_id != ws.id:
        raise NotFound(f"assignment {assignment_id} does not exist or is not yours")
    task = annotate.rater_payload(session, queue, assignment)
    messages = [Message.model_validate(m) for m in task["item"]["messages"]]
    return _render(request, "_task.html", TaskPanel(
        user=principal, task=task, messages=messages,
        context=[ContextDocument.model_validate(c) for c in task["item"]["context"]],
        responses=task["item"]["responses"],
        tool_calls={r["label"]: [ToolCall.model_validate(c) for c in r.get("tool_calls", [])]
                    for r in task["item"]["responses"]},
        results={m.tool_call_id: m.text for m in messages if m.role == "tool"}))


@dataclass
class FeedbackPage:
    user: Principal
    workspace: Any
    queue: Any
    returned: list[Any]
    reviewed: list[tuple[Any, list[Any]]]
    gold: list[Any]
    gold_correct: int
    gold_scored: int
    gold_accuracy: Estimate  # n = gold items
    escalations: list[Any]  # the rater's own, with how each ended
    rubric: Any


@router.get("/w/{workspace}/queues/{queue}/feedback", response_class=HTMLResponse)
def feedback(request: Request, workspace: str, queue: str, principal: PagePrincipal,
             session: PageSession) -> HTMLResponse:
    ws = accounts.authorize(session, principal, workspace, Permission.label)
    q = annotate.get_queue(session, ws, queue)
    mine = list(session.scalars(select(Label).where(Label.queue_id == q.id, Label.rater_id == principal.user_id)
                                .order_by(Label.updated_at.desc())))
    reviews = annotate.reviews_of(session, [label.id for label in mine])
    gold = [label for label in mine if label.gold_scored]
    return _render(request, "feedback.html", FeedbackPage(
        principal, ws, q, returned=[label for label in mine if label.status == "returned"],
        reviewed=[(label, reviews[label.id]) for label in mine if reviews.get(label.id)],
        gold=gold, gold_correct=sum(label.gold_correct or 0 for label in gold),
        gold_scored=sum(label.gold_scored or 0 for label in gold), gold_accuracy=quality.gold_accuracy(gold),
        escalations=[v.escalation for v in annotate.list_escalations(session, q, ws.name,
                                                                     rater_id=principal.user_id)],
        rubric=annotate.load_rubric(session, q.rubric_version_id)))


@dataclass
class ConsolePage:
    user: Principal
    workspace: Any
    queue: Any
    stats: dict[str, int]
    labels: list[tuple[Any, str]]
    escalations: list[annotate.EscalationView]
    disagreements: list[Any]
    rubric: Any


# The console's label count is every label of the queue; the dashboard's KPIs and the
# dataset card count narrower sets, so each says what it counts.
ALL_LABELS = "labels submitted (live, gold and qualification)"


def _console_facts(stats: dict[str, int]) -> dict[str, int]:
    return {(ALL_LABELS if name == "labels" else name): value for name, value in stats.items()}


@router.get("/w/{workspace}/queues/{queue}", response_class=HTMLResponse)
def console(request: Request, workspace: str, queue: str, principal: PagePrincipal,
            session: PageSession) -> HTMLResponse:
    ws = accounts.authorize(session, principal, workspace, Permission.manage)
    q = annotate.get_queue(session, ws, queue)
    labels = list(session.execute(select(Label, User.username).join(User, User.id == Label.rater_id)
                                  .where(Label.queue_id == q.id).order_by(Label.id.desc()).limit(100)))
    escalations = annotate.list_escalations(session, q, ws.name)
    return _render(request, "console.html", ConsolePage(
        principal, ws, q, _console_facts(annotate.queue_stats(session, q)), labels, escalations,
        worst_per_question(annotate.disagreements(session, q)),
        annotate.load_rubric(session, q.rubric_version_id)))


def worst_per_question(found: list[Any], limit: int = 25) -> list[Any]:
    """The console's disagreements: an equal share of `limit` for every contested question,
    its worst first, in rank order. A plain top 25 is often one question alone (per-response
    failure modes disagree more often than a single preference), hiding that another
    question is contested at all."""
    questions = {d.question for d in found}
    per_question = max(1, limit // max(1, len(questions)))
    taken: dict[str, int] = {}
    shown = []
    for disagreement in found:  # already ranked, most severe first
        if taken.get(disagreement.question, 0) < per_question:
            taken[disagreement.question] = taken.get(disagreement.question, 0) + 1
            shown.append(disagreement)
    return shown[:limit]


@dataclass
class AdjudicationRow:
    """One question across the item's labels: each rater's answer, whether it stands apart
    from the majority (live labels only), and the majority that prefills the lead's answer."""

    question: Any
    cells: list[tuple[Any, bool]]
    disagree: bool
    majority: Any


@dataclass
class AdjudicationPage:
    user: Principal
    workspace: Any
    queue: Any
    queue_item_id: int
    item: Any
    rubric: Any
    letters: list[str]
    labels: list[tuple[Any, str]]
    rows: list[AdjudicationRow]
    decisions: list[Any]
    focus: str | None  # the question the lead came for


def _adjudication_rows(rubric: Any, labels: list[tuple[Any, str]]) -> list[AdjudicationRow]:
    counted = [label.kind == "live" and label.status != "returned" for label, _ in labels]
    rows = []
    for q in rubric.questions:
        values = [label.answers.get(q.id) if live else None for (label, _), live in zip(labels, counted)]
        marks = rubrics.disagreeing_answers(q, values)
        rows.append(AdjudicationRow(q, [(label.answers.get(q.id), mark) for (label, _), mark in zip(labels, marks)],
                                    any(marks), rubrics.majority_answer(q, values)))
    return rows


@router.get("/w/{workspace}/queues/{queue}/items/{queue_item_id}", response_class=HTMLResponse)
def adjudication(request: Request, workspace: str, queue: str, queue_item_id: PathId,
                 principal: PagePrincipal, session: PageSession,
                 question: Annotated[str | None, Query(max_length=64)] = None) -> HTMLResponse:
    ws = accounts.authorize(session, principal, workspace, Permission.manage)
    q = annotate.get_queue(session, ws, queue)
    labels = annotate.labels_side_by_side(session, q, queue_item_id)
    if not labels:
        raise NotFound(f"queue item {queue_item_id} has no labels in queue {queue!r}")
    rubric = annotate.load_rubric(session, q.rubric_version_id)
    item = datasets.load_items(session, [labels[0][0].item_id])[0]
    return _render(request, "adjudicate.html", AdjudicationPage(
        principal, ws, q, queue_item_id, item, rubric,
        [string.ascii_uppercase[i] for i in range(len(item.item.responses))], labels,
        _adjudication_rows(rubric, labels), annotate.adjudications_of(session, q, queue_item_id),
        question if question in {x.id for x in rubric.questions} else None))


@dataclass
class ReviewPage:
    user: Principal
    workspace: Any
    queue: Any
    label: Any | None
    rater: str | None
    item: Any | None
    rubric: Any


@router.get("/w/{workspace}/queues/{queue}/review", response_class=HTMLResponse)
def review_desk(request: Request, workspace: str, queue: str, principal: PagePrincipal,
                session: PageSession) -> HTMLResponse:
    ws = accounts.authorize(session, principal, workspace, Permission.review)
    q = annotate.get_queue(session, ws, queue)
    label = annotate.next_review(session, q, principal.user_id)
    return _render(request, "review.html", ReviewPage(
        principal, ws, q, label, session.get(User, label.rater_id).username if label else None,
        datasets.load_items(session, [label.item_id])[0] if label else None,
        annotate.load_rubric(session, q.rubric_version_id)))
