"""Answer values: their shape per question type, and the similarity measures that gold
scoring and disagreement share (Jaccard, character-overlap F1, Kendall tau)."""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from typing import Any

from honing._errors import InvalidInput, Problem
from honing.rubrics._questions import (
    PAIRWISE_VALUES,
    LabelQuestion,
    LikertQuestion,
    MultiLabelQuestion,
    PairwiseQuestion,
    Question,
    RankingQuestion,
    ResponseEditQuestion,
    SpanQuestion,
    TextQuestion,
)

# Verdict strength, A-favouring negative: the mirror of a verdict is its negation.
PAIRWISE_STRENGTH = {"A>>B": -2, "A>B": -1, "tie": 0, "B>A": 1, "B>>A": 2}
# Which response a verdict prefers, ties a class of their own.
PAIRWISE_DIRECTION = {v: "A" if s < 0 else "B" if s > 0 else "tie" for v, s in PAIRWISE_STRENGTH.items()}
_TARGET = re.compile(r"^(?:response:([A-Z])|message:(\d+))$")
_SPAN_KEYS = {"target", "start", "end", "label"}
# A response_edit answer as a mapping: its text, the response it started from, and whether
# the rater kept a response's text unchanged on purpose (see `prefill_problems`).
EDIT_KEYS = {"text", "start_from", "accepted_as_is"}


def response_letters(count: int) -> list[str]:
    """The letters naming `count` responses: A, B, C, ... (at most 26)."""
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 26:
        raise InvalidInput(f"response_count must be between 1 and 26, not {count!r}")
    return list(string.ascii_uppercase[:count])


def is_per_response(question: Question) -> bool:
    return bool(getattr(question, "per_response", False))


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_blank(value: Any) -> bool:
    """An answer that counts as not given: None, empty or whitespace-only text."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, dict) and "text" in value and set(value) <= EDIT_KEYS:
        return not isinstance(value["text"], str) or not value["text"].strip()
    return False


def edit_text(value: Any) -> str | None:
    """The text of a response_edit answer (a string, or {"text", "start_from", "accepted_as_is"})."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("text"), str):
        return value["text"]
    return None


def _p(field: str, message: str, hint: str | None = None) -> Problem:
    return Problem(message, field=field, hint=hint)


def value_problems(question: Question, value: Any, field: str, *, letters: Sequence[str] | None,
                   texts: dict[str, str] | None = None) -> list[Problem]:
    """Problems with one answer value of `question` (one response's value when per-response).

    `letters` are the response letters of the item; None skips the checks that need them.
    """
    q = question
    if isinstance(q, LikertQuestion):
        if not is_int(value) or value not in q.values():
            return [_p(field, f"{value!r} is not a point of the scale",
                       f"one of {', '.join(map(str, q.values()))}")]
    elif isinstance(q, LabelQuestion):
        if not isinstance(value, str) or value not in q.option_values():
            return [_p(field, f"{value!r} is not an option",
                       f"one of {', '.join(q.option_values())}")]
    elif isinstance(q, MultiLabelQuestion):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return [_p(field, "expected a list of option values", 'e.g. ["verbose"] or []')]
        unknown = [v for v in value if v not in q.option_values()]
        if unknown:
            return [_p(field, f"{unknown[0]!r} is not an option",
                       f"options: {', '.join(q.option_values())}")]
        if len(set(value)) != len(value):
            return [_p(field, "an option is selected twice")]
        if q.min is not None and len(value) < q.min:
            return [_p(field, f"select at least {q.min} options, not {len(value)}")]
        if q.max is not None and len(value) > q.max:
            return [_p(field, f"select at most {q.max} options, not {len(value)}")]
    elif isinstance(q, PairwiseQuestion):
        if not isinstance(value, str) or value not in PAIRWISE_VALUES:
            return [_p(field, f"{value!r} is not a pairwise verdict", ", ".join(PAIRWISE_VALUES))]
    elif isinstance(q, RankingQuestion):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return [_p(field, "expected a list of response letters, best first", '["B", "A"]')]
        expected = list(letters) if letters is not None else \
            response_letters(len(value)) if 1 <= len(value) <= 26 else []
        if sorted(value) != expected:
            return [_p(field, f"{value!r} is not an order of the responses "
                              f"{', '.join(expected)}", "name every response exactly once")]
    elif isinstance(q, TextQuestion):
        if not isinstance(value, str):
            return [_p(field, "expected text")]
    elif isinstance(q, ResponseEditQuestion):
        return _edit_problems(value, field, letters)
    elif isinstance(q, SpanQuestion):
        return _span_problems(q, value, field, letters, texts)
    return []


def _edit_problems(value: Any, field: str, letters: Sequence[str] | None) -> list[Problem]:
    if isinstance(value, str):
        return []
    if not isinstance(value, dict) or edit_text(value) is None or \
            not set(value) <= EDIT_KEYS:
        return [_p(field, "expected the response text, or {text, start_from, accepted_as_is}")]
    if not isinstance(value.get("accepted_as_is", False), bool):
        return [_p(f"{field}.accepted_as_is", "expected true or false")]
    start = value.get("start_from")
    if start is not None and start != "blank" and (
            not isinstance(start, str) or not _TARGET.match(f"response:{start}")
            or (letters is not None and start not in letters)):
        return [_p(f"{field}.start_from", f"{start!r} is not a response letter or 'blank'")]
    return []


def _span_problems(q: SpanQuestion, value: Any, field: str, letters: Sequence[str] | None,
                   texts: dict[str, str] | None) -> list[Problem]:
    if not isinstance(value, list):
        return [_p(field, "expected a list of spans",
                   '[{"target": "response:A", "start": 0, "end": 5, "label": "email"}]')]
    problems = []
    for index, span in enumerate(value):
        where = f"{field}[{index}]"
        if not isinstance(span, dict) or set(span) != _SPAN_KEYS:
            problems.append(_p(where, "a span has exactly target, start, end and label"))
            continue
        target, start, end, label = span["target"], span["start"], span["end"], span["label"]
        match = _TARGET.match(target) if isinstance(target, str) else None
        if match is None:
            problems.append(_p(f"{where}.target", f"{target!r} is not a span target",
                               '"response:A" or "message:3"'))
        elif match.group(1) and letters is not None and match.group(1) not in letters:
            problems.append(_p(f"{where}.target", f"the item has no response {match.group(1)}"))
        if label not in q.labels:
            problems.append(_p(f"{where}.label", f"{label!r} is not a span label",
                               f"one of {', '.join(q.labels)}"))
        if not (is_int(start) and is_int(end) and 0 <= start < end):
            problems.append(_p(where, f"start {start!r} and end {end!r} need 0 <= start < end"))
        elif texts is not None and match is not None:
            if target not in texts:
                problems.append(_p(f"{where}.target", f"no text was given for {target!r}"))
            elif end > len(texts[target]):
                problems.append(_p(f"{where}.end", f"end {end} is past the end of {target} "
                                                   f"({len(texts[target])} characters)"))
    return problems


def jaccard(a: Sequence[Any], b: Sequence[Any]) -> float:
    """|A ∩ B| / |A ∪ B|; two empty selections agree completely (1.0)."""
    sa, sb = set(a), set(b)
    return 1.0 if not sa and not sb else len(sa & sb) / len(sa | sb)


def _span_chars(spans: Sequence[dict[str, Any]]) -> set[tuple[str, str, int]]:
    return {(s["target"], s["label"], i) for s in spans for i in range(s["start"], s["end"])}


def span_f1(a: Sequence[dict[str, Any]], b: Sequence[dict[str, Any]]) -> float:
    """Character-overlap F1 of two span sets; a character counts when both mark it in the same
    target with the same label. Two empty sets agree completely (1.0)."""
    ca, cb = _span_chars(a), _span_chars(b)
    if not ca and not cb:
        return 1.0
    overlap = len(ca & cb)
    return 0.0 if overlap == 0 else 2 * overlap / (len(ca) + len(cb))


def kendall_tau(a: Sequence[str], b: Sequence[str]) -> float:
    """Kendall's tau between two orders of the same items (1 identical, -1 reversed)."""
    if sorted(a) != sorted(b) or len(set(a)) != len(a):
        raise InvalidInput(f"rankings {list(a)!r} and {list(b)!r} do not order the same items")
    n = len(a)
    if n < 2:
        return 1.0
    pos = {item: i for i, item in enumerate(b)}
    score = sum(1 if pos[a[i]] < pos[a[j]] else -1 for i in range(n) for j in range(i + 1, n))
    return score / (n * (n - 1) / 2)
