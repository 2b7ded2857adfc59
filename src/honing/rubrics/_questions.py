"""Question types of a rubric: one model per type, a discriminated union on `type`.

Every answer choice (likert point, label option, pairwise verdict) ends up with a keyboard
shortcut: raters work queues with the keyboard, and a shortcut that silently changes
between two loads of the same rubric would make them click the wrong answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    StrictInt,
    field_validator,
    model_validator,
)

from honing._errors import InvalidInput
from honing.rubrics._conditions import QUESTION_ID_PATTERN, Condition, parse_condition

PAIRWISE_VALUES = ("A>>B", "A>B", "tie", "B>A", "B>>A")
_PAIRWISE_LABELS = ("A is much better", "A is better", "About the same", "B is better",
                    "B is much better")
# Default shortcut order: digits first (one hand on the number row), then letters.
_DEFAULT_KEYS = "123456789abcdefghijklmnopqrstuvwxyz"


class _Strict(BaseModel):
    # Unknown keys are an error (a typo such as "anchors" must not vanish), and surrounding
    # whitespace is dropped so that `|` versus `|-` in YAML is not a content change.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


Shortcut = Annotated[str, Field(min_length=1, max_length=1, pattern=r"^\S$",
                                description="One key that picks this answer.")]
Text = Annotated[str, Field(min_length=1)]


class Option(_Strict):
    """One choice of a label, multi_label or pairwise question."""

    value: Annotated[str, Field(min_length=1, max_length=100)]
    label: Annotated[str, Field(min_length=1, max_length=200)]
    description: str | None = None
    shortcut: Shortcut | None = None


class ScalePoint(_Strict):
    """One point of a likert scale; the anchor says what the point means, in words."""

    value: StrictInt
    anchor: Text
    label: str | None = None
    shortcut: Shortcut | None = None


_P = TypeVar("_P", Option, ScalePoint)


def assign_shortcuts(points: Sequence[_P], preferred: Callable[[int, _P], str | None]) -> list[_P]:
    """Keep the shortcuts a rubric gives; fill the rest deterministically.

    A point without one gets its `preferred` key when that is free, else the next free key
    of 1-9, a-z. Past 35 points there are no keys left and the shortcut stays None.
    """
    given = [p.shortcut for p in points if p.shortcut is not None]
    duplicates = sorted({s for s in given if given.count(s) > 1})
    if duplicates:
        raise ValueError(f"shortcut {duplicates[0]!r} is used by more than one answer")
    used = set(given)
    result: list[_P] = []
    for index, point in enumerate(points):
        if point.shortcut is None:
            key = preferred(index, point)
            if key is None or key in used:
                key = next((k for k in _DEFAULT_KEYS if k not in used), None)
            if key is not None:
                used.add(key)
                point = point.model_copy(update={"shortcut": key})
        result.append(point)
    return result


def _no_preference(index: int, point: Any) -> str | None:
    return None


def _unique(values: list[Any], what: str) -> None:
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} {value!r} appears more than once")
        seen.add(value)


class _QuestionBase(_Strict):
    id: Annotated[str, Field(pattern=QUESTION_ID_PATTERN, description=(
        "Lowercase letters, digits and '_', starting with a letter; at most 40 characters."))]
    prompt: Text
    help: str | None = None
    required: bool = True


class LikertQuestion(_QuestionBase):
    """An anchored scale, e.g. helpfulness 1-5; every point needs an anchor."""

    type: Literal["likert"]
    scale: Annotated[list[ScalePoint], Field(min_length=2)]
    per_response: bool = False

    @field_validator("scale")
    @classmethod
    def _order_and_keys(cls, scale: list[ScalePoint]) -> list[ScalePoint]:
        _unique([p.value for p in scale], "scale value")
        # Shown lowest first whatever the file order, so reordering a file is no change.
        scale = sorted(scale, key=lambda p: p.value)
        return assign_shortcuts(scale, lambda i, p: str(p.value) if 0 <= p.value <= 9 else None)

    @property
    def low(self) -> int:
        return self.scale[0].value

    @property
    def high(self) -> int:
        return self.scale[-1].value

    def values(self) -> list[int]:
        return [p.value for p in self.scale]


class _ChoiceQuestion(_QuestionBase):
    options: list[Option] | None = None
    options_from: Literal["severity", "taxonomy"] | None = Field(default=None, description=(
        "Take the options from the rubric's severity scale or its taxonomy (every node)."))
    per_response: bool = False

    @field_validator("options")
    @classmethod
    def _unique_values_and_keys(cls, options: list[Option] | None) -> list[Option] | None:
        if options is None:
            return None
        if not options:
            raise ValueError("give at least one option")
        _unique([o.value for o in options], "option value")
        return assign_shortcuts(options, _no_preference)

    @model_validator(mode="after")
    def _options_or_source(self) -> _ChoiceQuestion:
        if self.options is None and self.options_from is None:
            raise ValueError("give 'options' or 'options_from'")
        return self

    def option_values(self) -> list[str]:
        return [o.value for o in self.options or ()]


class LabelQuestion(_ChoiceQuestion):
    """Exactly one option."""

    type: Literal["label"]


class MultiLabelQuestion(_ChoiceQuestion):
    """Any number of options (between `min` and `max` when given)."""

    type: Literal["multi_label"]
    min: NonNegativeInt | None = None
    max: PositiveInt | None = None

    @model_validator(mode="after")
    def _bounds(self) -> MultiLabelQuestion:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is larger than max ({self.max})")
        return self


class PairwiseQuestion(_QuestionBase):
    """A verdict between response A and response B (needs exactly two responses)."""

    type: Literal["pairwise"]
    options: list[Option] = Field(
        default_factory=lambda: [Option(value=v, label=lbl)
                                 for v, lbl in zip(PAIRWISE_VALUES, _PAIRWISE_LABELS)],
        validate_default=True,  # so the default verdicts get their shortcuts too
        description="Relabel the five verdicts or change their shortcuts; values are fixed.",
    )

    @field_validator("options")
    @classmethod
    def _fixed_values(cls, options: list[Option]) -> list[Option]:
        values = [o.value for o in options]
        if sorted(values) != sorted(PAIRWISE_VALUES):
            raise ValueError(f"pairwise options must be exactly {', '.join(PAIRWISE_VALUES)}")
        options = sorted(options, key=lambda o: PAIRWISE_VALUES.index(o.value))
        return assign_shortcuts(options, lambda i, o: str(i + 1))


class RankingQuestion(_QuestionBase):
    """Order all responses best first, e.g. ["B", "A", "C"]."""

    type: Literal["ranking"]


class TextQuestion(_QuestionBase):
    """Free text, typically a rationale, possibly required only when a condition holds."""

    type: Literal["text"]
    required: bool = False
    min_length: NonNegativeInt = 0
    required_if: str | None = Field(default=None, description=(
        "e.g. helpfulness <= 2 or safety == 'unsafe'. Comparisons `question op value` with "
        "== != < <= > >=, joined by 'and' / 'or'. The question is required when it holds."))

    @model_validator(mode="before")
    @classmethod
    def _required_when_conditional(cls, data: Any) -> Any:
        # A condition only makes sense on a question that is then required, so giving one
        # makes `required` default to true.
        if isinstance(data, dict) and "required" not in data and data.get("required_if"):
            return {**data, "required": True}
        return data

    @field_validator("required_if")
    @classmethod
    def _parse(cls, text: str | None) -> str | None:
        if text is None:
            return None
        try:
            # Stored in canonical spelling, so `a<=2` and `a <= 2` hash the same.
            return str(parse_condition(text))
        except InvalidInput as exc:
            raise ValueError(f"{exc.message}; {exc.hint}" if exc.hint else exc.message) from None

    @model_validator(mode="after")
    def _condition_needs_required(self) -> TextQuestion:
        if self.required_if is not None and not self.required:
            raise ValueError("'required_if' with 'required: false' never requires anything; "
                             "leave out 'required'")
        return self

    def condition(self) -> Condition | None:
        return parse_condition(self.required_if) if self.required_if else None


class ResponseEditQuestion(_QuestionBase):
    """Write or edit the ideal response."""

    type: Literal["response_edit"]
    start_from: Literal["A", "B", "blank"] = "blank"


class SpanQuestion(_QuestionBase):
    """Mark character spans (e.g. personal data) in responses or messages."""

    type: Literal["span"]
    required: bool = False
    labels: Annotated[list[Annotated[str, Field(min_length=1, max_length=64)]],
                      Field(min_length=1)]

    @field_validator("labels")
    @classmethod
    def _unique_labels(cls, labels: list[str]) -> list[str]:
        _unique(labels, "span label")
        return labels


Question = Annotated[
    LikertQuestion | LabelQuestion | MultiLabelQuestion | PairwiseQuestion | RankingQuestion
    | TextQuestion | ResponseEditQuestion | SpanQuestion,
    Field(discriminator="type"),
]
QUESTION_TYPES = ("likert", "label", "multi_label", "pairwise", "ranking", "text",
                  "response_edit", "span")
