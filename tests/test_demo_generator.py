"""The demo generator: deterministic, valid, varied, and honest about what it injected."""

from __future__ import annotations

import json
import re
import string
import time
from collections import Counter
from datetime import datetime

import pytest

from honing.demo import DEMO_DATASET_SIZE, generate_items
from honing.domain import Item

FLAWS = {None, "unsafe", "hallucination", "wrong_tool_args", "incomplete"}
PII_KINDS = {"email", "phone", "credit_card", "iban"}


@pytest.fixture(scope="module")
def items() -> list[Item]:
    return list(generate_items())


def _truth(item: Item) -> dict:
    return item.metadata["demo_truth"]


def _luhn(number: str) -> bool:
    # Written independently of the generator: double every second digit from the right.
    digits = [int(c) for c in number if c.isdigit()]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return len(digits) >= 12 and total % 10 == 0


def _iban_ok(value: str) -> bool:
    compact = value.replace(" ", "")
    moved = compact[4:] + compact[:4]
    as_number = "".join(c if c.isdigit() else str(ord(c) - ord("A") + 10) for c in moved)
    return int(as_number) % 97 == 1


def _user_texts(item: Item) -> list[str]:
    return [m.text for m in item.messages if m.role == "user"]


# --- determinism and size ---------------------------------------------------------


def test_same_seed_gives_byte_identical_items(items: list[Item]) -> None:
    again = list(generate_items())
    assert [i.canonical_json() for i in again] == [i.canonical_json() for i in items]


def test_different_seed_gives_different_items(items: list[Item]) -> None:
    other = list(generate_items(seed=8))
    assert [i.content_hash() for i in other] != [i.content_hash() for i in items]


def test_generator_does_not_touch_global_random(items: list[Item]) -> None:
    import random

    random.seed(123)
    expected = random.random()
    random.seed(123)
    list(generate_items(20))
    assert random.random() == expected


@pytest.mark.parametrize("count", [0, 1, 7, 50])
def test_count_is_honored(count: int) -> None:
    produced = list(generate_items(count, seed=3))
    assert len(produced) == count
    assert [i.external_id for i in produced] == [f"hd-{n:06d}" for n in range(1, count + 1)]


def test_default_size(items: list[Item]) -> None:
    assert DEMO_DATASET_SIZE == 320
    assert len(items) == DEMO_DATASET_SIZE


def test_negative_count_is_rejected() -> None:
    with pytest.raises(ValueError, match="count"):
        list(generate_items(-1))


def test_generation_is_fast() -> None:
    start = time.perf_counter()
    list(generate_items())
    assert time.perf_counter() - start < 1.5


# --- shape ----------------------------------------------------------------------------


def test_items_round_trip_through_validation(items: list[Item]) -> None:
    for item in items:
        assert Item.model_validate_json(item.canonical_json()) == item


def test_conversation_shape(items: list[Item]) -> None:
    for item in items:
        assert item.messages[0].role == "system"
        assert item.messages[-1].role in ("user", "tool"), item.external_id
        assert 1 <= item.metadata["user_turns"] <= 4
        assert item.metadata["user_turns"] == len(_user_texts(item))
    assert {i.metadata["user_turns"] for i in items} == {1, 2, 3, 4}


def test_two_candidate_responses_v1_and_v2(items: list[Item]) -> None:
    for item in items:
        assert [r.model_version for r in item.responses] == ["v1", "v2"]
        assert [r.prompt_version for r in item.responses] == ["p3", "p4"]
        for response in item.responses:
            assert response.model == "helpdesk-assistant"
            assert response.latency_ms and response.latency_ms > 0
            assert response.tokens and response.tokens.prompt and response.tokens.completion
    assert any(r.tool_calls for i in items for r in i.responses), "some responses are tool calls"


def test_every_tool_call_is_answered_and_ids_are_unique(items: list[Item]) -> None:
    for item in items:
        calls = [c for m in item.messages for c in m.tool_calls or ()]
        calls += [c for r in item.responses for c in r.tool_calls or ()]
        ids = [c.id for c in calls]
        assert len(ids) == len(set(ids)), item.external_id
        answered = {m.tool_call_id for m in item.messages if m.role == "tool"}
        in_messages = {c.id for m in item.messages for c in m.tool_calls or ()}
        assert answered == in_messages, item.external_id
        for call in calls:
            assert isinstance(json.loads(call.function.arguments), dict)
        for message in item.messages:
            if message.role == "tool":
                assert isinstance(json.loads(message.text), dict)


def test_tools_are_json_schema_functions(items: list[Item]) -> None:
    for item in items:
        names = [t.function.name for t in item.tools]
        assert len(names) == len(set(names))
        for tool in item.tools:
            params = tool.function.parameters
            assert params["type"] == "object"
            assert set(params["required"]) <= set(params["properties"])
        called = {c.function.name for m in item.messages for c in m.tool_calls or ()}
        assert called <= set(names), item.external_id


def test_context_passages(items: list[Item]) -> None:
    for item in items:
        assert 1 <= len(item.context) <= 4
        for doc in item.context:
            assert re.fullmatch(r"KB-\d{4}", doc.id)
            assert doc.title and doc.content and doc.source and doc.source.startswith("https://")
            assert doc.score is not None and 0 < doc.score <= 1
        scores = [d.score for d in item.context]
        assert scores == sorted(scores, reverse=True)


def test_metadata_fields(items: list[Item]) -> None:
    allowed = {
        "surface": {"web_chat", "slack", "teams", "email"},
        "customer_tier": {"free", "pro", "enterprise"},
        "source": {"production", "synthetic"},
        "language": {"en", "de", "fr", "es"},
    }
    for item in items:
        for key, values in allowed.items():
            assert item.metadata[key] in values
    for key, values in allowed.items():
        assert {i.metadata[key] for i in items} == values, key
    sources = Counter(i.metadata["source"] for i in items)
    assert sources["production"] > sources["synthetic"]


def test_created_at_spans_about_sixty_days_of_2026(items: list[Item]) -> None:
    stamps = [datetime.fromisoformat(i.metadata["created_at"].replace("Z", "+00:00")) for i in items]
    assert all(s.year == 2026 for s in stamps)
    assert 50 <= (max(stamps) - min(stamps)).days <= 61
    days = [s.date() for s in stamps]
    assert days == sorted(days), "ids follow time"


# --- variety --------------------------------------------------------------------------


def test_intents_cover_at_least_eight(items: list[Item]) -> None:
    intents = Counter(i.metadata["intent"] for i in items)
    assert len(intents) >= 8
    assert min(intents.values()) >= 5


def test_conversations_are_not_copy_pasted(items: list[Item]) -> None:
    openers = [_user_texts(i)[0] for i in items]
    assert len(set(openers)) > 0.8 * len(openers)


def test_more_than_forty_percent_use_tools(items: list[Item]) -> None:
    with_tools = [
        i
        for i in items
        if any(m.tool_calls for m in i.messages) or any(r.tool_calls for r in i.responses)
    ]
    assert len(with_tools) / len(items) > 0.4
    assert any(_truth(i)["tool_error_in_trace"] for i in items), "some tool results are errors"
    assert any("error" in json.loads(m.text) for i in items for m in i.messages if m.role == "tool")


def test_non_english_conversations_are_in_that_language(items: list[Item]) -> None:
    markers = {
        "de": {"ich", "mein", "meinem", "das", "nicht", "ist", "können", "seit", "beim", "und"},
        "fr": {"je", "mon", "le", "la", "pas", "est", "j'ai", "depuis", "pouvez-vous", "me", "on"},
        "es": {"mi", "la", "no", "de", "desde", "olvidé", "se", "me", "al", "sale"},
    }
    languages = Counter(i.metadata["language"] for i in items)
    assert languages["en"] > len(items) / 2
    for language, words in markers.items():
        assert languages[language] >= 3, language
        for item in (i for i in items if i.metadata["language"] == language):
            opener = _user_texts(item)[0]
            assert set(re.findall(r"[\w'-]+", opener.lower())) & words, (item.external_id, opener)


# --- injected truth -------------------------------------------------------------------


def test_demo_truth_is_consistent(items: list[Item]) -> None:
    severity = {"unsafe": 0, "hallucination": 1, "wrong_tool_args": 1, "incomplete": 2}
    for item in items:
        truth = _truth(item)
        assert truth["v1_flaw"] in FLAWS and truth["v2_flaw"] in FLAWS
        assert truth["better"] in {"v1", "v2", "tie"}
        v1, v2 = (severity.get(truth[f"{v}_flaw"], 3) for v in ("v1", "v2"))
        if v1 != v2:
            assert truth["better"] == ("v1" if v1 > v2 else "v2"), item.external_id


def test_flaw_mix_is_realistic(items: list[Item]) -> None:
    def share(flaw: str) -> float:
        return sum(flaw in (_truth(i)["v1_flaw"], _truth(i)["v2_flaw"]) for i in items) / len(items)

    assert 0.01 <= share("unsafe") <= 0.08
    assert 0.01 <= share("hallucination") <= 0.08
    assert share("wrong_tool_args") > 0.01
    assert share("incomplete") > 0.1
    better = Counter(_truth(i)["better"] for i in items)
    assert better["v1"] > 20 and better["v2"] > 20 and better["tie"] > 20


def test_v2_wins_on_some_intents_and_loses_on_others(items: list[Item]) -> None:
    wins: dict[str, Counter] = {}
    for item in items:
        wins.setdefault(item.metadata["intent"], Counter())[_truth(item)["better"]] += 1
    assert any(c["v2"] > 2 * c["v1"] for c in wins.values())
    assert any(c["v1"] > 2 * c["v2"] for c in wins.values())


def test_tool_call_responses_match_the_expected_call(items: list[Item]) -> None:
    seen_flaws = Counter()
    for item in items:
        truth = _truth(item)
        expected = truth["expected_tool_call"]
        for version, response in zip(("v1", "v2"), item.responses, strict=True):
            flaw = truth[f"{version}_flaw"]
            if not response.tool_calls:
                continue
            assert expected is not None, item.external_id
            (call,) = response.tool_calls
            args = json.loads(call.function.arguments)
            assert call.function.name == expected["name"]
            if flaw is None:
                assert args == expected["arguments"]
            else:
                assert flaw == "wrong_tool_args"
                assert args != expected["arguments"]
                detail = truth[f"{version}_flaw_detail"]
                if detail.startswith("missing_required:"):
                    assert detail.split(":", 1)[1] not in args
                seen_flaws[detail.split(":")[0]] += 1
    assert seen_flaws, "some responses send wrong tool arguments"


def test_resolve_hallucinations_can_claim_success_after_a_tool_error(items: list[Item]) -> None:
    for item in items:
        truth = _truth(item)
        if truth["arc"] == "resolve":
            last = json.loads(item.messages[-1].text)
            assert ("error" in last) == truth["action_failed"], item.external_id


# --- personal data --------------------------------------------------------------------


def test_pii_fraction_and_types(items: list[Item]) -> None:
    with_pii = [i for i in items if _truth(i)["pii"]]
    assert 0.08 <= len(with_pii) / len(items) <= 0.2
    kinds = Counter(k for i in with_pii for k in _truth(i)["pii"])
    assert set(kinds) == PII_KINDS
    for item in with_pii:
        truth = _truth(item)
        assert set(truth["pii"]) == {p["type"] for p in truth["pii_values"]}
        for found in truth["pii_values"]:
            message = item.messages[found["message_index"]]
            assert message.role == "user" and found["value"] in message.text


def test_pii_cards_pass_luhn_and_ibans_pass_mod97(items: list[Item]) -> None:
    values = [p for i in items for p in _truth(i)["pii_values"]]
    cards = [p["value"] for p in values if p["type"] == "credit_card"]
    ibans = [p["value"] for p in values if p["type"] == "iban"]
    assert cards and ibans
    assert all(_luhn(card) for card in cards), cards
    assert all(_iban_ok(iban) for iban in ibans), ibans
    phones = [p["value"] for p in values if p["type"] == "phone"]
    assert all(p.startswith("+") for p in phones)


def test_card_like_decoys_fail_luhn(items: list[Item]) -> None:
    decoys = [p for i in items for p in _truth(i)["pii_decoys"]]
    assert decoys
    for decoy in decoys:
        assert not _luhn(decoy["value"])
    for item in items:
        for decoy in _truth(item)["pii_decoys"]:
            assert decoy["value"] in item.messages[decoy["message_index"]].text


def test_items_without_pii_have_none_in_user_messages(items: list[Item]) -> None:
    # The ground truth must be complete: a detector's false positive here is a real one.
    email = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
    card = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")
    for item in items:
        kinds = set(_truth(item)["pii"])
        for text in _user_texts(item):
            # Digits inside a marked IBAN can look like a card number; they are accounted for.
            for found in _truth(item)["pii_values"]:
                text = text.replace(found["value"], " ")
            if "email" not in kinds:
                assert not email.search(text), (item.external_id, text)
            if "credit_card" not in kinds:
                luhn_hits = [m.group() for m in card.finditer(text) if _luhn(m.group())]
                assert not luhn_hits, (item.external_id, text)


# --- wording tables -------------------------------------------------------------------


def test_every_template_only_uses_known_slots() -> None:
    import random
    from dataclasses import fields

    from honing.demo import _catalog
    from honing.demo._vocab import make_facts

    facts = make_facts(random.Random(0), "vpn_issue")
    known = set(facts) | {"delivery_label", "mfa_label", "clicked_phrase", "phish_next", "kb_title"}
    formatter = string.Formatter()

    def slots(template: str) -> set[str]:
        return {name for _, name, _, _ in formatter.parse(template) if name}

    for language in _catalog.LANGUAGES:
        common = _catalog.common_for(language)
        assert set(common.labels) >= {"sms", "authenticator_app", "manager_approval", "fido2_key"}
        assert set(common.pii) == PII_KINDS
        for intent in _catalog.intents_for(language):
            text = _catalog.text_for(language, intent)
            for spec in (text, common):
                for spec_field in fields(spec):
                    value = getattr(spec, spec_field.name)
                    templates = value.values() if isinstance(value, dict) else (
                        value if isinstance(value, tuple) else (value,)
                    )
                    for template in templates:
                        if not isinstance(template, str):
                            continue
                        own = spec_field.name in ("pii", "decoy", "email_wraps")
                        extra = {"value", "body"} if own else set()
                        unknown = slots(template) - known - extra
                        assert not unknown, (language, intent, spec_field.name, template)
            assert max(text.key_steps) < len(text.steps)
