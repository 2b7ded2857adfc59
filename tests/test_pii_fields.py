"""Personal data in labelled fields (JSON, key=value logs, form lines, CSV exports): the
key says what the value is, and the value must have the shape of one."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from honing.datasets import pii
from honing.datasets.pii._fields import detect_fields
from honing.datasets.pii._numbers import lowered


def fields(text: str) -> list[tuple[str, str]]:
    return [(s.entity, text[s.start:s.end]) for s in detect_fields(text, lowered(text))]


@pytest.mark.parametrize("text, expected", [
    ('{"customer_name": "Ingrid Solberg", "plan": "team"}', [("PERSON", "Ingrid Solberg")]),
    ("{'full_name': 'Tomás Ó Briain', 'seats': 4}", [("PERSON", "Tomás Ó Briain")]),
    ('level=info msg="profile saved" first_name=Kwame last_name=Mensah',
     [("PERSON", "Kwame"), ("PERSON", "Mensah")]),
    ("audit user=42 name=Rosa Delgado dob=1979-11-23 ok=true",
     [("PERSON", "Rosa Delgado"), ("DATE_OF_BIRTH", "1979-11-23")]),
    ('"date_of_birth": "14/07/1982"', [("DATE_OF_BIRTH", "14/07/1982")]),
    ("Birthdate = 2 March 1990", [("DATE_OF_BIRTH", "2 March 1990")]),
    ("Shipping address: 4 Rue Oberkampf, 75011 Paris\nNotes: leave at door",
     [("STREET_ADDRESS", "4 Rue Oberkampf, 75011 Paris")]),
    ('billing_address="Plac Zbawiciela 5, 00-573 Warszawa" currency=PLN',
     [("STREET_ADDRESS", "Plac Zbawiciela 5, 00-573 Warszawa")]),
    ("Account holder: Mei-Ling Chou", [("PERSON", "Mei-Ling Chou")]),
    ("Vorname: Lukas\nNachname: Brandt", [("PERSON", "Lukas"), ("PERSON", "Brandt")]),
    ("nombre_completo=Lucía Ferrer Pons", [("PERSON", "Lucía Ferrer Pons")]),
])
def test_labelled_values_are_found(text, expected):
    assert fields(text) == expected


def test_csv_columns_named_as_personal_data_are_found_under_their_header():
    text = ("ticket;Customer name;Adresse;Geburtsdatum;Status\n"
            "T-1;Jonas Weber;Lindenstraße 8, 04109 Leipzig;03.04.1971;open\n"
            'T-2;Aylin Demir;"Bahnhofstr. 2; 8001 Zürich";1988-12-30;closed\n'
            "\nsummary: two tickets")
    assert fields(text) == [
        ("PERSON", "Jonas Weber"), ("STREET_ADDRESS", "Lindenstraße 8, 04109 Leipzig"),
        ("DATE_OF_BIRTH", "03.04.1971"), ("PERSON", "Aylin Demir"),
        ("STREET_ADDRESS", "Bahnhofstr. 2; 8001 Zürich"), ("DATE_OF_BIRTH", "1988-12-30")]


def test_a_bare_name_column_needs_a_known_given_name():
    # jobs, plans and files have names too: under a plain `name` key only a value that
    # starts with a given name the lexicon knows is taken for a person
    text = "id,name,owner\n1,Jonas Weber,ops\n2,Aylin Demir,ops\n3,Nightly Export,ops\n"
    assert fields(text) == [("PERSON", "Jonas Weber")]


@pytest.mark.parametrize("text", [
    "job name=nightly-export status=ok",          # a name that is an identifier
    '{"name": "Starter Plan", "price": 9}',       # a bare `name` with no known name in it
    "customer_name: null", 'full_name: ""', "full_name=<PERSON_1>", "dob: [DATE_OF_BIRTH]",
    "dob=unknown", "date_of_birth: n/a",
    "address: 10.0.0.12",                         # an IP address, not a street
    "ip_address=203.0.113.9", "email_address: a@b.example",
    '"address": "https://example.com/a/1"',
    "Customer: hi, I need help with my invoice", "Agent: sure, one moment",
    "at 12:30 the name: field was empty", "see https://x.example/name=Pat",
    "name\nAnna Berg",                            # one column is not a table
])
def test_fields_that_are_not_personal_data_are_left_alone(text):
    assert fields(text) == []


def test_fields_join_the_other_detectors_through_detect():
    text = 'event=signup customer_name="Chidi Okafor" email=chidi@example.org dob=1991-05-06'
    assert [(s.entity, text[s.start:s.end]) for s in pii.detect(text)] == [
        ("PERSON", "Chidi Okafor"), ("EMAIL", "chidi@example.org"),
        ("DATE_OF_BIRTH", "1991-05-06")]


def _respace(text: str, runs: list[int]) -> tuple[str, list[int]]:
    """`text` with its i-th space replaced by runs[i] spaces, and the old->new offset map."""
    out, mapping, space = [], [], 0
    for char in text:
        mapping.append(sum(len(piece) for piece in out))
        if char == " ":
            out.append(" " * runs[space % len(runs)])
            space += 1
        else:
            out.append(char)
    mapping.append(sum(len(piece) for piece in out))
    return "".join(out), mapping


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([
    'level=info name="Noor Haddad" dob=1984-02-29 addr="22 Kings Road, Brighton BN1 2AA"',
    "Full name: Sven Lindqvist\nAddress: Storgatan 12, 111 22 Stockholm\nDOB: 1975-06-01",
    "id,name,address\n7,Ana Ruiz,Calle Mayor 3 28013 Madrid\n",
]), st.lists(st.integers(1, 3), min_size=1, max_size=5))
def test_case_and_spacing_do_not_change_what_is_found(text, runs):
    original = [(s.start, s.end, s.entity) for s in detect_fields(text, lowered(text))]
    changed, mapping = _respace(text.upper(), runs)
    found = [(s.start, s.end, s.entity) for s in detect_fields(changed, lowered(changed))]
    assert original
    assert [e for _, _, e in found] == [e for _, _, e in original]
    assert [s for s, _, _ in found] == [mapping[s] for s, _, _ in original]
