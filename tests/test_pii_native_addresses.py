"""The compiled address detector (`_core.detect_addresses`) finds exactly what the Python one
(`_addresses.detect_addresses`) finds."""

from __future__ import annotations

from honing.datasets.pii._addresses import detect_addresses
from pii_native_texts import (
    assert_same,
    compiled,  # noqa: E402
)

_core = compiled()

# Shapes and edge cases the generated texts may not hold.
EDGE = [
    "Ship to: 221B Baker Street, London NW1 6XE, UK",
    "please send it to 1600 Pennsylvania Avenue NW, Washington, DC 20500-0003 asap",
    "Meine Anschrift lautet: Friedrich-Ebert-Allee 12, 53113 Bonn.",
    "wohne jetzt in der hauptstraße 5a\n10115 berlin",
    "Am Kirchberg Weg 3\n80331 München",
    "unter den eichen 12, 12345 berlin senden",
    "am mühlbach 7\n8010 graz senden",
    "Calle Mayor 5, 3º B, 28013 Madrid, España",
    "c/ alcalá 20, 3º b",
    "12 rue de la paix, 75002 paris, france",
    "3 avenida de mayo 1200, buenos aires",
    "via roma 10, 00184 roma italia",
    "keizersgracht 123\n1015 cj amsterdam",
    "P.O. Box 1234, Springfield, IL 62704",
    "Postfach 10 20 30, 50667 Köln",
    "Flat 12, 34 Long Road\nManchester M1 2AB",
    "plot 7, 12345 lagos 23401",
    "số 12 đường lê lợi,\nphường bến nghé, quận 1",
    "〒100-0005 東京都千代田区丸の内1-1-1.",
    "1-2-3 nishi, shinjuku-ku, tokyo 160-0023",
    "hello, 1-2-3 nishi, shinjuku-ku",
    "1-2-3 nishi, shinjuku-ku",
    "our e-mail address: 12 main street is not an address",
    "ship to 7 oak drive",
    "we had 3 hard drive failures",
    "the new office is at 100 King St W, Toronto, ON M5X 1A9",
    "42 wallaby way, sydney nsw 2000",
    "Address:\n  10 Downing Street\n  London SW1A 2AA\n\ncreated: today",
    "address: 12.5 apples",
    "musterweg 5",
    "see musterweg 5\nthanks",
    "Straße 12,\tBerlin",
    "Lindenstraße\t7\n10969\tBerlin",
    "1600 pennsylvania avenue nw suite 200, washington, dc 20500",
    "5 main st., apt. 4b\nspringfield, il 62704, usa",
    "Delivery: 10 high street u.s.a. then",
    "12 high street, u.s.a.x",
    "mail to: 5 rue du bac, 75007 paris, france.",
    "adresse: 8 boulevard haussmann 75009 paris",
    "address is 12 main street" + " " * 50 + "springfield",
    "12 main street,\n",
    "Room 5, Building 7\nTech Park 560103",
    "send to p.m.b. 1234, ikeja 100001, lagos",
    "İstanbul 34000 — 12 Bağdat Caddesi street, 34000 istanbul",
    "12-14 main st, 135/b rue de rivoli, 83-2 calle mayor and 12 bis rue de la paix",
    "12 ter avenue foch, 75116 paris",
    "Vesterbrogade 12, 3. th., 1620 København V",
    "c/ mayor 5, 4º dcha., 28013 madrid",
    "calle sol 3, bajo, 41001 sevilla",
    "rua augusta 100, bloco a, apto 12, lisboa",
    "p.o.box 12 and b.p. 123 dakar and apartado de correos 123 and casella postale 45",
    "1600 amphitheatre pkwy, mountain view, ca 94043",
    "10 downing st., london sw1a 2aa",
    "unit 5, 12 george st, sydney nsw 2000, australia",
    "500 main st n, apt 4\nanytown, ny 12345-6789",
    "flat 3, 12 hill road\nlondon\nsw1a 1aa",
    "hauptstr. 12, 1010 wien, österreich; bahnhofstrasse 1, 8001 zürich, schweiz",
    "am markt 3, 12345 neustadt",
    "zum see 4\n12345 ort",
    "123/4 nguyễn huệ, phường bến nghé, quận 1, tp. hồ chí minh",
    "moved to 4 privet drive, little whinging",
    "12 main street street and 12 north main street south",
    "email address: foo@bar.com 12 x",
    "ip address is 10.0.0.1",
    "address: 12 main st\n> 2nd line\n> 12345 town",
    "see keizersgracht 123",
    "hauptstraße\t5\n10115 berlin",
    "dear anna, 〒 100-0005 tokyo",
    "Address: 5 Rue X.\nName: Y",
    "send to 1234 ave. of the americas, ny, ny 10020",
    "12 the green, 3 of the road, 4 park",
    "1 place vendôme 75001 paris",
    "ship it to: 742 evergreen terrace, springfield, or 97403",
    "12345 berlin 10115 main street",
    "visit us at 10 market st., 2nd floor",
    "my address is 12 rue x, 75001 la plaine saint denis",
    "address is 4 weg 12,\n12345 bad homburg vor der höhe",
]


def test_addresses():
    assert assert_same(detect_addresses, _core.detect_addresses) > 0


def test_addresses_edge_cases():
    texts = EDGE + [t.upper() for t in EDGE] + [t.replace(" ", "  ") for t in EDGE]
    assert assert_same(detect_addresses, _core.detect_addresses, corpus=texts) > 0
