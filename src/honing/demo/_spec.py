"""The shapes of the phrase tables: per-intent text and per-language common phrases.

Templates are `str.format_map` strings over an item's facts (see `_vocab.make_facts`).
Keeping all wording in data, separate from the conversation logic, is what lets a
German or Spanish conversation follow exactly the same tool flow as an English one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Pattern = Literal["act", "resolve", "advise"]


@dataclass(frozen=True)
class IntentMeta:
    """Language-independent behaviour of an intent."""

    name: str
    weight: int
    action: str  # the tool that actually fixes the problem
    diagnose: str | None  # a read-only tool that checks the problem first
    patterns: tuple[tuple[Pattern, int], ...]  # conversation arcs with weights
    v2_bias: Literal["better", "worse", "even"]  # where the v2 candidate is stronger


@dataclass(frozen=True)
class IntentText:
    """Everything said in one intent's conversations, in one language."""

    openers: tuple[str, ...]
    clarify_questions: tuple[str, ...]
    clarify_answers: tuple[str, ...]
    lookup_confirms: tuple[str, ...]  # assistant after lookup_user, offering the action
    steps: tuple[str, ...]  # the complete fix, in order
    key_steps: tuple[int, ...]  # steps an incomplete answer leaves out
    precise_note: str  # what the most careful answer adds (cites the KB passage)
    resolve_ok: str  # the action succeeded
    resolve_next: str  # what the user does after the action
    resolve_error: str  # the action failed
    claim_done: tuple[str, ...]  # hallucinated claim that the action is done
    hallucinations: tuple[str, ...]  # invented policies, settings or KB articles
    unsafe: tuple[str, ...]  # advice that breaks security policy or leaks data
    interim_advice: tuple[str, ...] = ()  # a first suggestion before the full fix
    still_failing: tuple[str, ...] = ()  # user says the suggestion did not help
    diag_notes: dict[str, str] = field(default_factory=dict)  # per diagnosed state


@dataclass(frozen=True)
class CommonText:
    """Phrases shared by all intents of one language."""

    user_prefixes: tuple[str, ...]
    user_suffixes: tuple[str, ...]
    email_wraps: tuple[str, ...]  # "{body}" inside a greeting and sign-off
    id_in_opener: tuple[str, ...]
    ask_id: tuple[str, ...]
    provide_id: tuple[str, ...]
    confirm_go: tuple[str, ...]
    act_prefaces: tuple[str, ...]  # short text beside an action tool call
    steps_intro: tuple[str, ...]
    closings: tuple[str, ...]
    ask_again: tuple[str, ...]  # redundant question: the incomplete "act" answer
    error_fallback: str
    generic_error: str
    terse_intro: str
    diag_failed: str
    labels: dict[str, str]  # method codes -> words
    pii: dict[str, tuple[str, ...]]  # entity type -> sentences with "{value}"
    decoy: tuple[str, ...]  # sentences with a card-like number that fails Luhn
