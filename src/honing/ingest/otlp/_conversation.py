"""A conversation's spans into one item: the chat as the model last saw it, its final answer
as the item's response, and what the spans say about the call as metadata.

The transcript is grown call by call: a call whose input starts with the transcript so far
(the usual case: each request resends the history) extends it; one that does not (an app
that sends only the new turn) is appended. Each call's output joins the transcript, so the
next call's resent history matches it. The last call's output is the response."""

from __future__ import annotations

from typing import Any

from honing.domain import Item
from honing.ingest.otlp._decode import SpanRecord
from honing.ingest.otlp._genai import ModelCall, model_call

# Resource attributes copied into item metadata, under their own names (so sampling can
# stratify by them); the rest stay under metadata["otlp.resource"].
_FLAT_RESOURCE = ("service.name", "service.version", "deployment.environment",
                  "deployment.environment.name")


def build_item(conversation: str, spans: list[SpanRecord]) -> Item | None:
    """The conversation's item, or None while none of its spans is a model call."""
    spans = sorted(spans, key=lambda s: (s.start_ns, s.span_id))
    calls = [c for c in map(model_call, spans) if c is not None and (c.inputs or c.outputs)]
    if not calls:
        return None
    transcript: list[dict[str, Any]] = []
    for call in calls:
        if call.inputs[: len(transcript)] == transcript and len(call.inputs) >= len(transcript):
            transcript = list(call.inputs)
        else:
            transcript += call.inputs
        transcript += call.outputs
    last = calls[-1]
    answer = _answer(last)
    if answer is not None and transcript and transcript[-1] == last.outputs[-1]:
        transcript.pop()
    if not transcript:  # a call with an answer and no input: keep the answer as the chat
        transcript = [{"role": "user", "content": ""}]
    response: dict[str, Any] = {"model": last.model, "latency_ms": round(last.latency_ms, 3)}
    if answer is not None:
        response["content"] = answer.get("content")
        if answer.get("tool_calls"):
            response["tool_calls"] = answer["tool_calls"]
    if last.prompt_tokens is not None or last.completion_tokens is not None:
        response["tokens"] = {"prompt": last.prompt_tokens, "completion": last.completion_tokens}
    return Item.model_validate({
        "external_id": conversation,
        "messages": transcript,
        "responses": [{k: v for k, v in response.items() if v is not None}],
        "metadata": _metadata(conversation, spans, calls),
    })


def _answer(call: ModelCall) -> dict[str, Any] | None:
    outputs = [m for m in call.outputs if m.get("role") == "assistant"]
    return outputs[-1] if outputs else None


def _metadata(conversation: str, spans: list[SpanRecord], calls: list[ModelCall]) -> dict[str, Any]:
    resource = next((s.resource for s in spans if s.resource), {})
    errors = [f"{s.name}: {s.error}" for s in spans if s.failed]
    prompt = [c.prompt_tokens for c in calls if c.prompt_tokens is not None]
    completion = [c.completion_tokens for c in calls if c.completion_tokens is not None]
    start = min(s.start_ns for s in spans)
    end = max(s.end_ns for s in spans)
    meta: dict[str, Any] = {
        "source": "otlp",
        "conversation": conversation,
        "trace_ids": sorted({s.trace_id for s in spans}),
        "model": calls[-1].model,
        "models": sorted({c.model for c in calls if c.model}),
        "model_calls": len(calls),
        "spans": len(spans),
        "latency_ms": round(max(0, end - start) / 1e6, 3),
        "error": bool(errors),
        "prompt_tokens": sum(prompt) if prompt else None,
        "completion_tokens": sum(completion) if completion else None,
        "started_at_ns": start,
    }
    if errors:
        meta["errors"] = errors[:20]
    for key in _FLAT_RESOURCE:
        if key in resource:
            meta[key] = resource[key]
    others = {k: v for k, v in resource.items() if k not in _FLAT_RESOURCE}
    if others:
        meta["otlp.resource"] = others
    return {k: v for k, v in meta.items() if v is not None}
