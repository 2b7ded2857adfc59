"""Annotation endpoints: rubrics, queues, claiming and labeling, review, adjudication.
Every handler authorizes by role and calls the annotate core; each write commits once."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from honing import accounts, annotate
from honing._errors import InvalidInput, NotFound
from honing.accounts import Permission, Principal
from honing.api._annotate_schemas import (
    AdjudicationIn,
    AdjudicationOut,
    AnswersIn,
    ClaimOut,
    DisagreementOut,
    EscalationOut,
    LabelOut,
    QueueIn,
    QueueOut,
    ReasonIn,
    ReferenceIn,
    ReviewIn,
    RubricOut,
    RubricPushIn,
    SuggestionsIn,
)
from honing.api._auth import DB, CurrentPrincipal, ReadSession, Recent, RecentAccess, cached
from honing.api._auth import look_up as auth_look_up
from honing.api._escalations import escalation_out
from honing.api._escalations import router as escalations_router
from honing.api._ids import PathId
from honing.api._schemas import ERROR_RESPONSES
from honing.storage import (
    Database,
    Label,
    Queue,
    Review,
    User,
    Workspace,
)

router = APIRouter(prefix="/api/workspaces/{workspace}", tags=["annotation"], responses=ERROR_RESPONSES)
WorkspaceName = Annotated[str, Path(max_length=64)]
QueueName = Annotated[str, Path(max_length=64)]
Id = PathId


def _queue(session: Session, principal: Principal, workspace: str, queue: str, needed: Permission):  # type: ignore[no-untyped-def]
    ws = accounts.authorize(session, principal, workspace, needed)
    return ws, annotate.get_queue(session, ws, queue)


# Raters' requests (claim, draft, submit...) read their workspace's members and roles and
# their queue through a two-second cache shared by all raters: a crowd of them costs one
# lookup of each, not one per rater or per request. Cached rows are detached from the
# session that loaded them and only read; authorizing against the cached roles runs on
# every request.

def _queue_named(session: Session, ws: Workspace, name: str) -> Queue:
    queue = annotate.get_queue(session, ws, name)
    session.expunge(queue)
    return queue


def _queue_by_id(session: Session, queue_id: int) -> Queue:
    queue = session.get_one(Queue, queue_id)
    session.expunge(queue)
    return queue


async def _cached_async(recent: Recent, key: tuple[Any, ...], request: Request, look_up: Any,
                        *args: Any) -> Any:
    """For async endpoints: as `cached`, reading through `auth.look_up` on a miss."""
    hit = recent.get(key)
    if hit is not None:
        return hit
    return await auth_look_up(request, cached, recent, key, look_up, *args)


def _rater_workspace(recent: Recent, session: Session, principal: Principal, workspace: str) -> Workspace:
    access = cached(session, recent, ("access", workspace), accounts.workspace_access, workspace)
    return access.authorize(principal, Permission.label)


async def _rater_workspace_on_loop(request: Request, recent: Recent, principal: Principal,
                                   workspace: str) -> Workspace:
    access = await _cached_async(recent, ("access", workspace), request, accounts.workspace_access, workspace)
    return access.authorize(principal, Permission.label)


def _rater_queue(recent: Recent, session: Session, principal: Principal, workspace: str,
                 name: str) -> Queue:
    ws = _rater_workspace(recent, session, principal, workspace)
    return cached(session, recent, ("queue", ws.id, name), _queue_named, ws, name)


def _queue_out(session: Session, queue: Queue, *, stats: bool = True) -> QueueOut:
    return QueueOut.model_validate(annotate.describe_queue(session, queue, stats=stats))


def _label_out(session: Session, label: Label, queue: Queue, *, rater: str | None = None,
               with_gold: bool = False, fresh: bool = False,
               shown: dict[str, Any] | None = None, reviews: list[Review] | None = None) -> LabelOut:
    """`shown`: the answers in the order the label's rater saw the responses, for the
    rater's own endpoints; without it the stored (canonical) answers. `reviews`: the
    label's reviews when the caller read them for many labels at once."""
    if reviews is None and not fresh:
        reviews = list(session.scalars(select(Review).where(Review.label_id == label.id)
                                       .order_by(Review.id)))
    reviews_out = [{"verdict": r.verdict, "reason": r.reason, "at": r.created_at.isoformat()}
                   for r in reviews or ()]
    gold = None
    if with_gold and label.gold_scored is not None:
        gold = {"correct": label.gold_correct, "scored": label.gold_scored,
                "per_question": label.gold_detail or {}}
    return LabelOut(id=label.id, queue=queue.name, queue_item_id=label.queue_item_id, rater=rater,
                    status=label.status, answers=label.answers if shown is None else shown,
                    order=annotate.CANONICAL if shown is None else annotate.SHOWN,
                    rubric_version_id=label.rubric_version_id,
                    confidence=label.confidence, active_ms=label.active_ms,
                    rework_count=label.rework_count, submitted_at=label.submitted_at,
                    updated_at=label.updated_at, reviews=reviews_out, gold=gold)


# --- rubrics and queues (leads) -------------------------------------------------------

@router.post("/rubrics", response_model=RubricOut, status_code=201)
def push_rubric(workspace: WorkspaceName, body: RubricPushIn, principal: CurrentPrincipal, db: DB) -> RubricOut:
    with db.writing() as session:
        ws = accounts.authorize(session, principal, workspace, Permission.manage)
        result = annotate.push_rubric(session, ws, body.yaml, source=body.source, actor=principal.audit_name)
    return RubricOut(name=result.name, number=result.number, ref=result.ref,
                     content_hash=result.content_hash, created=result.created)


@router.get("/rubrics", response_model=list[RubricOut])
def list_rubrics(workspace: WorkspaceName, principal: CurrentPrincipal, session: ReadSession) -> list[RubricOut]:
    ws = accounts.authorize(session, principal, workspace, Permission.read)
    return [RubricOut(name=name, number=v.number, ref=f"{name}@{v.number}", content_hash=v.content_hash)
            for name, v in annotate.list_rubric_versions(session, ws)]


@router.post("/queues", response_model=QueueOut, status_code=201)
def create_queue(workspace: WorkspaceName, body: QueueIn, principal: CurrentPrincipal, db: DB) -> QueueOut:
    with db.writing() as session:
        ws = accounts.authorize(session, principal, workspace, Permission.manage)
        queue = annotate.create_queue(session, ws, name=body.name, dataset_ref=body.dataset,
                                      rubric_ref=body.rubric, policy=body.policy,
                                      actor=principal.audit_name)
        return _queue_out(session, queue)


@router.get("/queues", response_model=list[QueueOut])
def list_queues(workspace: WorkspaceName, principal: CurrentPrincipal, session: ReadSession) -> list[QueueOut]:
    ws = accounts.authorize(session, principal, workspace, Permission.label)
    return [_queue_out(session, q, stats=False) for q in annotate.list_queues(session, ws)]


@router.get("/queues/{queue}", response_model=QueueOut)
def get_queue(workspace: WorkspaceName, queue: QueueName, principal: CurrentPrincipal,
              session: ReadSession) -> QueueOut:
    _, q = _queue(session, principal, workspace, queue, Permission.label)
    return _queue_out(session, q)


@router.post("/queues/{queue}/reference-items", status_code=201)
def add_reference_items(workspace: WorkspaceName, queue: QueueName, body: ReferenceIn,
                        principal: CurrentPrincipal, db: DB) -> dict[str, int]:
    records, problems = [], []
    for index, record in enumerate(body.records, start=1):
        read = annotate.gold_record(record.item, record.answers, record.tolerances, row=index)
        if isinstance(read, list):
            problems += read
        else:
            records.append(read)
    if problems:
        raise InvalidInput("some items are not valid; nothing was added", problems=problems[:50])
    with db.writing() as session:
        ws, q = _queue(session, principal, workspace, queue, Permission.manage)
        added = annotate.add_reference_items(session, ws, q, body.kind, records, actor=principal.audit_name)
    return {"added": added}


@router.post("/suggestions", status_code=201)
def add_suggestions(workspace: WorkspaceName, body: SuggestionsIn, principal: CurrentPrincipal,
                    db: DB) -> dict[str, int]:
    with db.writing() as session:
        ws = accounts.authorize(session, principal, workspace, Permission.manage)
        added = annotate.add_suggestions(session, ws, [r.model_dump() for r in body.records],
                                         actor=principal.audit_name)
    return {"added": added}


# --- raters ---------------------------------------------------------------------------

# On PostgreSQL the server answers most claims and submits before routing, on its event
# loop (`claim_on_loop`, `submit_on_loop`, served by honing.api._fast_path). The endpoints
# below are the synchronous path, which handles every case, and what the API documents.

@router.post("/queues/{queue}/claim", response_model=ClaimOut)
async def claim(workspace: WorkspaceName, queue: QueueName, principal: CurrentPrincipal, db: DB,
                recent: RecentAccess) -> Response:
    body = await run_in_threadpool(_claim, recent, db, principal, workspace, queue)
    # The hot path of every rater: serialized once with orjson, not re-validated.
    return Response(orjson.dumps(body), media_type="application/json")


# Both run while the server runs on PostgreSQL (app.state.labeling is set).

async def claim_on_loop(request: Request, principal: Principal, workspace: str, queue: str) -> bytes | None:
    """The claim's response body from the event loop, or None for the synchronous path."""
    recent: Recent = request.app.state.access
    ws = await _rater_workspace_on_loop(request, recent, principal, workspace)
    q = await _cached_async(recent, ("queue", ws.id, queue), request, _queue_named, ws, queue)
    labeling: annotate.AsyncLabeling = request.app.state.labeling
    body = await labeling.claim(q, principal.user_id, actor=principal.audit_name, workspace=workspace)
    return None if body is None else orjson.dumps(body)


def _claim(recent: Recent, db: Database, principal: Principal, workspace: str, queue: str) -> dict[str, Any]:
    with db.writing() as session:
        q = _rater_queue(recent, session, principal, workspace, queue)
        result = annotate.claim_next(session, q, principal.user_id, actor=principal.audit_name,
                                     workspace=workspace)
        if result.assignment is None:
            return {"assignment": None, "reason": result.reason}
        return {"assignment": annotate.rater_payload(session, q, result.assignment), "reason": None}


def _assignment(recent: Recent, session: Session, principal: Principal, workspace: str, assignment_id: int, *, lock: bool = False):  # type: ignore[no-untyped-def]
    ws = _rater_workspace(recent, session, principal, workspace)
    assignment = annotate.own_assignment(session, assignment_id, principal.user_id, lock=lock)
    queue = cached(session, recent, ("queue-id", assignment.queue_id), _queue_by_id,
                    assignment.queue_id)
    if queue.workspace_id != ws.id:
        raise NotFound(f"assignment {assignment_id} does not exist or is not yours")
    return ws, queue, assignment


@router.get("/assignments/{assignment_id}")
def get_assignment(workspace: WorkspaceName, assignment_id: Id, principal: CurrentPrincipal,
                   session: ReadSession, recent: RecentAccess) -> dict[str, Any]:
    _, queue, assignment = _assignment(recent, session, principal, workspace, assignment_id)
    return {"status": assignment.status, **annotate.rater_payload(session, queue, assignment)}


@router.put("/assignments/{assignment_id}/draft", status_code=204)
def save_draft(workspace: WorkspaceName, assignment_id: Id, body: AnswersIn, principal: CurrentPrincipal,
               db: DB, recent: RecentAccess) -> None:
    """Keep unfinished answers (shown order); they come back with the assignment."""
    with db.writing() as session:
        ws, _, assignment = _assignment(recent, session, principal, workspace, assignment_id)
        annotate.save_draft(session, assignment, body.answers, body.active_ms,
                            actor=principal.audit_name, workspace=ws.name)


@router.post("/assignments/{assignment_id}/submit", response_model=LabelOut)
async def submit(workspace: WorkspaceName, assignment_id: Id, body: AnswersIn, principal: CurrentPrincipal,
                 db: DB, recent: RecentAccess) -> Response:
    """Store the answers, given in the order the assignment showed the responses; the label
    comes back in that order too (`order: shown`)."""
    label = await run_in_threadpool(_submit, recent, db, principal, workspace, assignment_id, body)
    return Response(label.model_dump_json(), media_type="application/json")


async def submit_on_loop(request: Request, principal: Principal, workspace: str, assignment_id: int,
                         body: AnswersIn) -> bytes | None:
    """The submit's response body from the event loop, or None for the synchronous path."""
    recent: Recent = request.app.state.access
    ws = await _rater_workspace_on_loop(request, recent, principal, workspace)

    async def queue_of(queue_id: int) -> Queue:
        return await _cached_async(recent, ("queue-id", queue_id), request, _queue_by_id, queue_id)

    labeling: annotate.AsyncLabeling = request.app.state.labeling
    row = await labeling.submit(queue_of, workspace_id=ws.id, workspace=ws.name,
                                actor=principal.audit_name, rater_id=principal.user_id,
                                assignment_id=assignment_id, answers=body.answers,
                                confidence=body.confidence, active_ms=body.active_ms)
    if row is None:
        return None
    queue = await queue_of(row["queue_id"])
    label = LabelOut(**{k: row[k] for k in _LABEL_COLUMNS}, queue=queue.name, order=annotate.SHOWN,
                     rater=principal.name, reviews=[], gold=None)
    return label.model_dump_json().encode()


_LABEL_COLUMNS = ("id", "queue_item_id", "status", "answers", "rubric_version_id", "confidence",
                  "active_ms", "rework_count", "submitted_at", "updated_at")


def _submit(recent: Recent, db: Database, principal: Principal, workspace: str, assignment_id: int,
            body: AnswersIn) -> LabelOut:
    with db.writing() as session:
        ws, queue, assignment = _assignment(recent, session, principal, workspace, assignment_id, lock=True)
        label = annotate.submit(session, queue, assignment, body.answers, actor=principal.audit_name,
                                workspace=ws.name, confidence=body.confidence, active_ms=body.active_ms)
        return _label_out(session, label, queue, rater=principal.name, fresh=label.rework_count == 0
                          and label.status == "submitted",
                          shown=annotate.shown_answers(session, [label])[label.id])


@router.post("/assignments/{assignment_id}/skip", status_code=204)
def skip(workspace: WorkspaceName, assignment_id: Id, body: ReasonIn, principal: CurrentPrincipal, db: DB,
         recent: RecentAccess) -> None:
    with db.writing() as session:
        ws, queue, assignment = _assignment(recent, session, principal, workspace, assignment_id, lock=True)
        annotate.skip(session, queue, assignment, body.reason, actor=principal.audit_name, workspace=ws.name)


@router.post("/assignments/{assignment_id}/flag", status_code=204)
def flag(workspace: WorkspaceName, assignment_id: Id, body: ReasonIn, principal: CurrentPrincipal, db: DB,
         recent: RecentAccess) -> None:
    with db.writing() as session:
        ws, queue, assignment = _assignment(recent, session, principal, workspace, assignment_id)
        annotate.flag(session, queue, assignment, body.reason, actor=principal.audit_name, workspace=ws.name)


@router.post("/assignments/{assignment_id}/escalate", response_model=EscalationOut, status_code=201)
def escalate(workspace: WorkspaceName, assignment_id: Id, body: annotate.EscalationIn,
             principal: CurrentPrincipal, db: DB, recent: RecentAccess) -> EscalationOut:
    with db.writing() as session:
        ws, queue, assignment = _assignment(recent, session, principal, workspace, assignment_id)
        e = annotate.escalate(session, queue, assignment, body, actor=principal.audit_name, workspace=ws.name)
        return escalation_out(annotate.get_escalation(session, queue, ws.name, e.id))


@router.get("/queues/{queue}/feedback", response_model=list[LabelOut])
def my_feedback(workspace: WorkspaceName, queue: QueueName, principal: CurrentPrincipal,
                session: ReadSession) -> list[LabelOut]:
    """The caller's own reviewed labels and gold results (their QA feedback), answers in the
    order the caller was shown each item: what a rework takes back unchanged."""
    _, q = _queue(session, principal, workspace, queue, Permission.label)
    labels = [label for label in session.scalars(
        select(Label).where(Label.queue_id == q.id, Label.rater_id == principal.user_id)
        .order_by(Label.id.desc()).limit(500))
        if label.status in ("returned", "accepted", "reworked") or label.gold_scored is not None]
    shown = annotate.shown_answers(session, labels)
    return [_label_out(session, label, q, rater=principal.name, with_gold=True, shown=shown[label.id])
            for label in labels]


@router.put("/queues/{queue}/labels/{label_id}/rework", response_model=LabelOut)
def rework(workspace: WorkspaceName, queue: QueueName, label_id: Id, body: AnswersIn,
           principal: CurrentPrincipal, db: DB) -> LabelOut:
    """Answer a returned label again, in the shown order its feedback gives."""
    with db.writing() as session:
        ws, q = _queue(session, principal, workspace, queue, Permission.label)
        label = annotate.get_label(session, q, label_id)
        if label.rater_id != principal.user_id:
            raise NotFound(f"label {label_id} does not exist or is not yours")
        label = annotate.rework(session, q, label, body.answers, actor=principal.audit_name, workspace=ws.name)
        return _label_out(session, label, q, rater=principal.name,
                          shown=annotate.shown_answers(session, [label])[label.id])


# --- reviewers and leads ----------------------------------------------------------------

@router.post("/queues/{queue}/reviews/next", response_model=LabelOut | None)
def next_review(workspace: WorkspaceName, queue: QueueName, principal: CurrentPrincipal,
                session: ReadSession) -> LabelOut | None:
    _, q = _queue(session, principal, workspace, queue, Permission.review)
    label = annotate.next_review(session, q, principal.user_id)
    if label is None:
        return None
    return _label_out(session, label, q, rater=session.get(User, label.rater_id).username)


@router.post("/queues/{queue}/labels/{label_id}/review", response_model=LabelOut)
def review(workspace: WorkspaceName, queue: QueueName, label_id: Id, body: ReviewIn,
           principal: CurrentPrincipal, db: DB) -> LabelOut:
    with db.writing() as session:
        ws, q = _queue(session, principal, workspace, queue, Permission.review)
        label = annotate.get_label(session, q, label_id)
        annotate.review(session, q, label, reviewer_id=principal.user_id, verdict=body.verdict,
                        reason=body.reason, actor=principal.audit_name, workspace=ws.name)
        return _label_out(session, label, q, rater=session.get(User, label.rater_id).username)


# A queue's labels and items, page by page and as a stream: honing.api._queue_listings.


@router.get("/queues/{queue}/disagreements", response_model=list[DisagreementOut])
def list_disagreements(workspace: WorkspaceName, queue: QueueName, principal: CurrentPrincipal,
                       session: ReadSession, question: Annotated[str | None, Query(max_length=64)] = None,
                       limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[DisagreementOut]:
    _, q = _queue(session, principal, workspace, queue, Permission.manage)
    return [DisagreementOut(**d.__dict__) for d in annotate.disagreements(session, q, question=question)[:limit]]


@router.get("/queues/{queue}/items/{queue_item_id}/labels", response_model=list[LabelOut])
def item_labels(workspace: WorkspaceName, queue: QueueName, queue_item_id: Id, principal: CurrentPrincipal,
                session: ReadSession) -> list[LabelOut]:
    _, q = _queue(session, principal, workspace, queue, Permission.manage)
    return [_label_out(session, label, q, rater=name)
            for label, name in annotate.labels_side_by_side(session, q, queue_item_id)]


@router.post("/queues/{queue}/items/{queue_item_id}/adjudication", response_model=AdjudicationOut, status_code=201)
def adjudicate(workspace: WorkspaceName, queue: QueueName, queue_item_id: Id, body: AdjudicationIn,
               principal: CurrentPrincipal, db: DB) -> AdjudicationOut:
    with db.writing() as session:
        ws, q = _queue(session, principal, workspace, queue, Permission.manage)
        d = annotate.adjudicate(session, q, queue_item_id, body.question, body.answer, body.note,
                                actor_id=principal.user_id, actor=principal.audit_name, workspace=ws.name)
        return AdjudicationOut(id=d.id, queue_item_id=d.queue_item_id, question=d.question,
                               answer=d.answer, note=d.note, created_at=d.created_at)


# Escalations after the rater sends them: listing, assigning, resolving, reopening.
router.include_router(escalations_router)
