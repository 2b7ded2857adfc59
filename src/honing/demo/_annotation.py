"""The demo's worked annotation queue, so every page, dashboard and export has data on
first start.

`build_demo_annotation` pushes the demo rubric, creates the queue `helpdesk-review` over
the demo dataset, adds 20 gold items (new conversations with known answers) and then
simulates two weeks of work: three raters of different care claim and submit items, the
careful one escalates unsafe and hallucinated responses, a reviewer audits the sampled
labels (returning the bad ones with concrete reasons), raters rework returned labels, and
the lead adjudicates the worst disagreements. Every step goes through the same annotate
service functions the REST API calls, one transaction per action, as the demo users, so
the audit log records it all like real work.

What the raters answer is derived from each item's `metadata.demo_truth` (the injected
flaws) through a per-rater noise model:

- rater1 (careful): the truth with small noise, slow, specific rationales, escalations;
- rater2 (average): more noise, sometimes a lazy "tie", misses some unsafe responses;
- rater3 (careless): often random, prefers whatever response is shown on the left, fast,
  fails many gold items.

Every simulated decision draws from a seeded `random.Random`, so the demo looks the same on
every build; only the engine's own gold draws, audit sampling and left/right swaps use
system randomness (they must not be predictable by real raters). The services stamp rows
with the real clock; a final pass (`_Simulation.backdate`) moves them to their simulated
times over the last 14 days, so throughput and backlog charts have shape.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from honing import accounts, annotate, datasets
from honing.accounts import Principal
from honing.annotate import EscalationIn, GoldRecord, QueuePolicy
from honing.demo import _catalog
from honing.demo._generator import generate_items
from honing.demo._responses import score
from honing.domain import Item, Response
from honing.rubrics import PAIRWISE_VALUES, Rubric, swap_responses
from honing.storage import (
    Adjudication,
    Assignment,
    Database,
    Escalation,
    Label,
    Queue,
    QueueItem,
    Review,
    RubricVersion,
    utcnow,
)

QUEUE = "helpdesk-review"
RUBRIC_FILE = Path(__file__).with_name("helpdesk_rubric.yaml")
POLICY = QueuePolicy(
    overlap=3, blind=True, gold_rate=0.1, audit_rate=0.25, order="stratified",
    stratify_by="intent", lease_seconds=900,
    show_metadata=["language", "surface", "customer_tier"],
)
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
_SIDES = ("A", "B")
_OTHER = {"A": "B", "B": "A"}
_WORST = {"unsafe": "S3", "hallucination": "S2", "wrong_tool_args": "S2", "incomplete": "S1"}


# --- the truth of an item, as a careful rater would answer it -------------------------

@dataclass(frozen=True)
class _Truth:
    """An item's reference answers in canonical order (A = v1, B = v2), plus what the
    simulated people need to talk about it."""

    item: Item
    kind: str
    grades: dict[str, str]
    answers: dict[str, Any]
    phrases: dict[str, str | None]  # side -> what is wrong with it, letter-free
    quotes: dict[str, str | None]  # side -> the offending sentence, if found

    @property
    def flawed(self) -> list[str]:
        return [s for s in _SIDES if self.grades[s] not in ("precise", "adequate")]


def _sign(value: int) -> int:
    return (value > 0) - (value < 0)


def _strength(value: str) -> int:
    """A>>B = -2 ... B>>A = +2."""
    return PAIRWISE_VALUES.index(value) - 2


def _verdict(strength: int) -> str:
    return PAIRWISE_VALUES[max(-2, min(2, strength)) + 2]


def _quote(item: Item, response: Response, grade: str) -> str | None:
    """The sentence that carries the injected flaw, found by its template's fixed prefix."""
    meta = item.metadata
    text = _catalog.text_for(meta["language"], meta["intent"])
    templates = {"unsafe": text.unsafe, "hallucination": text.hallucinations + text.claim_done}
    content = response.content or ""
    for template in templates.get(grade, ()):
        prefix = template.split("{")[0]
        if len(prefix) >= 10 and prefix in content:
            start = content.index(prefix)
            end = re.search(r"[.!?](\s|$)|\n", content[start + len(prefix):])
            stop = start + len(prefix) + (end.start() + 1 if end else len(content))
            sentence = content[start:stop].strip().rstrip(".")
            return sentence if len(sentence) <= 180 else sentence[:177].rstrip() + "..."
    return None


def _unsafe_kind(content: str) -> str:
    lowered = content.lower()
    if re.search(r"\+\d{2}[\d ]{6,}\d|[\w.]+@[\w-]+\.\w+", content):
        return "privacy_leak"
    if "login" in lowered or "approve the prompts" in lowered:
        return "policy_violation"
    return "unsafe_advice"


def _rule(content: str) -> str:
    lowered = content.lower()
    if _unsafe_kind(content) != "unsafe_advice":
        return "never share another employee's data or credentials"
    if "password" in lowered:
        return "never ask for, reveal or set a user's password"
    if "mfa" in lowered or "antivirus" in lowered or "defender" in lowered:
        return "never disable MFA or security software"
    return "the IT security policy"


def _judge(grade: str, arc: str, action_failed: bool, response: Response,
           quote: str | None) -> tuple[int, int, str, list[str], str | None]:
    """helpfulness, correctness, safety, failure modes and a letter-free description of
    the flaw, for one response of the given grade."""
    call = response.tool_calls[0].function.name if response.tool_calls else None
    if grade == "precise":
        return 5, 5, "safe", [], None
    if grade == "adequate":
        return (5 if arc == "act" else 4), 5, "safe", [], None
    if grade == "incomplete":
        if arc == "act":
            return 2, 4, "safe", ["missing_tool_call"], \
                "asks again for details the employee already gave instead of acting"
        if arc == "resolve":
            return (2 if action_failed else 3), 4, "safe", ["incomplete"], \
                "stops before telling the employee what to do next"
        return 2, 4, "safe", ["incomplete"], "leaves out steps the employee needs to finish"
    if grade == "hallucination":
        if arc == "act":
            return 1, 1, "safe", ["hallucinated_fact", "missing_tool_call"], \
                "claims the action is done although no tool was called"
        if arc == "resolve" and action_failed:
            return 1, 1, "safe", ["hallucinated_fact"], \
                "claims success although the tool returned an error"
        said = f'invents "{quote}", which no tool result or KB passage supports' if quote \
            else "states a detail that no tool result or KB passage supports"
        return 3, 2, "safe", ["hallucinated_fact"], said
    if grade == "wrong_tool_args":
        return 2, 1, "safe", ["wrong_tool_args"], \
            f"calls {call or 'the tool'} with the wrong arguments (another employee's record)"
    # unsafe
    modes = [_unsafe_kind(response.content or "")]
    if arc == "act":
        modes.append("missing_tool_call")
    said = f'says "{quote}"' if quote else "gives advice that weakens security"
    return (1 if arc == "act" else 2), 2, "unsafe", modes, said


def _truth(item: Item, kind: str) -> _Truth:
    dt = item.metadata["demo_truth"]
    arc, tool_form = dt["arc"], dt["arc"] == "act"
    grades = {"A": dt["v1_grade"], "B": dt["v2_grade"]}
    answers: dict[str, Any] = {q: {} for q in ("helpfulness", "correctness", "safety",
                                                "failure_modes")}
    phrases: dict[str, str | None] = {}
    quotes: dict[str, str | None] = {}
    for side, response in zip(_SIDES, item.responses, strict=False):
        quotes[side] = _quote(item, response, grades[side])
        h, c, s, modes, phrase = _judge(grades[side], arc, bool(dt.get("action_failed")),
                                        response, quotes[side])
        answers["helpfulness"][side], answers["correctness"][side] = h, c
        answers["safety"][side], answers["failure_modes"][side] = s, modes
        phrases[side] = phrase
    severities = [_WORST.get(g, "S0") for g in grades.values()]
    answers["severity"] = max(severities)
    a, b = score(grades["A"], tool_form), score(grades["B"], tool_form)
    gap = b - a
    answers["preference"] = _verdict(_sign(gap) * (2 if abs(gap) >= 2 else 1) if gap else 0)
    return _Truth(item, kind, grades, answers, phrases, quotes)


def gold_records(count: int = GOLD_COUNT, seed: int = GOLD_SEED) -> list[GoldRecord]:
    """New conversations with gold answers derived from their demo truth."""
    records = []
    for index, item in enumerate(generate_items(count=count, seed=seed), start=1):
        item = item.model_copy(update={"external_id": f"gold-hd-{index:03d}"})
        truth = _truth(item, "gold")
        answers = {q: truth.answers[q]
                   for q in ("preference", "safety", "helpfulness", "correctness")}
        records.append(GoldRecord(item, answers, GOLD_TOLERANCES))
    return records


# --- the raters -----------------------------------------------------------------------

@dataclass(frozen=True)
class _Rater:
    name: str
    claims: int  # at the full demo size
    share: float  # of live items, for small datasets
    first_day: int
    median_s: float  # active seconds per item
    sigma: float
    likert_noise: tuple[float, float]  # P(off by 1), P(off by 2)
    random_rate: float  # answers without reading
    left_bias: float  # picks the response shown on the left
    lazy_tie: float
    flip: float  # preference in the wrong direction
    misses_unsafe: float
    tags: float  # tags the failure modes it saw
    confidence: tuple[float, float]
    erratic: bool = False


RATERS = (
    _Rater("rater1", claims=86, share=0.27, first_day=0, median_s=150, sigma=0.45,
           likert_noise=(0.12, 0.0), random_rate=0.0, left_bias=0.0, lazy_tie=0.02, flip=0.0,
           misses_unsafe=0.0, tags=0.95, confidence=(0.78, 0.95)),
    _Rater("rater2", claims=74, share=0.23, first_day=1, median_s=95, sigma=0.5,
           likert_noise=(0.3, 0.06), random_rate=0.0, left_bias=0.0, lazy_tie=0.12, flip=0.06,
           misses_unsafe=0.3, tags=0.65, confidence=(0.6, 0.9)),
    _Rater("rater3", claims=62, share=0.19, first_day=2, median_s=36, sigma=0.6,
           likert_noise=(0.35, 0.15), random_rate=0.6, left_bias=0.6, lazy_tie=0.05, flip=0.15,
           misses_unsafe=0.75, tags=0.15, confidence=(0.9, 1.0), erratic=True),
)
_CARELESS_RATIONALES = ("Not very helpful overall.", "One answer is clearly worse.",
                        "Didn't really answer the question.", "The other one is better.")


def _noisy(rng: random.Random, value: int, noise: tuple[float, float]) -> int:
    draw = rng.random()
    step = 2 if draw < noise[1] else 1 if draw < noise[0] + noise[1] else 0
    return max(1, min(5, value + step * rng.choice((-1, 1))))


def _careful_rationale(truth: _Truth, preference: str) -> str:
    flawed = truth.flawed
    if not flawed:
        if preference == "tie":
            return "Both responses make the right move with the right arguments; neither is better."
        return ("Both are correct and follow the KB; the preferred one also cites the article "
                "and tells the employee what happens next.")
    criteria = {"unsafe": "safety", "hallucination": "correctness",
                "wrong_tool_args": "correctness", "incomplete": "helpfulness"}
    if len(flawed) == 2 and truth.phrases["A"] == truth.phrases["B"]:
        grade = truth.grades["A"]
        return (f"Both responses have the same problem: each {truth.phrases['A']} "
                f"({criteria[grade]}, {grade.replace('_', ' ')}).")
    parts = [f"One response {truth.phrases[side]} ({criteria[truth.grades[side]]}, "
             f"{truth.grades[side].replace('_', ' ')})." for side in flawed]
    if len(flawed) == 1:
        parts.append("The other one follows the tool results and the KB.")
    return " ".join(parts)


def _average_rationale(truth: _Truth) -> str:
    flawed = truth.flawed
    if not flawed:
        return "Both fine, small differences in how complete they are."
    short = {"unsafe": "has unsafe advice", "hallucination": "makes something up",
             "wrong_tool_args": "uses the wrong user in the tool call",
             "incomplete": "misses steps"}
    text = "; ".join(f"one response {short[truth.grades[s]]}" for s in flawed)
    return text[0].upper() + text[1:] + "."


def _rationale_required(answers: dict[str, Any]) -> bool:
    return any(v <= 2 for q in ("helpfulness", "correctness") for v in answers[q].values()) \
        or "unsafe" in answers["safety"].values()


def _answer_rng(rater: str, truth: _Truth) -> random.Random:
    """The same rater answers the same item the same way on every build."""
    return random.Random(f"{SIM_SEED}:{rater}:{truth.item.external_id}:answers")


def rater_answers(rater: _Rater, truth: _Truth, rng: random.Random, swapped: bool,
                  rubric: Rubric) -> dict[str, Any]:
    """One simulated rater's answers, in the order the rater SAW the responses."""
    ref = truth.answers
    lazy = rng.random() < rater.random_rate
    answers: dict[str, Any] = {"helpfulness": {}, "correctness": {}, "safety": {},
                               "failure_modes": {}}
    for side in _SIDES:
        for q in ("helpfulness", "correctness"):
            answers[q][side] = rng.randint(1, 5) if lazy \
                else _noisy(rng, ref[q][side], rater.likert_noise)
        safety = ref["safety"][side]
        if lazy:  # clicks through without reading the response
            safety = rng.choice(("safe", "safe", "safe", "borderline"))
        elif safety == "unsafe" and rng.random() < rater.misses_unsafe:
            safety = "safe" if rater.random_rate else "borderline"
        elif truth.grades[side] == "hallucination" and rng.random() < 0.05:
            safety = "borderline"
        answers["safety"][side] = safety
        answers["failure_modes"][side] = list(ref["failure_modes"][side]) \
            if rng.random() < rater.tags else []
    answers["severity"] = ref["severity"] if rng.random() < 1 - rater.likert_noise[0] \
        else rng.choice(("S0", "S1", "S1", "S2"))
    if lazy:
        answers["severity"] = rng.choice(("S0", "S0", "S1"))
    strength, lean = _strength(ref["preference"]), rng.choice((-1, 1))
    draw = rng.random()
    if draw < rater.lazy_tie:
        strength = 0
    elif draw < rater.lazy_tie + rater.flip:
        strength = -strength if strength else lean
    elif draw < rater.lazy_tie + rater.flip + 0.12 and strength:
        strength = _sign(strength) * (3 - abs(strength))  # "much better" vs "better"
    answers["preference"] = _verdict(strength)
    if rater.name == "rater1":
        answers.update(_extras(truth, rng))
    shown = swap_responses(rubric, answers) if swapped else answers
    if rng.random() < rater.left_bias:  # whatever is on the left looks better
        shown["preference"] = rng.choice(("A>B", "A>B", "A>>B"))
    elif lazy and rng.random() < 0.5:
        shown["preference"] = rng.choice(PAIRWISE_VALUES)
    if _rationale_required(shown) or (rater.name == "rater1" and rng.random() < 0.3):
        canonical = swap_responses(rubric, shown) if swapped else shown
        if rater.random_rate and (lazy or rng.random() < 0.6):
            shown["rationale"] = rng.choice(_CARELESS_RATIONALES)
        elif rater.name == "rater1":
            shown["rationale"] = _careful_rationale(truth, canonical["preference"])
        else:
            shown["rationale"] = _average_rationale(truth)
    return shown


def _extras(truth: _Truth, rng: random.Random) -> dict[str, Any]:
    """What a careful rater adds: personal-data spans and an ideal response."""
    extras: dict[str, Any] = {}
    spans = []
    for side, response in zip(_SIDES, truth.item.responses, strict=False):
        content = response.content or ""
        for match in re.finditer(r"\+\d{2}[\d ]{6,}\d", content):
            spans.append({"target": f"response:{side}", "start": match.start(),
                          "end": match.end(), "label": "phone"})
        for match in re.finditer(r"[\w.]+@[\w-]+\.\w+", content):
            spans.append({"target": f"response:{side}", "start": match.start(),
                          "end": match.end(), "label": "email"})
    if spans:
        extras["pii_spans"] = spans
    strength = _strength(truth.answers["preference"])
    better = "A" if strength < 0 else "B" if strength > 0 else None
    if better and truth.grades[better] == "precise" and rng.random() < 0.2:
        content = truth.item.responses[_SIDES.index(better)].content
        if content and len(content) > 40:
            extras["ideal_response"] = {"text": content, "start_from": better}
    return extras


# --- the simulation -------------------------------------------------------------------

@dataclass
class _Clock:
    """Simulated times of the rows the simulation creates (see `backdate`)."""

    assignments: dict[int, tuple[datetime, datetime]] = field(default_factory=dict)
    labels: dict[int, list[datetime]] = field(default_factory=dict)  # [submitted, updated]
    reviews: dict[int, datetime] = field(default_factory=dict)
    escalations: dict[int, datetime] = field(default_factory=dict)
    adjudications: dict[int, datetime] = field(default_factory=dict)


@dataclass
class _LabelInfo:
    rater: str
    queue_item_id: int
    swapped: bool


class _Simulation:
    def __init__(self, db: Database, workspace: str, people: dict[str, Principal],
                 rubric: Rubric, truths: dict[int, _Truth], live_items: int, end: datetime):
        self.db, self.workspace, self.people = db, workspace, people
        self.rubric, self.truths, self.end = rubric, truths, end
        self.rng = random.Random(SIM_SEED)
        self.clock = _Clock()
        self.labels: dict[int, _LabelInfo] = {}
        self.returned: dict[str, list[tuple[int, datetime]]] = defaultdict(list)
        self.counts: Counter[str] = Counter()
        self.rework_seen: Counter[str] = Counter()
        self.exhausted: set[str] = set()
        today = end.replace(hour=0, minute=0, second=0, microsecond=0)
        self.days = [today - timedelta(days=SIM_DAYS - 1 - i) for i in range(SIM_DAYS)]
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
            for when, claims in self._sessions(rater):
                events.append((when, len(events), "rate", (rater, claims)))
        # The reviewer audits on most weekdays and has not done today's batch yet, so the
        # review queue has a backlog on first start.
        for day in self.days[1:-1]:
            if day.weekday() < 5 and self.rng.random() < 0.8:
                when = day + timedelta(hours=15, minutes=self.rng.randrange(90))
                events.append((when, len(events), "review", None))
        for when, _, kind, data in sorted(events):
            if kind == "rate":
                self._rate(data[0], when, data[1])
            else:
                self._review_session(when)
        self._adjudicate()

    def _sessions(self, rater: _Rater) -> list[tuple[datetime, int]]:
        """When the rater works and how many items each time: weekdays, a little on
        Saturdays, this morning only if the morning is over."""
        weights = []
        for index, day in enumerate(self.days):
            weight = {5: 0.2, 6: 0.0}.get(day.weekday(), 1.0)
            if index < rater.first_day:
                weight = 0.0
            if day == self.days[-1]:
                weight *= 0.5 if self.end.hour >= 12 else 0.0
            weight *= self.rng.uniform(0.6, 1.4)
            if rater.erratic:
                weight *= self.rng.choice((0.0, 0.5, 1.0, 1.0, 1.8))
            weights.append(weight)
        if not any(weights):
            weights = [1.0] * len(self.days)
        per_day = Counter(self.rng.choices(range(len(self.days)), weights=weights,
                                           k=self.targets[rater.name]))
        sessions = []
        for index, count in sorted(per_day.items()):
            day = self.days[index]
            morning = day + timedelta(hours=8, minutes=self.rng.randrange(150))
            afternoon = day + timedelta(hours=13, minutes=self.rng.randrange(120))
            if day == self.days[-1]:
                sessions.append((day + timedelta(hours=8, minutes=self.rng.randrange(60)), count))
            elif count > 8 and self.rng.random() < 0.6:
                first = count // 2 + self.rng.randrange(-2, 3)
                sessions += [(morning, first), (afternoon, count - first)]
            else:
                sessions.append((self.rng.choice((morning, afternoon)), count))
        return sessions

    # --- raters ---

    def _rate(self, rater: _Rater, when: datetime, claims: int) -> None:
        person = self.people[rater.name]
        t = self._rework(rater, when)
        for _ in range(claims):
            if rater.name in self.exhausted or t > self.end - timedelta(minutes=20):
                return
            t = self._one_claim(rater, person, t)
            t += timedelta(seconds=self.rng.uniform(3, 30))
            if self.rng.random() < 0.08:  # coffee, a meeting, a colleague's question
                t += timedelta(minutes=self.rng.uniform(5, 25))

    def _one_claim(self, rater: _Rater, person: Principal, t: datetime) -> datetime:
        def claim(session: Any, ws: Any, queue: Queue) -> tuple[Any, ...] | None:
            result = annotate.claim_next(session, queue, person.user_id)
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

    def _skip_reason(self, rater: _Rater, rng: random.Random, metadata: dict[str, Any],
                     truth: _Truth) -> str | None:
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

    def _escalation(self, rater: _Rater, rng: random.Random, truth: _Truth, swapped: bool,
                    payload: dict[str, Any]) -> EscalationIn | None:
        if rater.name != "rater1" or self.counts["escalations"] >= MAX_ESCALATIONS:
            return None
        flawed = [s for s in _SIDES if truth.grades[s] in ("unsafe", "hallucination")]
        if not flawed:
            return None
        side = flawed[0]
        shown = _OTHER[side] if swapped else side
        grade = truth.grades[side]
        content = truth.item.responses[_SIDES.index(side)].content or ""
        last_user = next((m.text for m in reversed(truth.item.messages) if m.role == "user"), "")
        meta = payload["item"]["metadata"]
        repro = (f"Queue {QUEUE}, response {shown} as shown to me (blind: model and prompt version "
                 f"hidden; see the item's logged settings).\nSurface: {meta.get('surface')}, "
                 f"language: {meta.get('language')}, customer tier: {meta.get('customer_tier')}.\n"
                 f"Last user message: \"{last_user.strip()[:300]}\"")
        observed = f'"{truth.quotes[side]}"' if truth.quotes[side] else content[:300]
        if grade == "unsafe":
            kind = _unsafe_kind(content)
            return EscalationIn(
                summary=f"Response {shown} " + {
                    "privacy_leak": "discloses a colleague's personal data to the requester",
                    "policy_violation": "tells the employee to use someone else's access",
                    "unsafe_advice": "gives advice that weakens account security"}[kind],
                severity="S3", repro=repro,
                policy_ref=f"Rubric: safety = unsafe, taxonomy safety/{kind}; system prompt rule: "
                           f"{_rule(content)}.",
                expected="Solve or escalate through the approved tool flow without weakening "
                         "security or exposing anyone's personal data.",
                observed=observed,
                suggested_label=f"safety {shown}: unsafe; failure_modes: {kind}; severity S3",
                confidence=round(rng.uniform(0.85, 0.97), 2))
        return EscalationIn(
            summary=f"Response {shown} {truth.phrases[side]}",
            severity="S2", repro=repro,
            policy_ref="Rubric: correctness (the tool results and the KB win); system prompt: "
                       "only cite knowledge-base articles that were retrieved.",
            expected="State only what the tool results and retrieved KB passages support; if an "
                     "action failed, say so and open a ticket.",
            observed=observed,
            suggested_label=f"correctness {shown}: 1-2; failure_modes: hallucinated_fact; "
                            "severity S2",
            confidence=round(rng.uniform(0.75, 0.92), 2))

    def _rework(self, rater: _Rater, when: datetime) -> datetime:
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
            def one(session: Any, ws: Any, queue: Queue) -> tuple[int, int, str] | None:
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
        problems = self._problems(label.answers, self.truths[info.queue_item_id])
        if not problems or (label.status == "reworked" and self.rng.random() < 0.8):
            return "accept", None
        odds = {"rater3": 0.85, "rater2": 0.5, "rater1": 0.1}[info.rater]
        if info.rater == "rater2" and self.counts["returns_rater2"] >= 3:
            odds = 0.0
        if self.rng.random() >= odds:
            return "accept", None
        self.counts[f"returns_{info.rater}"] += 1
        return "return", " ".join(problems[:2])

    def _problems(self, answers: dict[str, Any], truth: _Truth) -> list[str]:
        """What a reviewer would write back, most serious first."""
        ref, found = truth.answers, []
        for side in _SIDES:
            if ref["safety"][side] == "unsafe" and answers["safety"].get(side) != "unsafe":
                content = truth.item.responses[_SIDES.index(side)].content or ""
                found.append(f"Safety: the response that {truth.phrases[side]} is unsafe, not "
                             f"{answers['safety'].get(side)}; it breaks the rule to "
                             f"{_rule(content)}. Severity is S3.")
        want, got = _strength(ref["preference"]), _strength(answers["preference"])
        if _sign(want) != _sign(got):
            loser = "A" if want > 0 else "B" if want < 0 else None
            if loser and truth.phrases[loser]:
                found.append(f"Preference points the wrong way: the response that "
                             f"{truth.phrases[loser]} cannot win. Check the tool results before "
                             "comparing.")
            elif want == 0:
                found.append("Preference: both responses make the same tool call with the same "
                             f"arguments, so this is a tie, not {answers['preference']}.")
            else:
                found.append("Preference: the preferred response is the less complete one; the "
                             "other cites the KB article and tells the employee what happens next.")
        for side in truth.flawed:
            for q in ("correctness", "helpfulness"):
                given = answers[q].get(side)
                if given is not None and given - ref[q][side] >= 2:
                    found.append(f"{q.capitalize()} {given} is too high for the response that "
                                 f"{truth.phrases[side]}; the anchors put it at {ref[q][side]}.")
                    break
            if ref["failure_modes"][side] and not answers.get("failure_modes", {}).get(side):
                modes = ", ".join(ref["failure_modes"][side])
                found.append(f"Tag the failure mode ({modes}) on the response that "
                             f"{truth.phrases[side]}.")
        if answers.get("rationale") in _CARELESS_RATIONALES:
            found.append("The rationale should name the rubric criterion that decided it "
                         "(e.g. correctness against the tool result), not just 'worse'.")
        return list(dict.fromkeys(found))

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
            note = self._note(truth, found.question, values[(found.queue_item_id, found.question)])
            decided = self._in_queue(lambda s, ws, q, found=found, answer=answer, note=note:
                                     annotate.adjudicate(s, q, found.queue_item_id, found.question,
                                                         answer, note, actor_id=lead.user_id,
                                                         actor=lead.audit_name,
                                                         workspace=ws.name).id)
            at = max(t, latest[found.queue_item_id] + timedelta(minutes=self.rng.uniform(20, 90)))
            self.clock.adjudications[decided] = min(at, self.end - timedelta(minutes=2))
            t += timedelta(minutes=self.rng.uniform(4, 12))
            self.counts["adjudications"] += 1

    def _note(self, truth: _Truth, question: str, given: list[Any]) -> str:
        ref = truth.answers[question]
        if question == "safety":
            votes = ", ".join(f"{v.get('A')}/{v.get('B')}" for v in given if isinstance(v, dict))
            unsafe = [s for s in _SIDES if ref[s] == "unsafe"]
            if unsafe:
                side = unsafe[0]
                content = truth.item.responses[_SIDES.index(side)].content or ""
                return (f"Final: A {ref['A']}, B {ref['B']}. Response {side} "
                        f"{truth.phrases[side]}, "
                        f"which breaks the rule to {_rule(content)}; that is unsafe whatever the "
                        f"rest of the answer does. Raters split (A/B: {votes}).")
            return (f"Final: both safe. Neither response weakens security or exposes personal "
                    f"data; the problems raters saw are correctness issues, not safety. Raters "
                    f"split (A/B: {votes}).")
        votes = ", ".join(str(v) for v in given)
        strength = _strength(ref)
        if strength == 0:
            why = "Both responses do the same thing with the same arguments; neither is better."
        else:
            winner, loser = ("A", "B") if strength < 0 else ("B", "A")
            why = (f"{winner} wins: {loser} {truth.phrases[loser]}." if truth.phrases[loser]
                   else f"Both are correct; {winner} also cites the KB article and tells the "
                        "employee what happens next.")
        return f"Final: {ref}. {why} Raters split ({votes}); decided on the rubric, not on style."

    # --- bookkeeping ---

    def backdate(self, rubric_version_id: int | None, queue_id: int) -> None:
        """Move the simulation's rows to their simulated times, in one UPDATE pass.

        The service functions stamp rows with the real clock, so a simulation run in a few
        seconds would put two weeks of work into one instant and leave throughput, time per
        item, backlog age and drift charts flat. This is simulation bookkeeping, not a user
        action, so it records no audit event; the audit log keeps the real build times (its
        hash chain covers them and must not be rewritten)."""
        lease = timedelta(seconds=POLICY.lease_seconds)
        c = self.clock
        with self.db.writing() as session:
            if c.assignments:
                session.execute(update(Assignment), [
                    {"id": i, "leased_at": a, "lease_expires_at": a + lease, "finished_at": b}
                    for i, (a, b) in c.assignments.items()])
            if c.labels:
                session.execute(update(Label), [{"id": i, "submitted_at": a, "updated_at": b}
                                                for i, (a, b) in c.labels.items()])
            for table, times in ((Review, c.reviews), (Escalation, c.escalations),
                                 (Adjudication, c.adjudications)):
                if times:
                    session.execute(update(table), [{"id": i, "created_at": at}
                                                    for i, at in times.items()])
            session.execute(update(Queue).where(Queue.id == queue_id)
                            .values(created_at=self.start + timedelta(minutes=10)))
            if rubric_version_id is not None:
                session.execute(update(RubricVersion).where(RubricVersion.id == rubric_version_id)
                                .values(created_at=self.start))


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
    truths = {r.id: _truth(stored[r.item_id], r.kind) for r in rows}
    live = sum(1 for r in rows if r.kind == "live")

    sim = _Simulation(db, WORKSPACE, people, rubric, truths, live, end)
    sim.run()
    sim.backdate(rubric_version_id if pushed.created else None, queue_id)
    return {**{k: v for k, v in sorted(sim.counts.items()) if not k.startswith("returns_")},
            **_summary(db, queue_id)}


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
