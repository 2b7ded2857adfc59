"""The two candidate responses (v1 and v2) that answer an item's last message.

Each candidate gets a *grade* drawn from weights that depend on the intent, so that v2
is stronger on some intents and weaker on others; flawed grades inject one known defect
(incomplete, hallucinated, unsafe, wrong tool arguments). The grade is recorded in the
item's `demo_truth` so that agreement, judge and comparison features can check
themselves against it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from honing.demo import _tools
from honing.demo._spec import CommonText, IntentMeta, IntentText, Pattern
from honing.domain import ContextDocument, FunctionCall, Message, Response, TokenUsage, ToolCall

MODEL = "helpdesk-assistant"
PROMPT_VERSIONS = {"v1": "p3", "v2": "p4"}

# Grade -> how a careful rater would score it; used only to decide which one is better.
_SCORES = {
    "precise": 4, "adequate": 3, "incomplete": 2,
    "hallucination": 1, "wrong_tool_args": 1, "unsafe": 0,
}
_FLAWLESS = ("precise", "adequate")

# (version, where v2 is stronger) -> grade weights. Unsafe and hallucinated answers stay
# rare (~1.5-2% per candidate) so that 3-5% of items contain one, as in production.
_GRADES = ("precise", "adequate", "incomplete", "hallucination", "wrong_tool_args", "unsafe")
_WEIGHTS: dict[tuple[str, str], dict[str, float]] = {
    key: dict(zip(_GRADES, weights, strict=True))
    for key, weights in {
        ("v1", "better"): (20, 45, 22, 2, 9, 1.6),
        ("v2", "better"): (58, 33, 5, 1.5, 2, 1.2),
        ("v1", "worse"): (42, 41, 10, 2, 4, 1.5),
        ("v2", "worse"): (14, 40, 36, 2.5, 6, 1.8),
        ("v1", "even"): (32, 45, 14, 2, 6, 1.6),
        ("v2", "even"): (36, 43, 12, 2, 6, 1.6),
    }.items()
}


@dataclass(frozen=True)
class ResponseContext:
    rng: random.Random
    meta: IntentMeta
    text: IntentText
    common: CommonText
    facts: dict[str, Any]
    arc: Pattern
    looked_up: bool
    action_error: bool
    call_ids: set[str]
    prompt_chars: int


def expected_call(ctx: ResponseContext) -> tuple[str, dict[str, Any]] | None:
    """The tool call a correct "act" answer makes: verify first, then act."""
    if ctx.arc != "act":
        return None
    name = ctx.meta.action if ctx.looked_up else "lookup_user"
    return name, _tools.call_args(name, ctx.facts)


def draw_grade(rng: random.Random, version: str, bias: str, tool_form: bool) -> str:
    weights = dict(_WEIGHTS[(version, bias)])
    if not tool_form:  # wrong arguments need a tool call to be wrong in
        del weights["wrong_tool_args"]
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def score(grade: str, tool_form: bool) -> int:
    # A correct tool call is correct whether or not it comes with a friendly preface.
    if tool_form and grade in _FLAWLESS:
        return _SCORES["adequate"]
    return _SCORES[grade]


def better(v1: str, v2: str, tool_form: bool) -> str:
    a, b = score(v1, tool_form), score(v2, tool_form)
    return "tie" if a == b else ("v1" if a > b else "v2")


def _fill(ctx: ResponseContext, template: str) -> str:
    return template.format_map(ctx.facts)


def _pick(ctx: ResponseContext, options: tuple[str, ...]) -> str:
    return _fill(ctx, ctx.rng.choice(options))


def _numbered(lines: list[str]) -> str:
    return "\n".join(f"{n}. {line}" for n, line in enumerate(lines, 1))


def _steps(ctx: ResponseContext, drop_keys: bool = False) -> list[str]:
    return [
        _fill(ctx, step)
        for index, step in enumerate(ctx.text.steps)
        if not (drop_keys and index in ctx.text.key_steps)
    ]


def _advise_text(ctx: ResponseContext, grade: str) -> str:
    intro = _pick(ctx, ctx.common.steps_intro)
    if grade == "incomplete":
        return f"{ctx.common.terse_intro} " + " ".join(_steps(ctx, drop_keys=True))
    steps = _steps(ctx)
    if grade == "hallucination":
        steps.insert(ctx.rng.randrange(1, len(steps) + 1), _pick(ctx, ctx.text.hallucinations))
    if grade == "unsafe":
        steps.append(_pick(ctx, ctx.text.unsafe))
    if grade == "adequate" or grade == "unsafe":
        return f"{intro}\n" + _numbered(steps)
    closing = _pick(ctx, ctx.common.closings)
    note = _fill(ctx, ctx.text.precise_note)
    return f"{ctx.facts['diag_note']}{intro}\n{_numbered(steps)}\n\n{note} {closing}"


def _resolve_text(ctx: ResponseContext, grade: str) -> str:
    text, common = ctx.text, ctx.common
    if ctx.action_error:
        if grade == "hallucination":  # claims success although the tool returned an error
            return _pick(ctx, text.claim_done)
        if grade == "incomplete":
            return common.generic_error
        failed = _fill(ctx, text.resolve_error)
        if grade == "unsafe":
            return f"{failed} {_pick(ctx, text.unsafe)}"
        if grade == "adequate":
            return f"{failed} {common.error_fallback}"
        return f"{failed} {common.error_fallback} {_pick(ctx, common.closings)}"
    done = _fill(ctx, text.resolve_ok)
    if grade == "incomplete":
        return done
    body = f"{done} {_fill(ctx, text.resolve_next)}"
    if grade == "hallucination":
        return f"{body} {_pick(ctx, text.hallucinations)}"
    if grade == "unsafe":
        return f"{body} {_pick(ctx, text.unsafe)}"
    if grade == "adequate":
        return body
    return f"{body} {_fill(ctx, text.precise_note)}"


def _act_text(ctx: ResponseContext, grade: str) -> str:
    if grade == "incomplete":
        return _pick(ctx, ctx.common.ask_again)
    if grade == "hallucination":  # claims the action happened without calling any tool
        return _pick(ctx, ctx.text.claim_done)
    return f"{_pick(ctx, ctx.text.unsafe)} {_pick(ctx, ctx.common.closings)}"


def render(ctx: ResponseContext, version: str, grade: str) -> tuple[Response, str | None]:
    """One candidate response in the given grade, plus a note on its flaw if it has one."""
    content: str | None = None
    calls: list[ToolCall] | None = None
    detail: str | None = None
    expected = expected_call(ctx)
    if expected and grade in ("precise", "adequate", "wrong_tool_args"):
        name, args = expected
        if grade == "wrong_tool_args":
            args, detail = _tools.corrupt_args(ctx.rng, name, args, ctx.facts)
        call_id = _tools.new_call_id(ctx.rng, ctx.call_ids)
        calls = [ToolCall(id=call_id, function=FunctionCall(name=name, arguments=args))]
        if grade == "precise":
            content = _pick(ctx, ctx.common.act_prefaces)
    elif expected:
        content = _act_text(ctx, grade)
    elif ctx.arc == "resolve":
        content = _resolve_text(ctx, grade)
    else:
        content = _advise_text(ctx, grade)
    return _with_usage(ctx, version, content, calls), detail


def _with_usage(
    ctx: ResponseContext, version: str, content: str | None, calls: list[ToolCall] | None
) -> Response:
    call_chars = sum(len(c.function.name) + len(c.function.arguments) for c in calls or ())
    out_chars = len(content or "") + call_chars
    completion = max(1, out_chars // 4 + ctx.rng.randint(0, 6))
    # p4 carries a longer system prompt; v2 decodes a little faster per token.
    prompt = ctx.prompt_chars // 4 + (41 if version == "v2" else 0)
    base, per_token = (620.0, 23.0) if version == "v1" else (540.0, 18.5)
    latency = base + per_token * completion + ctx.rng.uniform(0, 450) + prompt * 0.05
    return Response(
        model=MODEL,
        model_version=version,
        prompt_version=PROMPT_VERSIONS[version],
        content=content,
        tool_calls=calls,
        latency_ms=round(latency, 1),
        tokens=TokenUsage(prompt=prompt, completion=completion),
    )


def prompt_chars(messages: list[Message], tools_json: int, context: list[ContextDocument]) -> int:
    """Approximate prompt size in characters: messages, tool schemas and retrieved passages."""
    total = tools_json + sum(len(doc.content) + len(doc.title or "") for doc in context)
    for message in messages:
        total += len(message.text) + 8
        for call in message.tool_calls or ():
            total += len(call.function.name) + len(call.function.arguments)
    return total
