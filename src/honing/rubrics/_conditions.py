"""The tiny condition language of `required_if`, parsed by hand and never evaluated as code.

Grammar (whitespace between tokens is free; no parentheses; `and` binds tighter than `or`):

    condition  := conjunction ("or" conjunction)*
    conjunction := comparison ("and" comparison)*
    comparison := question_id op literal
    op         := "==" | "!=" | "<" | "<=" | ">" | ">="
    literal    := number | 'single-quoted string' | "double-quoted string"

Ordering operators only take numbers: `safety < 'unsafe'` has no meaning and is refused.
Rubrics are files that people share; a parser that only knows these tokens cannot be
talked into running anything, whatever the string says.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from honing._errors import InvalidInput

QUESTION_ID_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
_QUESTION_ID = re.compile(QUESTION_ID_PATTERN)
_TOKEN = re.compile(
    r"""(?P<number>-?\d+(?:\.\d+)?(?![A-Za-z0-9_.]))
      |(?P<string>'[^'\n]*'|"[^"\n]*")
      |(?P<op>==|!=|<=|>=|<|>)
      |(?P<word>[A-Za-z_][A-Za-z0-9_]*)""",
    re.VERBOSE,
)
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt,
    "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}
_EXAMPLE = "write e.g. `helpfulness <= 2 or safety == 'unsafe'`"

Literal = int | float | str


@dataclass(frozen=True)
class Comparison:
    """`question op literal`, e.g. `helpfulness <= 2`."""

    question: str
    op: str
    value: Literal

    def holds(self, actual: Any) -> bool:
        """Whether one answer value satisfies the comparison.

        A number literal compares with numeric answers (likert). A string literal compares
        with a string answer (label, pairwise); against a list answer (multi_label) `==`
        means "selected" and `!=` means "not selected". Anything else (missing answer,
        wrong type) does not satisfy it, so a malformed answer never switches a rule on.
        """
        if isinstance(self.value, str):
            if isinstance(actual, str):
                return _OPS[self.op](actual, self.value)
            if isinstance(actual, list | tuple | set | frozenset):
                selected = self.value in actual
                return selected if self.op == "==" else not selected
            return False
        if isinstance(actual, bool) or not isinstance(actual, int | float):
            return False
        return _OPS[self.op](actual, self.value)

    def __str__(self) -> str:
        value = f"'{self.value}'" if isinstance(self.value, str) else repr(self.value)
        return f"{self.question} {self.op} {value}"


@dataclass(frozen=True)
class Condition:
    """A disjunction of conjunctions of comparisons (what the grammar can express)."""

    any_of: tuple[tuple[Comparison, ...], ...]

    def comparisons(self) -> list[Comparison]:
        return [c for group in self.any_of for c in group]

    def references(self) -> list[str]:
        """Question ids the condition reads, in order of first mention."""
        return list(dict.fromkeys(c.question for c in self.comparisons()))

    def evaluate(self, candidates: Callable[[str], Iterable[Any]]) -> bool:
        """True when, for some `or` branch, every comparison holds for at least one of the
        candidate values `candidates(question_id)` returns (several for a per-response
        question: one per response, so "any response" satisfies it)."""
        return any(
            all(any(c.holds(v) for v in candidates(c.question)) for c in group)
            for group in self.any_of
        )

    def __str__(self) -> str:
        return " or ".join(" and ".join(str(c) for c in group) for group in self.any_of)


def _tokens(text: str) -> list[tuple[str, str, int]]:
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        match = _TOKEN.match(text, pos)
        if match is None:
            raise InvalidInput(
                f"condition {text!r}: unexpected {text[pos]!r} at position {pos + 1}",
                hint=f"only question ids, == != < <= > >=, numbers, quoted strings, "
                f"'and' and 'or' are allowed; {_EXAMPLE}",
            )
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(), pos))
        pos = match.end()
    return tokens


def parse_condition(text: str) -> Condition:
    """Parse a `required_if` string; raise `InvalidInput` saying what is wrong and where."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("the condition is empty", hint=_EXAMPLE)
    tokens = _tokens(text)
    groups: list[list[Comparison]] = [[]]
    i = 0
    while True:
        if i + 3 > len(tokens):
            raise InvalidInput(f"condition {text!r} ends early; expected `question op value`",
                               hint=_EXAMPLE)
        (k1, word, p1), (k2, op, _), (k3, raw, p3) = tokens[i:i + 3]
        if k1 != "word" or not _QUESTION_ID.fullmatch(word) or word in ("and", "or"):
            raise InvalidInput(
                f"condition {text!r}: expected a question id at position {p1 + 1}, got {word!r}",
                hint="question ids are lowercase letters, digits and '_', starting with a letter",
            )
        if k2 != "op":
            raise InvalidInput(
                f"condition {text!r}: expected an operator after {word!r}, got {op!r}",
                hint="use one of == != < <= > >=",
            )
        value: Literal
        if k3 == "number":
            value = float(raw) if "." in raw else int(raw)
        elif k3 == "string":
            value = raw[1:-1]
            if op not in ("==", "!="):
                raise InvalidInput(
                    f"condition {text!r}: {op!r} cannot compare with the string {raw}",
                    hint="strings only take == or !=; ordering needs a number",
                )
        else:
            raise InvalidInput(
                f"condition {text!r}: expected a number or a quoted string at position "
                f"{p3 + 1}, got {raw!r}",
                hint="quote strings: safety == 'unsafe'",
            )
        groups[-1].append(Comparison(word, op, value))
        i += 3
        if i == len(tokens):
            break
        kind, joiner, pos = tokens[i]
        if kind != "word" or joiner not in ("and", "or"):
            raise InvalidInput(
                f"condition {text!r}: expected 'and' or 'or' at position {pos + 1}, got {joiner!r}",
                hint=_EXAMPLE,
            )
        if joiner == "or":
            groups.append([])
        i += 1
    return Condition(tuple(tuple(g) for g in groups))
