"""Builds the logged conversation (system, user, assistant and tool messages) of one item.

A conversation follows an *arc*:
- "act": the user asks for something the assistant can do with a tool; the log stops at
  the user's last message, so the candidate responses should make the right tool call.
- "resolve": the assistant already called the fixing tool; the log stops at the tool
  result (sometimes an error), so the responses must explain the outcome truthfully.
- "advise": a troubleshooting chat; the responses should give complete, grounded steps.
Between the opening message and the end, up to three extra exchanges ("blocks") add
user turns: a clarifying question, an identity check, a directory lookup, a diagnostic
tool call, or a first suggestion that did not help.
"""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import orjson

from honing.demo import _tools
from honing.demo._spec import CommonText, IntentMeta, IntentText, Pattern
from honing.domain import FunctionCall, Message, ToolCall

_ARC_BLOCKS: dict[str, tuple[str, ...]] = {
    "act": ("clarify", "ask_id", "lookup"),
    "resolve": ("clarify", "diagnose", "advice_fail", "ask_id", "lookup"),
    "advise": ("clarify", "diagnose", "advice_fail"),
}
ACTION_FAILURE_RATE = 0.15
DIAGNOSE_FAILURE_RATE = 0.08


@dataclass(frozen=True)
class PiiSpan:
    kind: str  # entity type, or "card_like_decoy" for a hard negative
    value: str
    sentence: str
    turn: int  # which user turn carries it


@dataclass
class Conversation:
    """The built messages plus what the candidate responses need to know about them."""

    messages: list[Message] = field(default_factory=list)
    call_ids: set[str] = field(default_factory=set)
    looked_up: bool = False
    tool_error: bool = False
    action_error: bool = False
    user_turns: int = 0
    pii_found: list[dict[str, Any]] = field(default_factory=list)


def plan_blocks(
    rng: random.Random, meta: IntentMeta, text: IntentText, arc: Pattern, extra_turns: int
) -> list[str]:
    """Which extra exchanges the conversation has, in a natural order."""
    candidates = [
        block
        for block in _ARC_BLOCKS[arc]
        if (block != "diagnose" or meta.diagnose)
        and (block != "advice_fail" or (text.interim_advice and text.still_failing))
    ]
    chosen = sorted(rng.sample(range(len(candidates)), min(extra_turns, len(candidates))))
    blocks = [candidates[i] for i in chosen]
    # Nobody opens a network ticket before trying anything: troubleshooting arcs that end
    # in a ticket always contain a failed first attempt.
    # With a single first suggestion on file, a diagnosis and a failed attempt would repeat it.
    if {"diagnose", "advice_fail"} <= set(blocks) and len(text.interim_advice) < 2:
        blocks.remove("advice_fail")
    tried = {"diagnose", "advice_fail"} & set(blocks)
    if arc == "resolve" and meta.diagnose and not tried:
        blocks = blocks[1:] + ["diagnose"]
        blocks.sort(key=candidates.index)
    return blocks


class _Builder:
    def __init__(
        self,
        rng: random.Random,
        meta: IntentMeta,
        text: IntentText,
        common: CommonText,
        facts: dict[str, Any],
        surface: str,
        pii: list[PiiSpan],
    ) -> None:
        self.rng, self.meta, self.text, self.common = rng, meta, text, common
        self.facts, self.surface, self.pii = facts, surface, pii
        self.conv = Conversation()
        self.interim_used: set[str] = set()

    def fill(self, template: str, **extra: Any) -> str:
        return template.format_map({**self.facts, **extra})

    def pick(self, options: tuple[str, ...]) -> str:
        return self.fill(self.rng.choice(options))

    def system(self, content: str) -> None:
        self.conv.messages.append(Message(role="system", content=content))

    def user(self, body: str) -> None:
        turn = self.conv.user_turns
        carried = [span for span in self.pii if span.turn == turn]
        if carried:
            body = body.rstrip() + " " + " ".join(span.sentence for span in carried)
        if turn == 0:
            body = self._style_opener(body)
        # Email openers carry a greeting and sign-off; quick replies in a thread often don't.
        if self.surface == "email" and (turn == 0 or self.rng.random() < 0.3):
            body = self.rng.choice(self.common.email_wraps).format(body=body)
        index = len(self.conv.messages)
        self.conv.messages.append(Message(role="user", content=body))
        self.conv.user_turns += 1
        for span in carried:
            found = {"type": span.kind, "value": span.value, "message_index": index}
            self.conv.pii_found.append(found)

    def _style_opener(self, body: str) -> str:
        if self.surface == "email":  # the email wrap adds greeting and sign-off
            return body
        if self.surface == "slack":
            # Slack messages are casual: no greeting, often no capital letter.
            return _decapitalize(body) if self.rng.random() < 0.5 else body
        prefix = self.rng.choice(self.common.user_prefixes)
        suffix = self.rng.choice(self.common.user_suffixes)
        joined = _decapitalize(body) if prefix.endswith((", ", "— ", ": ")) else body
        return (prefix + joined + suffix).strip()

    def assistant(self, content: str) -> None:
        self.conv.messages.append(Message(role="assistant", content=content))

    def call(self, tools: list[str], failing: Collection[str] = (), preface: bool = False) -> None:
        """One assistant message calling `tools` in parallel, then one result per call."""
        calls = [
            ToolCall(
                id=_tools.new_call_id(self.rng, self.conv.call_ids),
                function=FunctionCall(name=name, arguments=_tools.call_args(name, self.facts)),
            )
            for name in tools
        ]
        # Like production models, the assistant mostly calls tools without saying anything.
        content = None
        if preface and self.rng.random() < 0.3:
            content = self.rng.choice(self.common.act_prefaces)
        self.conv.messages.append(Message(role="assistant", content=content, tool_calls=calls))
        for call in calls:
            name = call.function.name
            if name in failing:
                result = _tools.tool_error(name)
                self.conv.tool_error = True
            else:
                result = _tools.tool_result(name, self.facts)
            content = orjson.dumps(result, option=orjson.OPT_SORT_KEYS).decode()
            self.conv.messages.append(Message(role="tool", tool_call_id=call.id, content=content))

    # --- blocks -------------------------------------------------------------------

    def clarify(self) -> None:
        self.assistant(self.pick(self.text.clarify_questions))
        self.user(self.pick(self.text.clarify_answers))

    def ask_id(self) -> None:
        self.assistant(self.pick(self.common.ask_id))
        self.user(self.pick(self.common.provide_id))

    def lookup(self) -> None:
        self.call(["lookup_user"])
        self.conv.looked_up = True
        self.assistant(self.pick(self.text.lookup_confirms))
        self.user(self.pick(self.common.confirm_go))

    def diagnose(self) -> None:
        assert self.meta.diagnose is not None
        tools = [self.meta.diagnose] + (["search_kb"] if self.rng.random() < 0.35 else [])
        failed = self.rng.random() < DIAGNOSE_FAILURE_RATE
        self.call(tools, failing={self.meta.diagnose} if failed else ())
        if failed:
            # Said once in the chat; the final answer has no diagnosis to repeat.
            self._interim(self.common.diag_failed)
            return
        self.facts["diag_note"] = self.fill(self.text.diag_notes.get(self.facts["diag_state"], ""))
        self._interim(self.facts["diag_note"])

    def advice_fail(self) -> None:
        self._interim("")

    def _interim(self, note: str) -> None:
        # A second suggestion must differ from the first, and the diagnosis is told once.
        self.assistant(self.fill(self._fresh(self.text.interim_advice), diag_note=note))
        self.user(self.fill(self._fresh(self.text.still_failing)))

    def _fresh(self, options: tuple[str, ...]) -> str:
        unused = [t for t in options if t not in self.interim_used] or list(options)
        choice = self.rng.choice(unused)
        self.interim_used.add(choice)
        return choice

    def finish_resolve(self) -> None:
        if not self.conv.looked_up:
            self.call(["lookup_user"])
            self.conv.looked_up = True
        failed = self.rng.random() < ACTION_FAILURE_RATE
        self.conv.action_error = failed
        self.call([self.meta.action], failing={self.meta.action} if failed else (), preface=True)


def build_conversation(
    rng: random.Random,
    meta: IntentMeta,
    text: IntentText,
    common: CommonText,
    facts: dict[str, Any],
    *,
    arc: Pattern,
    blocks: list[str],
    system_prompt: str,
    surface: str,
    pii: list[PiiSpan],
) -> Conversation:
    builder = _Builder(rng, meta, text, common, facts, surface, pii)
    builder.system(system_prompt)
    opener = builder.pick(text.openers)
    # Arcs that touch the account need the employee id; it comes in the opener unless the
    # assistant asks for it.
    if arc in ("act", "resolve") and "ask_id" not in blocks:
        opener += builder.fill(rng.choice(common.id_in_opener))
    builder.user(opener)
    for block in blocks:
        getattr(builder, block)()
    if arc == "resolve":
        builder.finish_resolve()
    return builder.conv


def _decapitalize(text: str) -> str:
    # Lower-case a leading capital only for ordinary words: "I'm", "VPN", "MFA" stay.
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text
