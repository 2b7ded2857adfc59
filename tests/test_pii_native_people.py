"""The compiled person-name detector (`_core.detect_people`, native/pii/src/people.rs) finds
exactly what the Python one (`_people.detect_people`) finds."""

from __future__ import annotations

from honing.datasets.pii._people import detect_people
from pii_native_texts import assert_same, compiled

_core = compiled()

# Edge cases: sign-off phrases and lines, dashes, honorifics, intros with look-aheads,
# weak intros before a given name, "here", display names, non-ASCII and CRLF offsets.
EDGE = [
    "Dear Mrs. Anna Kovacs,\nthanks for the update.\n\nBest regards,\nJohn Smith",
    "Hi Anna,\nsee below.\nCheers, Mark",
    "thanks Anna!",
    "Thanks\nAnna Kovacs",
    "Thank you so much!\n\nmaria garcía márquez\n",
    "kind regards anna kovacs",
    "thanks - anna",
    "— Anna\n",
    "--\nAnna Kovacs",
    "- plan renewed\n- anna kovacs\n",
    "intro\n-\nAnna Kovacs\n\nmore",
    "My name is Anna Kovacs.",
    "my name - anna kovacs",
    "in my husband's name, anna kovacs.",
    "Name: Jean-Luc O'Brien\nPhone: 555",
    "I spoke with Anna Kovacs yesterday.",
    "i spoke to anna.",
    "spoke w/ anna kovacs",
    "Customer: g. vasseur\nAgent: honestly the old plan was fine",
    "customer: anna\n",
    "caller: anna kovacs.",
    "Hi, this is Anna Kovacs.",
    "this is urgent, please call",
    "It's Theodore, from billing.",
    "i'm theodore, ok",
    "I am \nanna kovacs",
    "Anna Kovacs here, following up",
    "hi, s. hoekstra here.",
    "Anna Kovacs <anna@example.org> wrote:",
    "Support Team <support@acme.com>",
    "\"kovacs, anna\" <ak@kovacs.hu>",
    "Dr. Smith will see you. 200 ms later, karen m. whitfield arrived. M. Dupont too.",
    "sig.ra rossi, gent.mo bianchi and dott.ssa verdi",
    "Sehr geehrte Damen und Herren,",
    "Dear Acme Pay Team,",
    "Buenos días, Ana:\nGracias",
    "good morning, anna!",
    "on behalf of my father, anna kovacs.",
    "someone called anna kovacs and i called yesterday",
    "please add anna kovacs as an authorised user; add milk",
    "Ms Jones asked, miss smith.",
    "Grüße aus Köln — Ἀθῆναι, İstanbul: Hallo Jürgen,\nGrüße\nJürgen Müller",
    "Hello Anna,\r\nRegards,\r\nJohn Smith\r\n",
    "anna smith lives on queen anne road; john st. james",
    "sent by john a. doe and mary j smith",
    "Thanks,\n\n> Anna Kovacs\n> ACME",
    "cc anna.smith@example.com",
    "attn: anna kovacs",
    "Titular: ANNA KOVACS",
    "card holder name: anna kovacs", "card holder name:anna kovacs", "holder name anna kovacs",
    "i spoke w/ anna kovacs", "my name is\u0301 anna kovacs", "cc\u00b2 anna kovacs",
    "signed by\u200d anna kovacs", "jose\u0301 garcia, thanks\u00a0anna\x1cx",
    "Anna Kovacs here\n12 Queen Street",  # only an address word opens the gate
    "thanks thanks, regards regards, no line here",
    "",
    "thanks",
]


def _python(text: str, low: str):
    return detect_people(text, low)


def _native(text: str, low: str):
    return _core.detect_people(text, low)


def test_people_edge_cases():
    assert assert_same(_python, _native, corpus=EDGE) > 0


def test_people():
    assert assert_same(_python, _native) > 0
