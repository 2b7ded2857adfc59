"""The simulated raters of the demo queue: what each item's right answers are, and how
each of three personas answers it.

An item's reference answers (`Truth`) are derived from its `metadata.demo_truth` (the flaws
the generator injected), as a careful rater would give them. Each persona (`RATERS`) answers
through its own noise model:

- rater1 (careful): the truth with small noise, slow, specific rationales, escalations;
- rater2 (average): more noise, sometimes a lazy "tie", misses some unsafe responses;
- rater3 (careless): often random, prefers whatever response is shown on the left, fast,
  fails many gold items.

Everything here is pure: a rater's answers depend only on the item, the persona and the
`random.Random` it is given.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from honing.demo import _catalog
from honing.demo._responses import score
from honing.domain import Item, Response
from honing.rubrics import PAIRWISE_VALUES, Rubric, swap_responses

SIDES = ("A", "B")
_WORST = {"unsafe": "S3", "hallucination": "S2", "wrong_tool_args": "S2", "incomplete": "S1"}


# --- the truth of an item, as a careful rater would answer it -------------------------

@dataclass(frozen=True)
class Truth:
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
        return [s for s in SIDES if self.grades[s] not in ("precise", "adequate")]


def sign(value: int) -> int:
    return (value > 0) - (value < 0)


def preference_strength(value: str) -> int:
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


def unsafe_kind(content: str) -> str:
    lowered = content.lower()
    if re.search(r"\+\d{2}[\d ]{6,}\d|[\w.]+@[\w-]+\.\w+", content):
        return "privacy_leak"
    if "login" in lowered or "approve the prompts" in lowered:
        return "policy_violation"
    return "unsafe_advice"


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
    modes = [unsafe_kind(response.content or "")]
    if arc == "act":
        modes.append("missing_tool_call")
    said = f'says "{quote}"' if quote else "gives advice that weakens security"
    return (1 if arc == "act" else 2), 2, "unsafe", modes, said


def item_truth(item: Item, kind: str) -> Truth:
    dt = item.metadata["demo_truth"]
    arc, tool_form = dt["arc"], dt["arc"] == "act"
    grades = {"A": dt["v1_grade"], "B": dt["v2_grade"]}
    answers: dict[str, Any] = {q: {} for q in ("helpfulness", "correctness", "safety",
                                                "failure_modes")}
    phrases: dict[str, str | None] = {}
    quotes: dict[str, str | None] = {}
    for side, response in zip(SIDES, item.responses, strict=False):
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
    answers["preference"] = _verdict(sign(gap) * (2 if abs(gap) >= 2 else 1) if gap else 0)
    return Truth(item, kind, grades, answers, phrases, quotes)


# --- the raters -----------------------------------------------------------------------

@dataclass(frozen=True)
class Rater:
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
    Rater("rater1", claims=86, share=0.27, first_day=0, median_s=150, sigma=0.45,
           likert_noise=(0.12, 0.0), random_rate=0.0, left_bias=0.0, lazy_tie=0.02, flip=0.0,
           misses_unsafe=0.0, tags=0.95, confidence=(0.78, 0.95)),
    Rater("rater2", claims=74, share=0.23, first_day=1, median_s=95, sigma=0.5,
           likert_noise=(0.3, 0.06), random_rate=0.0, left_bias=0.0, lazy_tie=0.12, flip=0.06,
           misses_unsafe=0.3, tags=0.65, confidence=(0.6, 0.9)),
    Rater("rater3", claims=62, share=0.19, first_day=2, median_s=36, sigma=0.6,
           likert_noise=(0.35, 0.15), random_rate=0.6, left_bias=0.6, lazy_tie=0.05, flip=0.15,
           misses_unsafe=0.75, tags=0.15, confidence=(0.9, 1.0), erratic=True),
)
CARELESS_RATIONALES = ("Not very helpful overall.", "One answer is clearly worse.",
                        "Didn't really answer the question.", "The other one is better.")


def _noisy(rng: random.Random, value: int, noise: tuple[float, float]) -> int:
    draw = rng.random()
    step = 2 if draw < noise[1] else 1 if draw < noise[0] + noise[1] else 0
    return max(1, min(5, value + step * rng.choice((-1, 1))))


def _careful_rationale(truth: Truth, preference: str) -> str:
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


def _average_rationale(truth: Truth) -> str:
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


def rater_answers(rater: Rater, truth: Truth, rng: random.Random, swapped: bool,
                  rubric: Rubric) -> dict[str, Any]:
    """One simulated rater's answers, in the order the rater SAW the responses."""
    ref = truth.answers
    lazy = rng.random() < rater.random_rate
    answers: dict[str, Any] = {"helpfulness": {}, "correctness": {}, "safety": {},
                               "failure_modes": {}}
    for side in SIDES:
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
    strength, lean = preference_strength(ref["preference"]), rng.choice((-1, 1))
    draw = rng.random()
    if draw < rater.lazy_tie:
        strength = 0
    elif draw < rater.lazy_tie + rater.flip:
        strength = -strength if strength else lean
    elif draw < rater.lazy_tie + rater.flip + 0.12 and strength:
        strength = sign(strength) * (3 - abs(strength))  # "much better" vs "better"
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
            shown["rationale"] = rng.choice(CARELESS_RATIONALES)
        elif rater.name == "rater1":
            shown["rationale"] = _careful_rationale(truth, canonical["preference"])
        else:
            shown["rationale"] = _average_rationale(truth)
    return shown


def _extras(truth: Truth, rng: random.Random) -> dict[str, Any]:
    """What a careful rater adds: personal-data spans and an ideal response."""
    extras: dict[str, Any] = {}
    spans = []
    for side, response in zip(SIDES, truth.item.responses, strict=False):
        content = response.content or ""
        for match in re.finditer(r"\+\d{2}[\d ]{6,}\d", content):
            spans.append({"target": f"response:{side}", "start": match.start(),
                          "end": match.end(), "label": "phone"})
        for match in re.finditer(r"[\w.]+@[\w-]+\.\w+", content):
            spans.append({"target": f"response:{side}", "start": match.start(),
                          "end": match.end(), "label": "email"})
    if spans:
        extras["pii_spans"] = spans
    strength = preference_strength(truth.answers["preference"])
    better = "A" if strength < 0 else "B" if strength > 0 else None
    if better and truth.grades[better] == "precise" and rng.random() < 0.2:
        content = truth.item.responses[SIDES.index(better)].content
        if content and len(content) > 40:
            # Kept word for word on purpose: the precise response needs no edit.
            extras["ideal_response"] = {"text": content, "start_from": better, "accepted_as_is": True}
    return extras
