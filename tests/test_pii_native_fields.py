"""The compiled labelled-field and date-of-birth detectors (native/pii/src/fields.rs) find
exactly what the Python ones (_fields.py, _dates.py) find."""

from __future__ import annotations

from honing.datasets.pii._dates import birth_windows, dates_of_birth
from honing.datasets.pii._fields import detect_fields
from pii_native_texts import (
    assert_same,
    compiled,  # noqa: E402
)

_core = compiled()


def _python_dates_of_birth(text: str, low: str) -> list:
    return list(dates_of_birth(low, w)) if (w := birth_windows(low)) else []


# Edge cases: quoting, CSV dialect corners, keys of one to three words, values that are not
# values, dates in every shape near birth words and non-ASCII offsets.
EDGES = [
    'name: Ana Lima\nfull name: "Chloé Tremblay" dob=1967-02-09 address=12 Rua Augusta, 1100',
    "event=profile_update name=\"Chloé Tremblay\" dob=1967-02-09 addr=12 rue x; more",
    "Customer Name: Jean-Baptiste Marchetti\nDate of Birth: 14th of March 1987\n",
    "account holder: maria de la cruz\nholder: ana\ncardholder = O'Brien-Smith",
    "name: the field was empty\nname: null\nname: <redacted>\nname: [name]\ndob: n/a",
    "Grüße aus Köln — Ἀθῆναι, İstanbul: name: Ana Lima, dob: 07-Apr-1968, geboren am 9 oktober 1962",
    "name,address,dob\nAna Lima,\"12 Rua Augusta, Lisboa\",1967-02-09\n\"O\"\"Brien, Pat\",x,y\n",
    "name;dob;email\r\nAna Lima;05/ott/1938;a@b.c\r\nBo Li;1.2.1990;\r\n\r\n",
    "id\tname\tdob\n1\tAna Lima\t2001-01-01\n2\t\"Bo\t3\n",
    "nombre,fecha_de_nacimiento\n\"Ana,\"x\",1999-12-31\nana lima,\"\n",
    "born on March 5th, 1990. DOB: 1990-03-05? The order placed on 2024-01-02.",
    "Could you confirm the date of birth on the account? We have 1987-03-14.",
    "d.o.b. 5 de mayo de 1980, né le 3 août 1950, nacido el 12/03/85, født 01.02.2003",
    "fødselsdato: 1.1.1970 födelsedatum 1970-01-01 data urodzenia 2 maj 1980 syntymäaika x",
    "dob: 2024-01-02-03 dob: 12:30 time=12:30 url=http://x.y name = bob   smith  dob=x",
    "name=ana lima dob=1967-02-09 city=lisboa\nname = 'j. r. r. tolkien'\nname: a lima",
    "address: 12 Main St | name: x\nstreet=  4 Elm Road   zip=12345\naddress: @12 abcd",
    "  \"contact\":\"Ana Lima\", \"birthday\": \"March 14, 1987\", 'addr': '1 a b c d'",
    "name,\n,\nx,y\nname,nom\n",
    # Python's \w holds '½' and '²' (Rust's does not); str.isdigit takes '²' but not '½'
    "½date of birth né le' = ß;9 oktober 1962 ²dob 1990-01-01 dob: ½ 1990-01-01 cita",
    "date of birth: vor der cita 1990-01-01, fødselsdato½;05/ott/1938 born ² 3/4/85",
    "bornaci 1990-01-01 dobirth 1990-01-02 addr: ² abcd ½ name: ann\u0301 lee",
    "DOB:" + "x" * 300 + "\nNAME: ANA LIMA\nDOB 1987-03-14\r\nBIRTHDATE=14.03.1987",
]


def test_dates_of_birth():
    native = lambda text, low: _core.dates_of_birth(text, low)  # noqa: E731
    assert assert_same(_python_dates_of_birth, native, corpus=EDGES) > 0
    assert assert_same(_python_dates_of_birth, native) > 0


def test_detect_fields():
    native = lambda text, low: _core.detect_fields(text, low)  # noqa: E731
    assert assert_same(detect_fields, native, corpus=EDGES) > 0
    assert assert_same(detect_fields, native) > 0
