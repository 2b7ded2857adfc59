"""Langfuse traces as its public API returns them: GET /api/public/traces (a page: {"data":
[...]}) or /api/public/traces/{id} for each trace, as a JSON list or JSON Lines. Each trace
carries its observations and scores; when the observations and scores were fetched on
their own (/api/public/observations, /api/public/scores), put them beside the traces as
{"data": traces, "observations": [...], "scores": [...]} and they are joined by traceId.

- The conversation is the trace's last generation: its input (chat messages, or a prompt)
  and its output as the response, with model, token usage and latency. A trace without a
  generation uses the trace's own input and output.
- Scores a person gave in Langfuse (source ANNOTATION) become labels by their author:
  categorical and boolean scores a label question, whole-number scores a likert scale,
  text scores a text question.
- End users' feedback, sent through the API or an evaluator (source API or EVAL) under a
  name like user-feedback, thumbs or user-rating, becomes feedback signals (source
  "langfuse"): 1/0 or 1/-1 a thumb, larger numbers a rating out of 5 or 10, a score's
  comment a comment signal. Other automatic scores are kept in the item's metadata.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from honing._errors import InvalidInput, Problem
from honing.domain import Item
from honing.feedback import Signal, parse_signal
from honing.ingest._records import to_item
from honing.ingest.migrate._files import load_json, parse_time
from honing.ingest.migrate._model import (
    MigratedLabel,
    MigratedRecord,
    Migration,
    QuestionSpec,
    question_id,
)

TOOL = "langfuse"
FEEDBACK_NAME = re.compile(r"feedback|thumb|user[-_ ]?(rating|score|satisfaction)|csat", re.I)
_MESSAGE_KEYS = ("role", "content", "name", "tool_calls", "tool_call_id")


def read_langfuse(path: Path, *, config: Path | None = None,
                  mapping: dict[str, str] | None = None) -> Migration:
    if config is not None:
        raise InvalidInput("a Langfuse import takes no --config: score names are its questions")
    traces = _traces(load_json(path), path.name)
    questions: dict[str, QuestionSpec] = {}
    warnings: dict[str, int] = defaultdict(int)
    records: list[MigratedRecord] = []
    problems: list[Problem] = []
    for index, trace in enumerate(traces):
        where = f"{path.name}: trace {trace.get('id')}"
        scores = [s for s in trace.get("scores") or [] if isinstance(s, dict)]
        human = [s for s in scores if s.get("source") == "ANNOTATION"]
        feedback = [s for s in scores if s.get("source") != "ANNOTATION"
                    and FEEDBACK_NAME.search(str(s.get("name") or ""))]
        automatic = {str(s.get("name")): _score_value(s) for s in scores
                     if s.get("source") != "ANNOTATION" and s not in feedback}
        item = _item(trace, automatic, path.name, index + 1)
        if not isinstance(item, Item):
            problems.extend(item)
            continue
        labels = _labels(trace, human, questions, where, warnings)
        signals = [signal for score in feedback for signal in _signals(trace, score, where, warnings)]
        records.append(MigratedRecord(item, labels, signals))
    if problems:
        raise InvalidInput(f"{path.name}: {len(problems)} trace(s) cannot be imported; nothing was "
                           "imported", problems=problems[:50])
    return Migration(TOOL, {q.id: q for q in questions.values()}, records,
                     "derived from the annotation scores",
                     [f"{n} {what}" for what, n in warnings.items()])


def _traces(body: Any, file: str) -> list[dict[str, Any]]:
    extra_observations: list[Any] = []
    extra_scores: list[Any] = []
    if isinstance(body, dict):
        extra_observations = _page(body.get("observations"))
        extra_scores = _page(body.get("scores"))
        body = body.get("data", body.get("traces"))
    if not isinstance(body, list) or not all(isinstance(t, dict) and t.get("id") for t in body):
        raise InvalidInput(f"{file} is not a Langfuse traces export",
                           hint='give the traces as GET /api/public/traces returns them: {"data": [...]}')
    by_trace: dict[str, dict[str, list[Any]]] = defaultdict(lambda: {"observations": [], "scores": []})
    for kind, rows in (("observations", extra_observations), ("scores", extra_scores)):
        for row in rows:
            if isinstance(row, dict) and row.get("traceId"):
                by_trace[row["traceId"]][kind].append(row)
    traces = []
    for trace in body:
        joined = dict(trace)
        for kind in ("observations", "scores"):
            # The list endpoint gives ids only; full objects come from beside the traces.
            own = [o for o in trace.get(kind) or [] if isinstance(o, dict)]
            seen = {o.get("id") for o in own}
            joined[kind] = own + [o for o in by_trace[trace["id"]][kind] if o.get("id") not in seen]
        traces.append(joined)
    return traces


def _page(value: Any) -> list[Any]:
    if isinstance(value, dict):
        value = value.get("data")
    return value if isinstance(value, list) else []


def _item(trace: dict[str, Any], automatic: dict[str, Any], file: str, row: int) -> Item | list[Problem]:
    generations = sorted((o for o in trace["observations"] if o.get("type") == "GENERATION"),
                         key=lambda o: str(o.get("startTime") or ""))
    source = generations[-1] if generations else trace
    response: dict[str, Any] = {}
    content = _text(source.get("output"))
    if isinstance(source.get("output"), dict) and source["output"].get("tool_calls"):
        response["tool_calls"] = source["output"]["tool_calls"]
    if content is not None:
        response["content"] = content
    if generations:
        usage = source.get("usageDetails") or source.get("usage") or {}
        tokens = {k: usage.get(v) for k, v in (("prompt", "input"), ("completion", "output"))
                  if isinstance(usage.get(v), int)}
        latency = _latency(source)
        response.update({k: v for k, v in {"model": source.get("model"), "tokens": tokens or None,
                                            "latency_ms": latency}.items() if v is not None})
    meta = trace.get("metadata") if isinstance(trace.get("metadata"), dict) else {}
    metadata = {**meta, "migrated_from": {k: v for k, v in {
        "tool": TOOL, "trace_id": trace["id"], "observation_id": source.get("id") if generations else None,
        "name": trace.get("name"), "session_id": trace.get("sessionId"), "user_id": trace.get("userId"),
        "timestamp": trace.get("timestamp"), "tags": trace.get("tags") or None,
        "environment": trace.get("environment")}.items() if v is not None}}
    if automatic:
        metadata["langfuse_scores"] = automatic
    record: dict[str, Any] = {"external_id": f"{TOOL}:{trace['id']}",
                              "messages": _messages(source.get("input")), "metadata": metadata}
    if response.get("content") is not None or response.get("tool_calls"):
        record["responses"] = [response]
    return to_item(record, file=file, line=None, row=row)


def _messages(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict) and isinstance(value.get("messages"), list):
        value = value["messages"]
    if isinstance(value, list) and value and all(isinstance(m, dict) and "role" in m for m in value):
        return [{k: m[k] for k in _MESSAGE_KEYS if m.get(k) is not None} for m in value]
    text = _text(value)
    return [{"role": "user", "content": text}] if text is not None else []


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("content"), str):
        return value["content"]
    if isinstance(value, dict) and len(value) == 1 and isinstance(next(iter(value.values())), str):
        return next(iter(value.values()))  # {"answer": "..."}, {"question": "..."}
    return orjson.dumps(value).decode()


def _latency(observation: dict[str, Any]) -> float | None:
    start = parse_time(observation.get("startTime"), "startTime")
    end = parse_time(observation.get("endTime"), "endTime")
    if start and end and end >= start:
        return (end - start).total_seconds() * 1000
    latency = observation.get("latency")
    return float(latency) * 1000 if isinstance(latency, int | float) else None


def _score_value(score: dict[str, Any]) -> Any:
    return score.get("stringValue") if score.get("stringValue") is not None else score.get("value")


def _kind(score: dict[str, Any]) -> str:
    data_type = score.get("dataType")
    if data_type:
        return str(data_type)
    return "CATEGORICAL" if score.get("stringValue") is not None else "NUMERIC"


def _labels(trace: dict[str, Any], scores: list[dict[str, Any]], questions: dict[str, QuestionSpec],
            where: str, warnings: dict[str, int]) -> list[MigratedLabel]:
    by_author: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for score in scores:
        author = score.get("authorUserId")
        if not author:
            warnings["annotation scores without an author left out"] += 1
            continue
        by_author[str(author)].append(score)
    labels = []
    for author, given in by_author.items():
        answers: dict[str, Any] = {}
        ids: dict[str, str] = {}
        times: list[datetime] = []
        for score in given:
            name, kind = str(score.get("name")), _kind(score)
            here = f"{where}, score {score.get('id')}"
            if kind in ("CATEGORICAL", "BOOLEAN"):
                wanted, value = "label", str(score.get("stringValue"))
            elif kind == "TEXT":
                wanted, value = "text", str(score.get("stringValue") or "")
            else:
                number = score.get("value")
                if not isinstance(number, int | float) or not math.isfinite(number) or number != int(number):
                    warnings["annotation scores that are not whole numbers left out"] += 1
                    continue
                wanted, value = "likert", int(number)
            spec = questions.setdefault(name, QuestionSpec(question_id(name), wanted, name))  # type: ignore[arg-type]
            if spec.type != wanted:
                raise InvalidInput(f"{here}: score {name!r} is {kind} here but {spec.type} elsewhere")
            spec.see(value)
            answers[spec.id] = value
            ids[spec.id] = str(score.get("id"))
            moment = parse_time(score.get("timestamp") or score.get("createdAt"), here)
            if moment:
                times.append(moment)
        if answers:
            labels.append(MigratedLabel(
                annotator=author, answers=answers, submitted_at=max(times) if times else None,
                provenance={k: v for k, v in {
                    "tool": TOOL, "trace_id": trace["id"], "score_ids": ids, "annotator": author,
                    "queue_id": next((s.get("queueId") for s in given if s.get("queueId")), None),
                    "comments": {str(s.get("name")): s["comment"] for s in given if s.get("comment")}
                    or None}.items() if v is not None}))
    return labels


def _signals(trace: dict[str, Any], score: dict[str, Any], where: str,
             warnings: dict[str, int]) -> list[Signal]:
    here = f"{where}, score {score.get('id')}"
    common = {"external_id": str(score.get("id")), "author": trace.get("userId"),
              "given_at": score.get("timestamp") or score.get("createdAt")}
    signals = []
    value = score.get("value")
    kind = _kind(score)
    if kind == "BOOLEAN" or (isinstance(value, int | float) and value in (0, 1, -1)
                             and not re.search(r"rating|score|csat", str(score.get("name")), re.I)):
        signals.append(parse_signal({"kind": "thumbs", "value": 1 if value and value > 0 else -1, **common},
                                    where=here, source=TOOL))
    elif kind == "NUMERIC" and isinstance(value, int | float) and 0 <= value <= 10:
        signals.append(parse_signal({"kind": "rating", "value": value, "scale": 5 if value <= 5 else 10,
                                     **common}, where=here, source=TOOL))
    elif not score.get("comment"):
        warnings["feedback scores Honing cannot read as a thumb or a rating left out"] += 1
    if score.get("comment"):
        signals.append(parse_signal({"kind": "comment", "text": score["comment"], **common,
                                     "external_id": f"{score.get('id')}:comment"},
                                    where=here, source=TOOL))
    return signals
