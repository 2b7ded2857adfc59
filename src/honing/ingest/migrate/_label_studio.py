"""Label Studio's JSON export: a list of tasks, each with its `data`, the `annotations` its
annotators submitted (`completed_by`, a `result` list of {from_name, to_name, type, value})
and model `predictions`.

The export does not carry the labeling config. Without one, the rubric questions are
derived from the results: a `choices` control becomes a label question (multi_label when
any annotation picked more than one), `rating` a likert scale from 1 to the highest rating
given, `textarea` a text question and `pairwise` a pairwise question (left = response A).
With the project's config XML, controls keep its order, its options and its maxRating, and
a Pairwise control's toName says which data fields are the two responses.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from honing._errors import InvalidInput, Problem
from honing.domain import Item
from honing.ingest._mapping import apply_mapping
from honing.ingest._records import to_item
from honing.ingest.migrate._files import load_json, parse_time
from honing.ingest.migrate._model import (
    MigratedLabel,
    MigratedRecord,
    MigratedSuggestion,
    Migration,
    QuestionSpec,
    question_id,
)

TOOL = "label-studio"
_TYPES = {"choices": "label", "rating": "likert", "textarea": "text", "pairwise": "pairwise"}
_PAIRWISE = {"left": "A>B", "right": "B>A"}
# The template Label Studio ships for pairwise preference (RLHF) shows $answer1 and $answer2.
_DEFAULT_PAIR = ("answer1", "answer2")


@dataclass
class _Config:
    questions: dict[str, QuestionSpec] = field(default_factory=dict)  # by control name
    pair: tuple[str, str] | None = None  # data fields of the two responses
    texts: list[str] = field(default_factory=list)  # data fields the Text objects show


def read_label_studio(path: Path, *, config: Path | None = None,
                      mapping: dict[str, str] | None = None) -> Migration:
    tasks = load_json(path)
    if isinstance(tasks, dict) and isinstance(tasks.get("tasks"), list):
        tasks = tasks["tasks"]
    if not isinstance(tasks, list):
        raise InvalidInput(f"{path.name} is not a Label Studio JSON export",
                           hint="export the project as JSON (a list of tasks)")
    parsed = _parse_config(config) if config is not None else None
    questions: dict[str, QuestionSpec] = dict(parsed.questions) if parsed else {}
    warnings: dict[str, int] = {}
    records: list[MigratedRecord] = []
    predicted: list[tuple[MigratedRecord, dict[str, Any], str]] = []
    problems: list[Problem] = []
    for index, task in enumerate(tasks):
        where = f"{path.name}: task {task.get('id', index) if isinstance(task, dict) else index}"
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            problems.append(Problem(f"{where} has no 'data' object", file=path.name, row=index + 1))
            continue
        item = _item(task, parsed, mapping or {}, path.name, index + 1)
        if not isinstance(item, Item):
            problems.extend(item)
            continue
        labels = _labels(task, where, questions, parsed is not None, warnings)
        records.append(MigratedRecord(item, labels))
        predicted.append((records[-1], task, where))
    if problems:
        raise InvalidInput(f"{path.name}: {len(problems)} task(s) cannot be imported; nothing was "
                           "imported", problems=problems[:50])
    for record, task, where in predicted:  # once every question's type is known
        record.suggestions.extend(_predictions(task, questions, where))
    by_id = {q.id: q for q in questions.values()}
    return Migration(TOOL, by_id, records,
                     "from the labeling config" if parsed else "derived from the annotations' results",
                     [f"{count} {what}" for what, count in warnings.items()])


def _parse_config(path: Path) -> _Config:
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError) as error:
        raise InvalidInput(f"{path.name} is not a readable labeling config: {error}") from None
    found = _Config()
    values: dict[str, str] = {}
    for tag in root.iter():
        name = tag.get("name")
        if tag.tag in ("Text", "HyperText", "Paragraphs") and name and \
                (tag.get("value") or "").startswith("$"):
            values[name] = tag.get("value", "")[1:]
            found.texts.append(values[name])
        kind = _TYPES.get(tag.tag.lower())
        if kind is None or not name:
            continue
        spec = QuestionSpec(question_id(name), kind, name)  # type: ignore[arg-type]
        if tag.tag == "Choices":
            if tag.get("choice") == "multiple":
                spec.type = "multi_label"
            spec.options = [c.get("value") or c.get("alias") or "" for c in tag.iter("Choice")]
        elif tag.tag == "Rating":
            spec.low, spec.high = 1, int(tag.get("maxRating") or 5)
        elif tag.tag == "Pairwise":
            targets = [t.strip() for t in (tag.get("toName") or "").split(",") if t.strip()]
            if len(targets) == 2:
                found.pair = (targets[0], targets[1])
        found.questions[name] = spec
    if found.pair:  # object names to the data fields they show
        found.pair = (values.get(found.pair[0], found.pair[0]), values.get(found.pair[1], found.pair[1]))
    return found


def _item(task: dict[str, Any], config: _Config | None, mapping: dict[str, str], file: str,
          row: int) -> Item | list[Problem]:
    data = dict(task["data"])
    pair = config.pair if config and config.pair else _DEFAULT_PAIR
    record: dict[str, Any] = {}
    if "responses" not in data and "response" not in data and all(k in data for k in pair):
        record["responses"] = [{"content": str(data.pop(pair[0]))}, {"content": str(data.pop(pair[1]))}]
    if config and "prompt" not in data and "messages" not in data:
        shown = next((k for k in config.texts if k in data and k not in pair), None)
        if shown is not None:
            record["prompt"] = data.pop(shown)
    record.update(apply_mapping(data, mapping))
    # Task ids are the export's own: provenance, and what keeps two equal tasks two items.
    metadata = dict(record.get("metadata") or {}) if isinstance(record.get("metadata"), dict) else {}
    metadata["migrated_from"] = {k: v for k, v in {
        "tool": TOOL, "task_id": task.get("id"), "project": task.get("project"),
        "created_at": task.get("created_at")}.items() if v is not None}
    record["metadata"] = metadata
    record.setdefault("external_id", f"{TOOL}:{task.get('id')}")
    return to_item(record, file=file, line=None, row=row)


def _labels(task: dict[str, Any], where: str, questions: dict[str, QuestionSpec], fixed: bool,
            warnings: dict[str, int]) -> list[MigratedLabel]:
    newest: dict[str, MigratedLabel] = {}
    for annotation in task.get("annotations") or []:
        if annotation.get("was_cancelled"):
            warnings["cancelled annotations left out"] = warnings.get("cancelled annotations left out", 0) + 1
            continue
        here = f"{where}, annotation {annotation.get('id')}"
        answers: dict[str, Any] = {}
        for result in annotation.get("result") or []:
            kind = _TYPES.get(str(result.get("type")))
            control = str(result.get("from_name") or "")
            if kind is None or not control:
                what = f"results of type {result.get('type')!r} (not a rubric answer) left out"
                warnings[what] = warnings.get(what, 0) + 1
                continue
            spec = questions.get(control)
            if spec is None:
                if fixed:
                    raise InvalidInput(f"{here}: control {control!r} is not in the labeling config")
                spec = questions[control] = QuestionSpec(question_id(control), kind, control)  # type: ignore[arg-type]
                if kind == "likert":
                    spec.low = 1  # Label Studio's stars start at one
            value = _answer(spec, result.get("value") or {}, here)
            if value is None:
                continue
            if not fixed:
                spec.see(value)
            answers[spec.id] = value
        if not answers:
            continue
        annotator = _annotator(annotation.get("completed_by"), here)
        label = MigratedLabel(
            annotator=annotator, answers=answers,
            submitted_at=parse_time(annotation.get("updated_at") or annotation.get("created_at"), here),
            provenance={k: v for k, v in {
                "tool": TOOL, "task_id": task.get("id"), "annotation_id": annotation.get("id"),
                "annotator": annotator, "created_at": annotation.get("created_at"),
                "updated_at": annotation.get("updated_at"), "lead_time": annotation.get("lead_time"),
                "ground_truth": annotation.get("ground_truth")}.items() if v is not None},
            active_ms=int(float(annotation.get("lead_time") or 0) * 1000))
        previous = newest.get(annotator)
        if previous is not None:
            what = "older annotations by the same annotator on a task left out"
            warnings[what] = warnings.get(what, 0) + 1
            if previous.submitted_at and label.submitted_at and previous.submitted_at > label.submitted_at:
                continue
        newest[annotator] = label
    return list(newest.values())


def _predictions(task: dict[str, Any], questions: dict[str, QuestionSpec],
                 where: str) -> list[MigratedSuggestion]:
    """Model predictions, as suggestions of the model version that made them."""
    found = []
    for prediction in task.get("predictions") or []:
        if not isinstance(prediction, dict):
            continue
        source = f"{TOOL}:{prediction.get('model_version') or 'prediction'}"
        for result in prediction.get("result") or []:
            spec = questions.get(str(result.get("from_name")))
            if spec is None or _TYPES.get(str(result.get("type"))) is None:
                continue
            value = _answer(QuestionSpec(spec.id, spec.type, spec.prompt), result.get("value") or {},
                            f"{where}, prediction {prediction.get('id')}")
            if value is not None:
                found.append(MigratedSuggestion(spec.prompt, value, source, prediction.get("score")))
    return found


def _answer(spec: QuestionSpec, value: dict[str, Any], where: str) -> Any:
    if spec.type in ("label", "multi_label"):
        choices = value.get("choices") or []
        if len(choices) > 1 and spec.type == "label":
            spec.type = "multi_label"
        if not choices:
            return None
        return list(choices) if spec.type == "multi_label" else choices[0]
    if spec.type == "likert":
        rating = value.get("rating")
        if not isinstance(rating, int):
            raise InvalidInput(f"{where}: rating {rating!r} is not a whole number")
        return rating
    if spec.type == "text":
        text = value.get("text")
        text = "\n".join(text) if isinstance(text, list) else text
        return text or None
    selected = value.get("selected")
    if selected not in _PAIRWISE:
        raise InvalidInput(f"{where}: pairwise selection {selected!r} is neither left nor right")
    return _PAIRWISE[selected]


def _annotator(completed_by: Any, where: str) -> str:
    # Exports write the user id; some versions write the user object with its e-mail.
    if isinstance(completed_by, dict):
        found = completed_by.get("email") or completed_by.get("username") or completed_by.get("id")
    else:
        found = completed_by
    if found in (None, ""):
        raise InvalidInput(f"{where} has no completed_by", hint="re-export with annotator ids")
    return str(found)
