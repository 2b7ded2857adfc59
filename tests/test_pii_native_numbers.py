"""The compiled number detectors (native/pii/src/numbers.rs) find exactly what the Python
ones in `_numbers`, `_phones` and `_checks` find: phone numbers, cards, SSNs and IPv4
addresses in digit clusters, IBANs and IPv6 addresses."""

from __future__ import annotations

from honing.datasets.pii._numbers import (
    clusters,
    detect_ibans,
    detect_ipv6,
    numbers_in_clusters,
)
from pii_native_texts import compiled  # noqa: E402

_core = compiled()

from pii_native_texts import assert_same  # noqa: E402

# Edge cases met while porting: look-behinds and look-aheads at window and text ends,
# Python's `$` before a final newline, non-ASCII digits and letters, document words,
# extensions, signatures, SSN words before and after, versions, IBAN cuts, IPv6 forms.
EDGE_TEXTS = [
    "",
    "Call me at (415) 555-0132 x204 or +44 20 7946 0958, ext. 12.",
    "Tel: 0612345678\nFax: 020 7946 0958\nM: 06 12 34 56 78",
    "invoice 4155550132, order no. 0612345678, alt no. 0612345678, ref: 020 7946 0958",
    "Bestellnummer 0612345678 und Telefonnummer 0612345678; l'ordine 0612345678",
    "INV-0612345678 #0612345678 # 4155550132",
    "Worcester, MA 01626-5976 and 01626-5976",
    "order 112-1234567-1234567 and 112-1234567-1234567",
    "0049 40 380020 and 00 49 40 380020 and 0044207946095812345 and +1 415 555 0132 4455 66",
    "+(44) 20 7946 0958 (+44) 20 7946 0958 +44 (20 7946 0958",
    "Thanks,\nAnna\n> 0612345678\n",
    "Best regards\nJan\n\n\n12 34 56 78\n",
    "Is 612 345 678 still the right number for you? 612-345-678 is my mobile",
    "Meine neue Handynummer lautet 0151 23456789. Ruf mich an: 612 34 56 78",
    "4111 1111 1111 1111 2024 and 4111-1111-1111-1111 and 4111111111111111 and 5500 0000 0000 0004",
    "card 4111 1111-1111 1111, 378282246310005, 6011111111111117, 3530111333300000",
    "NL43 KNAB 0441 0876 70 and DE89 3704 0044 0532 0130 00 and GB82WEST12345698765432",
    "ES68\n3979 7567 4111 1111 1111 1111\nES68 3979 7567 4111 1111 1111 1111",
    "SSN 123-45-6789, 078-05-1120, 666-12-3456, 900-12-3456, 123-00-6789 and 123-45-0000",
    "SSN? The full one is 123456789. Social Security no. 123 45 6789",
    "SSN on file; order no. 123456789. It lists 123 45 6789 as the social security number",
    "ss#123456789 and sozialversicherung 123 45 6789 and social  security 123456789",
    "123-45-6789-1 and 123-45-6789.5 and x123-45-6789 and 123-45-6789a",
    "server at 10.2.0.1; upgraded to 10.2.0.1. v 192.168.1.1 host 192.168.1.1",
    "192.168.001.1 256.1.1.1 1.2.3.4.5 1.2.3.4. 01.2.3.4 0.0.0.0",
    "2001:db8::1 fe80::1%eth0 ::1 :: 1::2::3 2001:db8:0:0:0:0:2:1 ::ffff:1.2.3.4",
    "from 2001:db8::1: connection refused; abcd:ef01:2345:6789:abcd:ef01:2345:6789:1",
    "a:b:c 12:30:45 1:2:3:4:5:6:7:8 1:2:3:4:5:6:7:8:9 ::: 1::: dead:beef::cafe",
    "Zahl ٤١١١ ١١١١ ١١١١ ١١١١ und ٠٦١٢٣٤٥٦٧٨ und Tel: ０６１２３４５６７８",
    "DE٨٩ 3704 0044 0532 0130 00 and 1٢3-45-6789 and 192.١68.1.1",
    "İstanbul Tel: 0212 123 45 67; Ἀθῆναι τηλ 210 1234567",
    "call 415.555.0132 or 1-800-555-0199 or 1 (800) 555 0199 or (11) 91234-5678",
    "Phone:\t+49\t30\t1234567\nPHONE: +49 30  1234567 EXT 55",
    "contract number is 0612345678 and my number is 0612345678",
    "12/05/2024 12.05.2024 2024-05-12 1234 5678 9012 3456",
]


def test_clusters_port_matches_python():
    assert assert_same(
        lambda t, low: numbers_in_clusters(t, low, clusters(t)),
        lambda t, low: _core.numbers_in_clusters(t, low)) > 0


def test_numbers_in_clusters_edge_cases():
    assert assert_same(
        lambda t, low: numbers_in_clusters(t, low, clusters(t)),
        lambda t, low: _core.numbers_in_clusters(t, low),
        corpus=EDGE_TEXTS + [t.upper() for t in EDGE_TEXTS]) > 0


def test_ibans():
    assert assert_same(lambda t, low: detect_ibans(t),
                       lambda t, low: _core.detect_ibans(t, low)) > 0


def test_ibans_edge_cases():
    assert assert_same(lambda t, low: detect_ibans(t),
                       lambda t, low: _core.detect_ibans(t, low),
                       corpus=EDGE_TEXTS + [t.upper() for t in EDGE_TEXTS]) > 0


def test_ipv6():
    assert assert_same(lambda t, low: detect_ipv6(t),
                       lambda t, low: _core.detect_ipv6(t, low)) > 0


def test_ipv6_edge_cases():
    assert assert_same(lambda t, low: detect_ipv6(t),
                       lambda t, low: _core.detect_ipv6(t, low),
                       corpus=EDGE_TEXTS + [t.upper() for t in EDGE_TEXTS]) > 0
