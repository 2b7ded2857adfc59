"""Deterministic generator of the "helpdesk-assistant" demo workspace's items.

Everything is drawn from `random.Random(seed)` (never the global generator, never the
clock), so the same seed always yields byte-identical items: demo screenshots, tests and
documentation examples stay stable. Each item draws from its own child generator, so a
change in how one item is built does not reshuffle all later items.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from honing.demo import _catalog, _pii, _responses
from honing.demo._conversation import PiiSpan, build_conversation, plan_blocks
from honing.demo._kb import retrieve
from honing.demo._spec import CommonText
from honing.demo._tools import tools_for
from honing.demo._vocab import make_facts
from honing.domain import Item

DEMO_DATASET_SIZE = 320
WORKSPACE = "helpdesk-assistant"

_START = datetime(2026, 1, 12, tzinfo=UTC)
_SPAN_DAYS = 60
# Helpdesk traffic follows the working day; nights are quiet but not empty.
_HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 15, 13, 10, 13, 15, 14, 11, 8, 5, 3, 2, 2, 1, 1)
PII_RATE = 0.13
DECOY_RATE = 0.04
_PII_KINDS = ("email", "phone", "credit_card", "iban")


def generate_items(count: int = DEMO_DATASET_SIZE, seed: int = 7) -> Iterator[Item]:
    """Yield `count` realistic IT-helpdesk conversations, identical for the same seed."""
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    master = random.Random(seed)
    for index in range(count):
        yield _build_item(random.Random(master.getrandbits(64)), index, count)


def _created_at(rng: random.Random, index: int, count: int) -> str:
    # Items are spread evenly over the window in id order, so ids and time agree.
    day = (index * _SPAN_DAYS) // max(count, 1)
    hour = rng.choices(range(24), weights=_HOUR_WEIGHTS)[0]
    moment = _START + timedelta(days=day, hours=hour, seconds=rng.randrange(3600))
    return moment.isoformat().replace("+00:00", "Z")


def _derive_labels(facts: dict[str, Any], common: CommonText) -> None:
    # Method codes become words in the conversation's language.
    facts["delivery_label"] = common.labels[facts["delivery_method"]]
    facts["mfa_label"] = common.labels[facts["mfa_method"]]
    clicked = facts["clicked"]
    facts["clicked_phrase"] = common.labels.get("clicked" if clicked else "not_clicked", "")
    next_step = "phish_next_clicked" if clicked else "phish_next_safe"
    facts["phish_next"] = common.labels.get(next_step, "")


def _plan_pii(
    rng: random.Random, facts: dict[str, Any], common: CommonText, turns: int
) -> list[PiiSpan]:
    """Personal data (and card-like hard negatives) to place in the user's messages."""
    spans: list[PiiSpan] = []
    if rng.random() < PII_RATE:
        kinds = rng.sample(_PII_KINDS, rng.choices((1, 2), weights=(3, 1))[0])
        for kind in kinds:
            value = {
                "email": lambda: _pii.personal_email(rng, facts["first_name"], facts["last_name"]),
                "phone": lambda: _pii.phone_number(rng),
                "credit_card": lambda: _pii.card_number(rng),
                "iban": lambda: _pii.iban(rng),
            }[kind]()
            sentence = rng.choice(common.pii[kind]).format(value=value)
            spans.append(PiiSpan(kind, value, sentence, rng.randrange(turns)))
    if rng.random() < DECOY_RATE:
        value = _pii.card_like_decoy(rng)
        sentence = rng.choice(common.decoy).format(value=value)
        spans.append(PiiSpan("card_like_decoy", value, sentence, rng.randrange(turns)))
    return spans


def _build_item(rng: random.Random, index: int, count: int) -> Item:
    language = rng.choices(_catalog.LANGUAGES, weights=_catalog.LANGUAGE_WEIGHTS)[0]
    candidates = _catalog.intents_for(language)
    intent = rng.choices(candidates, weights=[_catalog.INTENTS[i].weight for i in candidates])[0]
    meta = _catalog.INTENTS[intent]
    text, common = _catalog.text_for(language, intent), _catalog.common_for(language)

    facts = make_facts(rng, intent)
    _derive_labels(facts, common)
    context = retrieve(rng, intent, facts["org_domain"])
    facts["kb_id"], facts["kb_title"] = context[0].id, context[0].title
    surface = rng.choices(_catalog.SURFACES, weights=_catalog.SURFACE_WEIGHTS)[0]
    arc = rng.choices([a for a, _ in meta.patterns], weights=[w for _, w in meta.patterns])[0]
    extra_turns = rng.choices((0, 1, 2, 3), weights=(30, 35, 25, 10))[0]
    blocks = plan_blocks(rng, meta, text, arc, extra_turns)
    pii = _plan_pii(rng, facts, common, 1 + len(blocks))

    conv = build_conversation(
        rng, meta, text, common, facts,
        arc=arc, blocks=blocks, system_prompt=_catalog.system_prompt(facts["org"], surface),
        surface=surface, pii=pii,
    )
    tools = tools_for(intent)
    tools_json = len(orjson.dumps([t.model_dump(exclude_none=True) for t in tools]))
    ctx = _responses.ResponseContext(
        rng=rng, meta=meta, text=text, common=common, facts=facts, arc=arc,
        looked_up=conv.looked_up, action_error=conv.action_error, call_ids=conv.call_ids,
        prompt_chars=_responses.prompt_chars(conv.messages, tools_json, context),
    )
    tool_form = arc == "act"
    grades = {v: _responses.draw_grade(rng, v, meta.v2_bias, tool_form) for v in ("v1", "v2")}
    rendered = {v: _responses.render(ctx, v, grades[v]) for v in ("v1", "v2")}
    expected = _responses.expected_call(ctx)

    truth = {
        "arc": arc,
        "v1_grade": grades["v1"],
        "v2_grade": grades["v2"],
        "v1_flaw": _flaw(grades["v1"]),
        "v2_flaw": _flaw(grades["v2"]),
        "v1_flaw_detail": rendered["v1"][1],
        "v2_flaw_detail": rendered["v2"][1],
        "better": _responses.better(grades["v1"], grades["v2"], tool_form),
        "expected_tool_call": {"name": expected[0], "arguments": expected[1]} if expected else None,
        "tool_error_in_trace": conv.tool_error,
        "action_failed": conv.action_error if arc == "resolve" else None,
        "pii": sorted({p["type"] for p in conv.pii_found if p["type"] != "card_like_decoy"}),
        "pii_values": [p for p in conv.pii_found if p["type"] != "card_like_decoy"],
        "pii_decoys": [p for p in conv.pii_found if p["type"] == "card_like_decoy"],
    }
    metadata = {
        "workspace": WORKSPACE,
        "source": "production" if rng.random() < 0.88 else "synthetic",
        "surface": surface,
        "language": language,
        "customer_tier": facts["customer_tier"],
        "org": facts["org"],
        "intent": intent,
        "user_turns": conv.user_turns,
        "created_at": _created_at(rng, index, count),
        "demo_truth": truth,
    }
    return Item(
        external_id=f"hd-{index + 1:06d}",
        messages=conv.messages,
        context=context,
        tools=tools,
        responses=[rendered["v1"][0], rendered["v2"][0]],
        metadata=metadata,
    )


def _flaw(grade: str) -> str | None:
    return None if grade in ("precise", "adequate") else grade
