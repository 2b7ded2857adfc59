"""The demo's worked annotation queue, so every page, dashboard and export has data on
first start.

`build_demo_annotation` pushes the demo rubric, creates the queue `helpdesk-review` over
the demo dataset, adds 20 gold items (new conversations with known answers) and then
simulates two weeks of work: three raters of different care claim and submit items, the
careful one escalates unsafe and hallucinated responses, a reviewer audits the sampled
labels (returning the bad ones with concrete reasons), raters rework returned labels, and
the lead adjudicates the worst disagreements. Every step goes through the same annotate
service functions the REST API calls, one transaction per action, as the demo users, so
the audit log records it all like real work. The words they write (escalation reports,
review reasons, adjudication notes) come from `_feedback`; when they work, from `_schedule`.

What the raters answer is derived from each item's `metadata.demo_truth` (the injected
flaws) through a per-rater noise model: a careful, an average and a careless rater (their
personas are in `_raters`).

Every simulated decision draws from a seeded `random.Random`, so the demo looks the same on
every build; only the engine's own gold draws, audit sampling and left/right swaps use
system randomness (they must not be predictable by real raters). The services stamp rows
with the real clock; a final pass (`_schedule.backdate`) moves them to their simulated
times over the last 14 days, so throughput and backlog charts have shape.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from honing import accounts, annotate, datasets
from honing.accounts import Principal, Role
from honing.annotate import EscalationIn, GoldRecord, QueuePolicy
from honing.demo._feedback import adjudication_note, escalation_report, review_problems
from honing.demo._generator import generate_items
from honing.demo._raters import RATERS, Rater, Truth, item_truth, rater_answers
from honing.demo._schedule import Clock, backdate, rater_sessions, review_sessions, work_days
from honing.rubrics import Rubric
from honing.storage import Database, Label, Queue, QueueItem, Workspace, utcnow

QUEUE = "helpdesk-review"
RUBRIC_FILE = Path(__file__).with_name("helpdesk_rubric.yaml")
POLICY = QueuePolicy(
    overlap=3, blind=True, gold_rate=0.1, audit_rate=0.25, order="stratified",
    stratify_by="intent", lease_seconds=900, turnaround_hours=240,
    show_metadata=["language", "surface", "customer_tier"],
)
# The queue's order is stratified by intent, so its first 30% is a stratified sample: the
# labeling batch of these two weeks (the simulation labels 23-25% of the queue, always
# from its head). The demo suite holds out the rest, so the labels are clean training data.
LABELING_SHARE = 0.3
GOLD_COUNT = 20
# The dataset uses seed 7, so gold items are conversations not in it; seed 168 gives a pack
# with every injected flaw (unsafe, hallucination, wrong tool arguments, incomplete) and
# both preference directions and ties in similar numbers, as a lead would pick gold.
GOLD_SEED = 168
GOLD_TOLERANCES = {"preference": {"direction_only": True},
                   "helpfulness": {"within": 1}, "correctness": {"within": 1}}
SIM_SEED = 1_414
SIM_DAYS = 14
MAX_ESCALATIONS = 5
ADJUDICATIONS = 4
_OPERATOR = Principal(name="cli:demo")


def gold_records(count: int = GOLD_COUNT, seed: int = GOLD_SEED) -> list[GoldRecord]:
    """New conversations with gold answers derived from their demo truth."""
    records = []
    for index, item in enumerate(generate_items(count=count, seed=seed), start=1):
        item = item.model_copy(update={"external_id": f"gold-hd-{index:03d}"})
        truth = item_truth(item, "gold")
        answers = {q: truth.answers[q]
                   for q in ("preference", "safety", "helpfulness", "correctness")}
        records.append(GoldRecord(item, answers, GOLD_TOLERANCES))
    return records


def _answer_rng(rater: str, truth: Truth) -> random.Random:
    """The same rater answers the same item the same way on every build."""
    return random.Random(f"{SIM_SEED}:{rater}:{truth.item.external_id}:answers")


# --- the simulation -------------------------------------------------------------------

@dataclass
class _LabelInfo:
    rater: str
    queue_item_id: int
    swapped: bool


class _Simulation:
    def __init__(self, db: Database, workspace: str, people: dict[str, Principal],
                 rubric: Rubric, truths: dict[int, Truth], live_items: int, end: datetime):
        self.db, self.workspace, self.people = db, workspace, people
        self.rubric, self.truths, self.end = rubric, truths, end
        self.rng = random.Random(SIM_SEED)
        self.clock = Clock()
        self.labels: dict[int, _LabelInfo] = {}
        self.returned: dict[str, list[tuple[int, datetime]]] = defaultdict(list)
        self.counts: Counter[str] = Counter()
        self.rework_seen: Counter[str] = Counter()
        self.exhausted: set[str] = set()
        self.days = work_days(end, SIM_DAYS)
        self.start = self.days[0] + timedelta(hours=7, minutes=40)  # rubric pushed, queue built
        self.targets = {r.name: max(3, min(r.claims, round(r.share * live_items))) for r in RATERS}

    # one transaction per action, like the API
    def _in_queue(self, action: Callable[[Any, Any, Any], Any]) -> Any:
        with self.db.writing() as session:
            ws = accounts.get_workspace(session, self.workspace)
            return action(session, ws, annotate.get_queue(session, ws, QUEUE))

    def run(self) -> None:
        events: list[tuple[datetime, int, str, Any]] = []
        for rater in RATERS:
            sessions = rater_sessions(self.rng, rater, self.days, self.end,
                                      self.targets[rater.name])
            for when, claims in sessions:
                events.append((when, len(events), "rate", (rater, claims)))
        for when in review_sessions(self.rng, self.days):
            events.append((when, len(events), "review", None))
        for when, _, kind, data in sorted(events):
            if kind == "rate":
                self._rate(data[0], when, data[1])
            else:
                self._review_session(when)
        self._adjudicate()
        self._triage_escalations()

    # --- raters ---

    def _rate(self, rater: Rater, when: datetime, claims: int) -> None:
        person = self.people[rater.name]
        t = self._rework(rater, when)
        for _ in range(claims):
            if rater.name in self.exhausted or t > self.end - timedelta(minutes=20):
                return
            t = self._one_claim(rater, person, t)
            t += timedelta(seconds=self.rng.uniform(3, 30))
            if self.rng.random() < 0.08:  # coffee, a meeting, a colleague's question
                t += timedelta(minutes=self.rng.uniform(5, 25))

    def _one_claim(self, rater: Rater, person: Principal, t: datetime) -> datetime:
        def claim(session: Any, ws: Any, queue: Queue) -> tuple[Any, ...] | None:
            result = annotate.claim_next(session, queue, person.user_id, actor=person.audit_name,
                                         workspace=ws.name)
            if result.assignment is None:
                return None
            payload = annotate.rater_payload(session, queue, result.assignment)
            a = result.assignment
            return a.id, a.queue_item_id, a.swapped, payload

        claimed = self._in_queue(claim)
        if claimed is None:
            self.exhausted.add(rater.name)
            return t
        assignment_id, queue_item_id, swapped, payload = claimed
        truth = self.truths[queue_item_id]
        rng = random.Random(f"{SIM_SEED}:{rater.name}:{truth.item.external_id}")
        metadata = payload["item"]["metadata"]

        reason = self._skip_reason(rater, rng, metadata, truth)
        if reason is not None:
            self._in_queue(lambda s, ws, q: annotate.skip(
                s, q, annotate.own_assignment(s, assignment_id, person.user_id, lock=True),
                reason, actor=person.audit_name, workspace=ws.name))
            done = t + timedelta(seconds=rng.uniform(15, 70))
            self.clock.assignments[assignment_id] = (t, done)
            self.counts[f"skips_{rater.name}"] += 1
            return done

        length = 0.75 + 0.05 * min(len(truth.item.messages), 14)
        active = rng.lognormvariate(math.log(rater.median_s * length), rater.sigma)
        escalation = self._escalation(rater, rng, truth, swapped, payload)
        if escalation is not None:
            active += rng.uniform(120, 260)  # filling in the template
        active = max(6.0, min(active, 14 * 60.0))  # within the 15-minute lease
        if escalation is not None:
            created = self._in_queue(lambda s, ws, q: annotate.escalate(
                s, q, annotate.own_assignment(s, assignment_id, person.user_id), escalation,
                actor=person.audit_name, workspace=ws.name).id)
            self.clock.escalations[created] = t + timedelta(seconds=active * 0.8)
            self.counts["escalations"] += 1
        answers = rater_answers(rater, truth, _answer_rng(rater.name, truth), swapped, self.rubric)
        confidence = round(rng.uniform(*rater.confidence), 2)

        def submit(session: Any, ws: Any, queue: Queue) -> int:
            assignment = annotate.own_assignment(session, assignment_id, person.user_id, lock=True)
            return annotate.submit(session, queue, assignment, answers, actor=person.audit_name,
                                   workspace=ws.name, confidence=confidence,
                                   active_ms=int(active * 1000)).id

        label_id = self._in_queue(submit)
        done = t + timedelta(seconds=active + rng.uniform(2, 12))
        self.clock.assignments[assignment_id] = (t, done)
        self.clock.labels[label_id] = [done, done]
        self.labels[label_id] = _LabelInfo(rater.name, queue_item_id, swapped)
        self.counts[f"labels_{rater.name}"] += 1
        return done

    def _skip_reason(self, rater: Rater, rng: random.Random, metadata: dict[str, Any],
                     truth: Truth) -> str | None:
        if self.counts[f"skips_{rater.name}"] >= {"rater2": 3, "rater3": 2}.get(rater.name, 0):
            return None
        language = {"de": "German", "fr": "French", "es": "Spanish"}.get(
            metadata.get("language", ""))
        if rater.name == "rater2" and language and rng.random() < 0.4:
            return f"Conversation is in {language}; I can't check the KB steps reliably. " \
                   "Leaving it for a fluent rater."
        if rater.name == "rater3" and len(truth.item.messages) >= 10 and rng.random() < 0.3:
            return "Very long tool trace, skipping for now."
        return None

    def _escalation(self, rater: Rater, rng: random.Random, truth: Truth, swapped: bool,
                    payload: dict[str, Any]) -> EscalationIn | None:
        if rater.name != "rater1" or self.counts["escalations"] >= MAX_ESCALATIONS:
            return None
        return escalation_report(QUEUE, truth, swapped, payload["item"]["metadata"], rng)

    def _rework(self, rater: Rater, when: datetime) -> datetime:
        """Before new work a rater opens their QA feedback and reworks returned labels."""
        person = self.people[rater.name]
        t = when
        pending = [(i, at) for i, at in self.returned[rater.name] if at < when]
        self.returned[rater.name] = [(i, at) for i, at in self.returned[rater.name] if at >= when]
        for label_id, _ in pending:
            info = self.labels[label_id]
            rng = random.Random(f"{SIM_SEED}:rework:{label_id}")
            self.rework_seen[rater.name] += 1
            if rater.name == "rater3" and self.rework_seen[rater.name] % 3 == 1:
                continue  # the careless rater leaves every third one (the first) returned
            truth = self.truths[info.queue_item_id]
            # They follow the feedback: the careful answers for this item.
            answers = rater_answers(RATERS[0], truth, rng, info.swapped, self.rubric)
            t += timedelta(seconds=rng.uniform(60, 200))
            self._in_queue(lambda s, ws, q, label_id=label_id, answers=answers: annotate.rework(
                s, q, annotate.get_label(s, q, label_id), answers, actor=person.audit_name,
                workspace=ws.name))
            self.clock.labels[label_id][1] = t
            self.counts["reworks"] += 1
        return t + timedelta(seconds=self.rng.uniform(10, 60))

    # --- reviewer ---

    def _review_session(self, when: datetime) -> None:
        reviewer = self.people["reviewer"]
        t = when
        for _ in range(self.rng.randint(8, 16)):
            def one(session: Any, ws: Any, queue: Queue,
                    t: datetime = t) -> tuple[int, int, str] | None:
                label = annotate.next_review(session, queue, reviewer.user_id)
                if label is None or self.clock.labels[label.id][1] >= t:
                    return None  # nothing waiting that was there when the session started
                verdict, reason = self._verdict(label)
                entry = annotate.review(session, queue, label, reviewer_id=reviewer.user_id,
                                        verdict=verdict, reason=reason,
                                        actor=reviewer.audit_name, workspace=ws.name)
                return entry.id, label.id, verdict

            done = self._in_queue(one)
            if done is None:
                return
            review_id, label_id, verdict = done
            self.clock.reviews[review_id] = t
            self.clock.labels[label_id][1] = t
            self.counts[f"reviews_{verdict}"] += 1
            if verdict == "return":
                self.returned[self.labels[label_id].rater].append((label_id, t))
            t += timedelta(seconds=self.rng.uniform(45, 160))

    def _verdict(self, label: Label) -> tuple[str, str | None]:
        info = self.labels[label.id]
        problems = review_problems(label.answers, self.truths[info.queue_item_id])
        if not problems or (label.status == "reworked" and self.rng.random() < 0.8):
            return "accept", None
        odds = {"rater3": 0.85, "rater2": 0.5, "rater1": 0.1}[info.rater]
        if info.rater == "rater2" and self.counts["returns_rater2"] >= 3:
            odds = 0.0
        if self.rng.random() >= odds:
            return "accept", None
        self.counts[f"returns_{info.rater}"] += 1
        return "return", " ".join(problems[:2])

    # --- lead ---

    def _adjudicate(self) -> None:
        lead = self.people["lead"]
        with self.db.reading() as session:
            ws = accounts.get_workspace(session, self.workspace)
            queue = annotate.get_queue(session, ws, QUEUE)
            ranked = annotate.disagreements(session, queue)
            by_item = annotate.live_labels_by_item(session, queue)
            values = {(qi, q): [lab.answers.get(q) for lab in labels]
                      for qi, labels in by_item.items() for q in ("preference", "safety")}
            latest = {qi: max(self.clock.labels[lab.id][1] for lab in labels)
                      for qi, labels in by_item.items()}
        # The top of the ranking on the two questions that decide training data, plus the
        # worst safety split (preference splits score higher and would crowd it out).
        candidates = [f for f in ranked if f.question in ("preference", "safety") and f.labels >= 2]
        chosen: list[annotate.Disagreement] = []
        for found in candidates + [f for f in candidates if f.question == "safety"]:
            if len(chosen) == ADJUDICATIONS - 1 and found.question != "safety":
                continue
            if len(chosen) == ADJUDICATIONS:
                break
            if found.queue_item_id not in {c.queue_item_id for c in chosen}:
                chosen.append(found)
        t = self.end - timedelta(hours=self.rng.uniform(3, 6))
        for found in chosen:
            truth = self.truths[found.queue_item_id]
            answer = truth.answers[found.question]
            note = adjudication_note(truth, found.question,
                                     values[(found.queue_item_id, found.question)])
            decided = self._in_queue(lambda s, ws, q, found=found, answer=answer, note=note:
                                     annotate.adjudicate(s, q, found.queue_item_id, found.question,
                                                         answer, note, actor_id=lead.user_id,
                                                         actor=lead.audit_name,
                                                         workspace=ws.name).id)
            at = max(t, latest[found.queue_item_id] + timedelta(minutes=self.rng.uniform(20, 90)))
            self.clock.adjudications[decided] = min(at, self.end - timedelta(minutes=2))
            t += timedelta(minutes=self.rng.uniform(4, 12))
            self.counts["adjudications"] += 1

    def _triage_escalations(self) -> None:
        """The lead closes the oldest escalations so the pages show every state: the first
        resolved by the lead, the second given to the reviewer who answers it, the third
        with the reviewer still working on it; the rest stay open."""
        lead, reviewer = self.people["lead"], self.people["reviewer"]
        plan = [("lead", None, "label_corrected"), ("reviewer", "reviewer", "answered"),
                ("reviewer", "reviewer", None)]  # (who resolves, assignee, outcome)
        for escalation_id, (resolver, assignee, outcome) in zip(sorted(self.clock.escalations), plan,
                                                               strict=False):
            if assignee is not None:
                self._in_queue(lambda s, ws, q, i=escalation_id, a=assignee: annotate.assign_escalation(
                    s, q, i, a, actor=lead.audit_name, workspace=ws.name))
            if outcome is None:
                continue
            who, role = (lead, Role.lead) if resolver == "lead" else (reviewer, Role.reviewer)
            self._in_queue(lambda s, ws, q, i=escalation_id, o=outcome, who=who, role=role:
                           annotate.resolve_escalation(s, q, i, o, ESCALATION_NOTES[o], resolver=who,
                                                       role=role, workspace=ws.name))
            created = self.clock.escalations[escalation_id]
            self.clock.resolutions[escalation_id] = min(
                created + timedelta(hours=self.rng.uniform(2, 20)), self.end - timedelta(minutes=5))
            self.counts["escalations_resolved"] += 1


ESCALATION_NOTES = {
    "label_corrected": "Confirmed. The item's labels were corrected to match your report; "
                       "keep escalating responses like this one.",
    "answered": "Right call. The rubric's safety question covers this: label the response as "
                "the guideline says and name the policy clause in the rationale. Nothing in the "
                "item needed changing.",
}


def build_demo_annotation(db: Database) -> dict[str, int]:
    """Give the demo workspace a worked queue; does nothing if the queue already exists.
    Returns counts of what was simulated (empty when nothing was done)."""
    from honing.demo._build import DATASET, WORKSPACE  # _build calls this module

    with db.reading() as session:
        ws = accounts.get_workspace(session, WORKSPACE)
        if session.scalar(select(Queue.id).where(Queue.workspace_id == ws.id,
                                                 Queue.name == QUEUE)) is not None:
            return {}
        people = {name: Principal(name=name, user_id=accounts.get_user(session, name).id)
                  for name in ("lead", "reviewer", *(r.name for r in RATERS))}
    end = utcnow()
    lead = people["lead"]

    with db.writing() as session:
        ws = accounts.get_workspace(session, WORKSPACE)
        pushed = annotate.push_rubric(session, ws, RUBRIC_FILE.read_text(encoding="utf-8"),
                                      source=RUBRIC_FILE.name, actor=_OPERATOR.audit_name)
    with db.writing() as session:
        ws = accounts.get_workspace(session, WORKSPACE)
        queue = annotate.create_queue(session, ws, name=QUEUE, dataset_ref=DATASET,
                                      rubric_ref=pushed.ref, policy=POLICY, actor=lead.audit_name)
        queue_id, rubric_version_id = queue.id, queue.rubric_version_id
    with db.writing() as session:
        ws = accounts.get_workspace(session, WORKSPACE)
        queue = annotate.get_queue(session, ws, QUEUE)
        annotate.add_reference_items(session, ws, queue, "gold", gold_records(),
                                     actor=lead.audit_name)

    with db.reading() as session:
        rows = session.execute(select(QueueItem.id, QueueItem.item_id, QueueItem.kind)
                               .where(QueueItem.queue_id == queue_id)).all()
        stored = {s.id: s.item for s in datasets.load_items(session, [r.item_id for r in rows])}
        rubric = annotate.load_rubric(session, rubric_version_id)
    truths = {r.id: item_truth(stored[r.item_id], r.kind) for r in rows}
    live = sum(1 for r in rows if r.kind == "live")

    sim = _Simulation(db, WORKSPACE, people, rubric, truths, live, end)
    sim.run()
    backdate(db, sim.clock, sim.start, POLICY.lease_seconds,
             rubric_version_id if pushed.created else None, queue_id)
    return {**{k: v for k, v in sorted(sim.counts.items()) if not k.startswith("returns_")},
            **_summary(db, queue_id)}


def labeling_batch(session: Session, workspace: Workspace) -> set[int]:
    """The items of the demo queue's labeling batch (none when the workspace has no demo
    queue): the first `LABELING_SHARE` of its live items in queue order."""
    queue = session.scalar(select(Queue).where(Queue.workspace_id == workspace.id, Queue.name == QUEUE))
    if queue is None:
        return set()
    ordered = list(session.scalars(select(QueueItem.item_id).where(
        QueueItem.queue_id == queue.id, QueueItem.kind == "live").order_by(QueueItem.position)))
    return set(ordered[:math.ceil(LABELING_SHARE * len(ordered))])


def _summary(db: Database, queue_id: int) -> dict[str, int]:
    with db.reading() as session:
        live = Counter(session.scalars(select(Label.queue_item_id).where(
            Label.queue_id == queue_id, Label.kind == "live")))
        statuses = Counter(session.scalars(select(Label.status).where(Label.queue_id == queue_id)))
        gold = session.scalar(select(func.count()).select_from(Label).where(
            Label.queue_id == queue_id, Label.kind == "gold")) or 0
        gold_items = session.scalar(select(func.count()).select_from(QueueItem).where(
            QueueItem.queue_id == queue_id, QueueItem.kind == "gold")) or 0
    per_item = Counter(live.values())
    return {"gold_items": gold_items, "gold_labels": gold, "live_labels": sum(live.values()),
            "items_with_3_labels": per_item[3], "items_with_1_2_labels": per_item[1] + per_item[2],
            **{f"status_{k}": v for k, v in sorted(statuses.items())}}
