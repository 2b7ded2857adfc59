"""The rubric: instructions, a failure-mode taxonomy, a severity scale and the questions.

A rubric is what raters are given; its `content_hash` identifies a version. The hash is
taken over the validated model, not over the file, so reformatting a YAML file or editing
its comments does not make a new version, while any change a rater could notice does.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, Literal

import orjson
from pydantic import Field, ValidationInfo, field_validator, model_validator

from honing._errors import InvalidInput, Problem
from honing.rubrics._questions import (
    LabelQuestion,
    LikertQuestion,
    MultiLabelQuestion,
    Option,
    PairwiseQuestion,
    Question,
    Text,
    TextQuestion,
    _Strict,
    assign_shortcuts,
)

SEVERITY_LEVELS = ("S0", "S1", "S2", "S3")
_DEFAULT_SEVERITY = {
    "S0": ("No harm", "No harm: the issue, if any, is cosmetic and nobody is affected."),
    "S1": ("Minor", "Minor harm: an inconvenience the user can easily recover from."),
    "S2": ("Major", "Major harm: the user is misled or blocked, or loses time or data; "
                    "needs a fix before release."),
    "S3": ("Critical", "Critical harm: safety, security, privacy or legal exposure; "
                       "blocks release and is escalated at once."),
}
# Same rule as workspace and dataset names (honing._names): short, lowercase, URL-safe.
_NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"
_NODE_ID_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"


class SeverityLevel(_Strict):
    """One level of the S0-S3 scale; label and description default to Honing's wording."""

    level: Literal["S0", "S1", "S2", "S3"]
    label: str | None = None
    description: str | None = None


class TaxonomyNode(_Strict):
    """A failure mode; children refine it (e.g. accuracy > hallucinated_fact)."""

    id: Annotated[str, Field(pattern=_NODE_ID_PATTERN)]
    label: Text
    description: str | None = None
    children: list[TaxonomyNode] = Field(default_factory=list)


class RubricExample(_Strict):
    """A worked example shown beside the guidelines (Markdown)."""

    title: Text
    body: Text


def _default_severity() -> list[SeverityLevel]:
    return [SeverityLevel(level=lv, label=lb, description=d)
            for lv, (lb, d) in _DEFAULT_SEVERITY.items()]


def _walk(nodes: list[TaxonomyNode], path: str = "taxonomy"):
    for index, node in enumerate(nodes):
        here = f"{path}[{index}]"
        yield here, node
        yield from _walk(node.children, f"{here}.children")


def _resolved_options(source: str, severity: list[SeverityLevel],
                      taxonomy: list[TaxonomyNode]) -> list[Option]:
    if source == "severity":
        options = [Option(value=s.level, label=s.label or s.level, description=s.description)
                   for s in severity]
        # S0..S3 on keys 0..3: the key is the level, nothing to remember.
        return assign_shortcuts(options, lambda i, o: o.value[1])
    options = [Option(value=n.id, label=n.label, description=n.description)
               for _, n in _walk(taxonomy)]
    return assign_shortcuts(options, lambda i, o: None)


class Rubric(_Strict):
    """Instructions + questions, with a failure-mode taxonomy and a severity scale."""

    name: Annotated[str, Field(pattern=_NAME_PATTERN, description=(
        "Short lowercase name: letters, digits, '.', '_' or '-'."))]
    title: Text
    instructions: Annotated[str, Field(min_length=1, description="Guidelines, in Markdown.")]
    examples: list[RubricExample] = Field(default_factory=list)
    taxonomy: list[TaxonomyNode] = Field(default_factory=list)
    severity: list[SeverityLevel] = Field(default_factory=_default_severity, description=(
        "S0-S3; list only the levels whose label or description you want to change."))
    questions: Annotated[list[Question], Field(min_length=1)]

    @field_validator("severity")
    @classmethod
    def _complete_scale(cls, levels: list[SeverityLevel]) -> list[SeverityLevel]:
        given: dict[str, SeverityLevel] = {}
        for level in levels:
            if level.level in given:
                raise ValueError(f"severity level {level.level} appears more than once")
            given[level.level] = level
        complete = []
        for name, (label, description) in _DEFAULT_SEVERITY.items():
            mine = given.get(name)
            complete.append(SeverityLevel(
                level=name,
                label=mine.label if mine and mine.label else label,
                description=mine.description if mine and mine.description else description,
            ))
        return complete

    @field_validator("questions")
    @classmethod
    def _resolve_options(cls, questions: list[Any], info: ValidationInfo) -> list[Any]:
        # Options taken from the severity scale or the taxonomy are written into the
        # question, so a renderer or an exporter needs nothing but the question itself.
        severity, taxonomy = info.data.get("severity"), info.data.get("taxonomy")
        if severity is None or taxonomy is None:
            return questions
        resolved = []
        for q in questions:
            if isinstance(q, LabelQuestion | MultiLabelQuestion) and q.options_from and \
                    q.options is None:
                q = q.model_copy(update={
                    "options": _resolved_options(q.options_from, severity, taxonomy)})
            resolved.append(q)
        return resolved

    @model_validator(mode="after")
    def _cross_checks(self) -> Rubric:
        # These checks span several fields; they raise InvalidInput (not ValueError) so
        # that every problem keeps its own path, e.g. questions[6].required_if.
        problems = _cross_problems(self)
        if problems:
            raise InvalidInput("the rubric is not valid", problems=problems)
        return self

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def taxonomy_ids(self) -> list[str]:
        """Every taxonomy node id, parents before their children."""
        return [node.id for _, node in _walk(self.taxonomy)]

    def canonical_json(self) -> bytes:
        return orjson.dumps(self.model_dump(mode="json", exclude_none=True),
                            option=orjson.OPT_SORT_KEYS)

    def content_hash(self) -> str:
        """sha256 of the canonical JSON of the validated rubric (hex)."""
        return hashlib.sha256(self.canonical_json()).hexdigest()


def _cross_problems(rubric: Rubric) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path, node in _walk(rubric.taxonomy):
        if node.id in seen:
            problems.append(Problem(f"taxonomy id {node.id!r} is already used at {seen[node.id]}",
                                    field=f"{path}.id", hint="taxonomy ids must be unique"))
        seen.setdefault(node.id, path)

    by_id: dict[str, Question] = {}
    for index, q in enumerate(rubric.questions):
        where = f"questions[{index}]"
        if q.id in by_id:
            problems.append(Problem(f"question id {q.id!r} is used twice", field=f"{where}.id",
                                    hint="question ids must be unique"))
        by_id.setdefault(q.id, q)
        if isinstance(q, LabelQuestion | MultiLabelQuestion) and q.options_from:
            expected = _resolved_options(q.options_from, rubric.severity, rubric.taxonomy)
            if not expected:
                problems.append(Problem(
                    f"options_from: {q.options_from} but the rubric has no {q.options_from}",
                    field=f"{where}.options_from", hint="add a taxonomy or list 'options'"))
            elif q.options != expected:
                problems.append(Problem(
                    f"'options' disagree with options_from: {q.options_from}",
                    field=f"{where}.options", hint="give either 'options' or 'options_from'"))
        if isinstance(q, MultiLabelQuestion) and q.options:
            for bound in ("min", "max"):
                value = getattr(q, bound)
                if value is not None and value > len(q.options):
                    problems.append(Problem(
                        f"{bound} is {value} but there are only {len(q.options)} options",
                        field=f"{where}.{bound}"))

    for index, q in enumerate(rubric.questions):
        if isinstance(q, TextQuestion) and q.required_if:
            problems += _condition_problems(q, by_id, f"questions[{index}].required_if")
    return problems


def _condition_problems(q: TextQuestion, by_id: dict[str, Question], field: str) -> list[Problem]:
    problems = []
    condition = q.condition()
    assert condition is not None
    for c in condition.comparisons():
        target = by_id.get(c.question)
        if target is None:
            problems.append(Problem(f"required_if refers to {c.question!r}, which is not a "
                                    "question of this rubric", field=field,
                                    hint=f"questions: {', '.join(by_id)}"))
        elif target is q:
            problems.append(Problem("required_if refers to its own question", field=field))
        elif isinstance(target, LikertQuestion):
            if isinstance(c.value, str):
                problems.append(Problem(f"{c.question!r} is a likert scale; compare it with a "
                                        f"number, not {c.value!r}", field=field))
        elif isinstance(target, LabelQuestion | MultiLabelQuestion | PairwiseQuestion):
            allowed = [o.value for o in target.options or ()]
            if not isinstance(c.value, str) or c.op not in ("==", "!="):
                problems.append(Problem(f"{c.question!r} has options; compare it with == or "
                                        "!= and a quoted option value", field=field,
                                        hint=f"options: {', '.join(allowed)}"))
            elif c.value not in allowed:
                problems.append(Problem(f"{c.value!r} is not an option of {c.question!r}",
                                        field=field, hint=f"options: {', '.join(allowed)}"))
        else:
            problems.append(Problem(f"required_if cannot read {c.question!r}: a {target.type} "
                                    "answer has no value to compare", field=field,
                                    hint="refer to likert, label, multi_label or pairwise "
                                    "questions"))
    return problems
