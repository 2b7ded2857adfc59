"""Argilla 2 records as its SDK exports them: `dataset.records.to_json(path)` and
`to_list()` write nested records ({id, fields, metadata, suggestions, responses: {question:
[{value, user_id}]}, status}); `to_list(flatten=True)` and the Hugging Face hub export write
flat rows ("question.responses", ".responses.users", ".responses.status").

Only the flat form says each response's status: there, drafts and discarded responses are
left out. The nested form drops the status (the SDK's `RecordResponses.to_dict`), so every
response in it is imported as submitted, and the import says so.

The question types come from the dataset's settings (`Settings.to_json`, or the hub export's
`.argilla/settings.json`) when given; otherwise they are derived from the answers: whole
numbers make a rating (likert), lists a multi-label question, and text a label question
when answers repeat across records (free text rarely does), else a text question.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from honing._errors import InvalidInput, Problem
from honing.domain import Item
from honing.ingest._mapping import apply_mapping
from honing.ingest._records import to_item
from honing.ingest.migrate._files import load_json
from honing.ingest.migrate._model import (
    MigratedLabel,
    MigratedRecord,
    MigratedSuggestion,
    Migration,
    QuestionSpec,
    question_id,
)

TOOL = "argilla"
_SETTING_TYPES = {"label_selection": "label", "multi_label_selection": "multi_label",
                  "rating": "likert", "text": "text"}
_SUFFIXES = (".responses.users", ".responses.status", ".responses", ".suggestion.score",
             ".suggestion.agent", ".suggestion")


def read_argilla(path: Path, *, config: Path | None = None,
                 mapping: dict[str, str] | None = None) -> Migration:
    rows = load_json(path)
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise InvalidInput(f"{path.name} is not an Argilla records export",
                           hint="write it with dataset.records.to_json(path) or to_list()")
    settings = _settings(config) if config is not None else None
    warnings: dict[str, int] = defaultdict(int)
    # (question name -> [(record index, user, status, value)])
    found: dict[str, list[tuple[int, str, str, Any]]] = defaultdict(list)
    records: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (fields, record info)
    for index, row in enumerate(rows):
        fields, info = _split(row, index, found, settings, warnings)
        records.append((fields, info))
    questions = settings["questions"] if settings else _derive(found)
    for name in found:
        if name not in questions:
            warnings[f"answers to question {name!r} (not a type Honing can label) left out"] += \
                len(found[name])
    problems: list[Problem] = []
    items: list[Item] = []
    for index, (fields, info) in enumerate(records):
        item = _item(fields, info, mapping or {}, path.name, index + 1)
        if isinstance(item, Item):
            items.append(item)
        else:
            problems.extend(item)
    if problems:
        raise InvalidInput(f"{path.name}: {len(problems)} problem(s) in the records; nothing was "
                           "imported", problems=problems[:50])
    labels: dict[tuple[int, str], dict[str, Any]] = defaultdict(dict)
    statuses: dict[tuple[int, str], str] = {}
    for name, answers in found.items():
        spec = questions.get(name)
        if spec is None:
            continue
        for index, user, status, value in answers:
            if status not in ("submitted", "unknown"):
                warnings[f"{status} responses left out"] += 1
                continue
            converted = _answer(spec, value, f"{path.name}: record {records[index][1]['id']}, "
                                             f"question {name!r}")
            if converted is None:
                continue
            if not settings:
                spec.see(converted)
            labels[(index, user)][spec.id] = converted
            statuses[(index, user)] = status
    migrated = [MigratedRecord(item, suggestions=[
        MigratedSuggestion(name, value, f"{TOOL}:{agent or 'suggestion'}",
                           float(score) if isinstance(score, int | float) else None)
        for name, value, agent, score in info["suggestions"] if value is not None])
        for item, (_, info) in zip(items, records, strict=True)]
    for (index, user), answers in labels.items():
        info = records[index][1]
        migrated[index].labels.append(MigratedLabel(
            annotator=user, answers=answers, submitted_at=None,
            provenance={"tool": TOOL, "record_id": info["id"], "user_id": user,
                        **({"server_id": info["server_id"]} if info.get("server_id") else {}),
                        "status": statuses[(index, user)]}))
    if any(status == "unknown" for status in statuses.values()):
        warnings["responses without a status (the nested export drops it) imported as "
                 "submitted"] += sum(1 for s in statuses.values() if s == "unknown")
    return Migration(TOOL, {q.id: q for q in questions.values()}, migrated,
                     "from the dataset settings" if settings else "derived from the responses",
                     [f"{n} {what}" for what, n in warnings.items()])


def _settings(path: Path) -> dict[str, Any]:
    body = load_json(path)
    if not isinstance(body, dict) or not isinstance(body.get("questions"), list):
        raise InvalidInput(f"{path.name} is not Argilla dataset settings",
                           hint="write them with dataset.settings.to_json(path)")
    questions: dict[str, QuestionSpec] = {}
    for q in body["questions"]:
        kind = _SETTING_TYPES.get((q.get("settings") or {}).get("type") or q.get("type"))
        if kind is None or not q.get("name"):
            continue
        spec = QuestionSpec(question_id(q["name"]), kind, q.get("title") or q["name"])  # type: ignore[arg-type]
        options = (q.get("settings") or {}).get("options") or []
        if kind in ("label", "multi_label"):
            spec.options = [str(o["value"]) for o in options]
        elif kind == "likert":
            values = [int(o["value"]) for o in options]
            spec.low, spec.high = min(values), max(values)
        questions[q["name"]] = spec
    return {"questions": questions, "fields": [f["name"] for f in body.get("fields") or []]}


def _split(row: dict[str, Any], index: int, found: dict[str, list[tuple[int, str, str, Any]]],
           settings: dict[str, Any] | None, warnings: dict[str, int]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The record's fields and metadata, with its responses added to `found`."""
    info: dict[str, Any] = {"id": row.get("id"), "server_id": row.get("_server_id"), "metadata": {},
                            "suggestions": []}
    if info["id"] is None:
        info["id"] = row.get("_server_id") or f"row-{index + 1}"
    if isinstance(row.get("fields"), dict):  # nested
        for name, answers in (row.get("responses") or {}).items():
            for answer in answers or []:
                found[name].append((index, str(answer.get("user_id")), answer.get("status") or "unknown",
                                    answer.get("value")))
        info["metadata"] = dict(row.get("metadata") or {})
        info["suggestions"] = [(name, s.get("value"), s.get("agent"), s.get("score"))
                               for name, s in (row.get("suggestions") or {}).items() if isinstance(s, dict)]
        return dict(row["fields"]), info
    fields: dict[str, Any] = {}
    for key, value in row.items():
        if key in ("id", "_server_id", "status", "score", "vectors") or value is None:
            continue
        suffix = next((s for s in _SUFFIXES if key.endswith(s)), None)
        if suffix == ".responses":
            name = key.removesuffix(suffix)
            users = row.get(f"{name}.responses.users") or []
            status = row.get(f"{name}.responses.status") or ["unknown"] * len(value)
            for value_, user, state in zip(value, users, status, strict=False):
                found[name].append((index, str(user), state or "unknown", value_))
        elif suffix == ".suggestion":
            name = key.removesuffix(suffix)
            info["suggestions"].append((name, value, row.get(f"{name}.suggestion.agent"),
                                        row.get(f"{name}.suggestion.score")))
        elif suffix is None:
            if settings is None or key in settings["fields"]:
                fields[key] = value
            else:
                info["metadata"][key] = value
    return fields, info


def _derive(found: dict[str, list[tuple[int, str, str, Any]]]) -> dict[str, QuestionSpec]:
    questions: dict[str, QuestionSpec] = {}
    for name, answers in found.items():
        values = [v for _, _, _, v in answers if v is not None]
        if not values:
            continue
        if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            kind = "likert"
        elif all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in values):
            kind = "multi_label"
        elif all(isinstance(v, str) for v in values):
            kind = "label" if len(set(values)) <= max(2, len(values) // 2) else "text"
        else:
            continue  # ranking, spans: nothing Honing labels the same way
        questions[name] = QuestionSpec(question_id(name), kind, name)  # type: ignore[arg-type]
    return questions


def _answer(spec: QuestionSpec, value: Any, where: str) -> Any:
    if value is None or value == "" or value == []:
        return None
    if spec.type == "likert":
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidInput(f"{where}: rating {value!r} is not a whole number")
        return value
    if spec.type == "multi_label":
        return [str(v) for v in (value if isinstance(value, list) else [value])]
    if spec.type == "label" and isinstance(value, list):
        raise InvalidInput(f"{where}: {value!r} is several options for a single-choice question")
    return str(value)


def _item(fields: dict[str, Any], info: dict[str, Any], mapping: dict[str, str], file: str,
          row: int) -> Item | list[Problem]:
    record: dict[str, Any] = {}
    for name, value in list(fields.items()):
        # A chat field is already a conversation.
        if isinstance(value, list) and value and all(isinstance(m, dict) and "role" in m for m in value):
            record.setdefault("messages", value)
            del fields[name]
    record.update(apply_mapping(fields, mapping))
    metadata = {**info["metadata"], "migrated_from": {k: v for k, v in {
        "tool": TOOL, "record_id": info["id"], "server_id": info.get("server_id")}.items() if v}}
    record["metadata"] = metadata
    record["external_id"] = f"{TOOL}:{info['id']}"
    return to_item(record, file=file, line=None, row=row)
