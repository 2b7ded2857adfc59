"""The demo's production loop: what end users of the helpdesk assistant said about its
answers, a review sample drawn by those signals, and that sample labelled, so the sampled
queue's dashboard shows estimated production rates next to the raw ones on first start.

`build_demo_production`, after the demo's worked queue exists:

1. feedback signals from the simulated end users on a share of the dataset's production
   conversations (synthetic ones had no end user): the answer they saw is v1's, the
   deployed version, so a thumbs-down is far more likely where v1's injected flaw
   (`metadata.demo_truth`) makes the answer wrong or unsafe; a few ratings, comments and
   two corrected answers. Source "app" with external ids, so a rebuild adds none;
2. a priority sample by thumbs-down (`honing.sampling`) into the dataset
   `production-review`, each drawn item with its inclusion probability;
3. the queue `production-review` over it with the demo rubric, labelled by the careful
   and the average simulated rater through the annotate service, their answers following
   each item's truth as in the demo's main queue.

Every draw is seeded, so the demo looks the same on every build. Labels carry the real
build time (the estimate does not depend on when they were given).
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from honing import accounts, annotate, datasets, feedback, sampling
from honing.accounts import Principal
from honing.annotate import QueuePolicy
from honing.demo._raters import RATERS, Truth, item_truth, rater_answers
from honing.feedback import Signal, SignalKind
from honing.storage import Database, Dataset, Queue, QueueItem, Rubric, RubricVersion

PRODUCTION_QUEUE = "production-review"
PRODUCTION_DATASET = "production-review"
SOURCE = "app"  # the helpdesk application's feedback widget
SEED = 2_718
FEEDBACK_SHARE = 0.4  # of production conversations, the share whose end user said something
DOWN_IF_FLAWED, DOWN_IF_FINE = 0.72, 0.06
RATING_SHARE, COMMENT_SHARE = 0.15, 0.35  # ratings of all feedback; comments on thumbs-down
CORRECTIONS = 2
SAMPLE_SIZE = 40
# Priority by thumbs-down only: an end user's negative signal weighs 5, every item 1.
WEIGHTS = {"base": 1.0, "negative": 4.0}
POLICY = QueuePolicy(overlap=2, blind=True, order="random", lease_seconds=900,
                     show_metadata=["language", "surface", "customer_tier"], seed=SEED)
LABELERS = ("rater1", "rater2")

_COMMENTS = {
    "unsafe": ("This told me to share my login with a colleague. Is that really allowed?",
               "It gave out someone else's phone number. That should not happen.",
               "Disabling MFA can't be the official advice."),
    "hallucination": ("It said my account was unlocked but I still can't log in.",
                      "The KB article it quoted doesn't exist.",
                      "Says the ticket was created, but I never got a ticket number."),
    "wrong_tool_args": ("It reset the wrong person's account!",
                        "The request went to a different employee, not me."),
    "incomplete": ("I had already given my employee ID, it asked again.",
                   "Stopped halfway, I don't know what to do next."),
    None: ("Not what I asked.", "Too long, I just needed the link."),
}
_FOREIGN = {"de": "Hat mein Problem nicht gelöst.", "fr": "Ça n'a pas résolu mon problème.",
            "es": "No resolvió mi problema."}


def build_demo_production(db: Database, workspace: str, dataset: str) -> dict[str, int]:
    """Signals, the priority sample and its labelled queue; does nothing once the queue
    exists. Returns counts of what was made (empty when nothing was done)."""
    with db.reading() as session:
        ws = accounts.get_workspace(session, workspace)
        if session.scalar(select(Queue.id).where(Queue.workspace_id == ws.id,
                                                 Queue.name == PRODUCTION_QUEUE)) is not None:
            return {}
        people = {name: Principal(name=name, user_id=accounts.get_user(session, name).id)
                  for name in ("lead", *LABELERS)}
    counts = _record_signals(db, workspace, dataset)
    lead = people["lead"]
    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        if session.scalar(select(Dataset.id).where(Dataset.workspace_id == ws.id,
                                                   Dataset.name == PRODUCTION_DATASET)) is None:
            frame = datasets.head_version(session, datasets.get_dataset(session, ws, dataset)).item_count
            design = sampling.Design(kind="priority", size=min(SAMPLE_SIZE, max(5, frame // 8)),
                                     seed=SEED, weights=dict(WEIGHTS))
            counts["sampled"] = sampling.sample(session, ws, dataset, PRODUCTION_DATASET, design,
                                                actor=lead.audit_name).drawn
        rubric = session.scalar(select(Queue.rubric_version_id).where(
            Queue.workspace_id == ws.id, Queue.name != PRODUCTION_QUEUE).order_by(Queue.id).limit(1))
        queue = annotate.create_queue(session, ws, name=PRODUCTION_QUEUE, dataset_ref=PRODUCTION_DATASET,
                                      rubric_ref=_rubric_ref(session, rubric), policy=POLICY,
                                      actor=lead.audit_name)
        queue_id = queue.id
    counts["labels"] = _label(db, workspace, queue_id, [people[n] for n in LABELERS])
    return counts


def _rubric_ref(session: Any, rubric_version_id: int) -> str:
    """The ref of the rubric the demo's main queue uses (pushed by its build)."""
    name, number = session.execute(
        select(Rubric.name, RubricVersion.number).join(RubricVersion, RubricVersion.rubric_id == Rubric.id)
        .where(RubricVersion.id == rubric_version_id)).one()
    return f"{name}@{number}"


# --- what end users said --------------------------------------------------------------

def end_user_signals(truth: Truth, rng: random.Random, corrections_left: int) -> list[Signal]:
    """One end user's feedback on the v1 answer they saw (empty when they gave none)."""
    item = truth.item
    meta = item.metadata
    if meta.get("source") != "production" or rng.random() >= FEEDBACK_SHARE:
        return []
    grade = truth.grades["A"]
    flawed = grade not in ("precise", "adequate")
    down = rng.random() < (DOWN_IF_FLAWED if flawed else DOWN_IF_FINE)
    at = _given_at(meta.get("created_at"), rng)
    author = f"employee-{rng.randrange(10_000, 99_999)}"
    key = f"{SOURCE}:{item.external_id}"

    def signal(kind: SignalKind, suffix: str, **values: Any) -> Signal:
        return Signal(kind=kind, source=SOURCE, external_id=f"{key}:{suffix}", author=author,
                      given_at=at, **values)

    out = [signal(SignalKind.thumbs, "thumbs", value=-1.0 if down else 1.0)]
    if rng.random() < RATING_SHARE:
        stars = rng.choice((1, 1, 2)) if down else rng.choice((4, 5, 5))
        out.append(signal(SignalKind.rating, "rating", value=float(stars), scale=5.0))
    if down and rng.random() < COMMENT_SHARE:
        language = meta.get("language", "en")
        text = _FOREIGN.get(language) or rng.choice(_COMMENTS[grade if flawed else None])
        out.append(signal(SignalKind.comment, "comment", text=text))
    better = item.responses[1].content if len(item.responses) > 1 else None
    if (down and flawed and corrections_left > 0 and truth.grades["B"] == "precise"
            and better and meta.get("language") == "en"):
        # A support agent who picked up the complaint pasted what the answer should have said.
        out.append(signal(SignalKind.correction, "correction", text=better))
    return out


def _given_at(created_at: Any, rng: random.Random) -> datetime | None:
    if not isinstance(created_at, str):
        return None
    moment = datetime.fromisoformat(created_at.replace("Z", "+00:00"))
    return moment + timedelta(seconds=rng.randrange(20, 600))


def _record_signals(db: Database, workspace: str, dataset: str) -> dict[str, int]:
    counts: Counter[str] = Counter()
    with db.writing() as session:
        ws = accounts.get_workspace(session, workspace)
        version = datasets.head_version(session, datasets.get_dataset(session, ws, dataset))
        ids = list(dict.fromkeys(datasets.version_item_ids(session, version)))
        corrections = CORRECTIONS
        for stored in datasets.load_items(session, ids):
            truth = item_truth(stored.item, "live")
            signals = end_user_signals(truth, random.Random(f"{SEED}:{stored.item.external_id}"),
                                       corrections)
            corrections -= sum(s.kind is SignalKind.correction for s in signals)
            if signals:
                for kept in feedback.record_signals(session, ws, stored.id, signals):
                    counts[_count_name(kept.signal)] += 1
    return dict(counts)


def _count_name(signal: Signal) -> str:
    if signal.kind is SignalKind.thumbs:
        return "thumbs_down" if signal.value < 0 else "thumbs_up"
    return f"{signal.kind.value}s"


# --- the review of the sample ---------------------------------------------------------

def _label(db: Database, workspace: str, queue_id: int, raters: list[Principal]) -> int:
    """The raters take turns claiming until the queue has nothing left for them; each
    claim and its answers are one transaction, as through the API."""
    by_name = {r.name: r for r in RATERS}
    with db.reading() as session:
        queue = session.get(Queue, queue_id)
        rubric = annotate.load_rubric(session, queue.rubric_version_id)
    labels, waiting = 0, list(raters)
    while waiting:
        for person in list(waiting):
            with db.writing() as session:
                ws = accounts.get_workspace(session, workspace)
                queue = annotate.get_queue(session, ws, PRODUCTION_QUEUE)
                claim = annotate.claim_next(session, queue, person.user_id, actor=person.audit_name,
                                            workspace=ws.name)
                if claim.assignment is None:
                    waiting.remove(person)
                    continue
                assignment = claim.assignment
                stored = datasets.load_items(session, [_item_of(session, assignment.queue_item_id)])[0]
                truth = item_truth(stored.item, "live")
                rng = random.Random(f"{SEED}:{person.name}:{stored.item.external_id}")
                answers = rater_answers(by_name[person.name], truth, rng, assignment.swapped, rubric)
                annotate.submit(session, queue, assignment, answers, actor=person.audit_name,
                                workspace=ws.name, confidence=round(rng.uniform(0.7, 0.95), 2),
                                active_ms=int(rng.uniform(60, 240) * 1000))
                labels += 1
    return labels


def _item_of(session: Any, queue_item_id: int) -> int:
    return session.scalar(select(QueueItem.item_id).where(QueueItem.id == queue_item_id))

