//! Port of `_addresses.py`: STREET_ADDRESS by a small postal grammar (street line, unit,
//! city, region, postal code, country), labelled address blocks, unit-first blocks and
//! Japanese addresses. Reads the lower-cased text only. The helpers it shares with
//! `_people.py` (`lexicon`, `context_hits`, `positions`) and `_span.resolve_overlaps` are
//! private copies here; `context_hits` keeps the name detector's words too, since the
//! detector returns nothing when the text holds neither detector's words.
//!
//! Patterns with look-arounds run on fancy-regex (backtracking, as Python's `re`). Each has a
//! "relaxed" twin for the regex crate with its negative look-arounds removed, which matches
//! wherever the real pattern does (and more): it rules out places cheaply before the
//! backtracking engine is asked. The street shapes open with a look-behind; they are run
//! place by place (`Stepped`), checking the look-behind here and the rest anchored.

use std::collections::HashSet as StdHashSet;
use std::hash::{BuildHasherDefault, Hasher};

use fancy_regex::{Regex as Fancy, RegexBuilder as FancyBuilder};
use once_cell::sync::Lazy;
use pyo3::prelude::*;
use regex::Regex;

use crate::people::lexicon;
use crate::text::{py, python_word_classes, to_py, PySpans, Side, Span, Text};

const ENTITY: &str = "STREET_ADDRESS";

/// FNV-1a: the sets hold short words, looked up once per word of every text.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            hash = (hash ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

type HashSet<T> = StdHashSet<T, BuildHasherDefault<Fnv>>;

// ----------------------------------------------------------------------------------------
// Lexicons and the gate words (copies of `_people.lexicon`, `_people.context_hits`)


fn stop(word: &str) -> bool {
    lexicon("stopwords").contains(word)
}

// _people.py's trigger words: `context_hits` returns the words of either detector, and the
// address detector returns nothing at all when the text holds none of them.
const P_SALUTE_STRONG: &[&str] = &["dear", "geehrte", "geehrter", "cher", "chère", "chers",
    "estimado", "estimada", "querido", "querida", "liebe", "lieber", "gentile", "caro", "cara",
    "beste", "geachte"];
const P_SALUTE_WEAK: &[&str] = &["hi", "hello", "hey", "hallo", "hola", "bonjour", "ciao",
    "salut", "morning", "afternoon", "evening", "greetings", "howdy", "moin", "servus",
    "buongiorno", "bonsoir", "días", "dias", "tardes", "grüezi", "hoi", "yo"];
const P_SIGN_OFFS: &[&str] = &["thanks", "thank", "regards", "cheers", "sincerely", "best",
    "yours", "cordialement", "saludos", "saludo", "grüße", "grüßen", "gruß", "grüsse", "grüssen",
    "atentamente", "saluti", "groeten", "merci", "gracias", "danke", "grazie", "bedankt", "thx",
    "ty", "wishes", "salutations", "respectfully", "groet", "groetjes", "saludo", "—", "--", "–",
    "-"];
const P_HONORIFICS: &[&str] = &["mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam",
    "herr", "frau", "m", "mme", "mlle", "sr", "sra", "srta", "señor", "senor", "señora", "senora",
    "signor", "signora", "sig", "dott", "dhr", "mevr", "mevrouw", "meneer", "monsieur", "madame",
    "professor", "doctor", "doktor", "rev", "fr", "lady", "lord", "dame", "sig.ra", "sig.na",
    "gent.ma", "gent.mo", "dott.ssa"];
const P_INTRO: &[&str] = &["name", "llamo", "m'appelle", "heiße", "heisse", "chiamo", "nombre",
    "holder", "cardholder", "karteninhaber", "titular", "signed", "behalf", "attn", "attention",
    "c/o", "ansprechpartner", "spoke", "speaking", "talked", "ask", "cc", "from", "contact",
    "agent", "nom", "vorname", "nachname", "customer", "caller", "add", "requester", "recipient",
    "empfänger", "destinataire", "destinatario", "naam", "nome", "called", "named"];
const P_COLON_ONLY: &[&str] = &["from", "attention", "contact", "agent", "customer", "requester",
    "recipient", "empfänger", "destinataire", "destinatario"];
const P_KIN: &[&str] = &["father", "mother", "husband", "wife", "son", "daughter", "partner",
    "brother", "sister", "colleague", "boss", "manager", "padre", "madre", "marido", "esposa",
    "esposo", "hijo", "hija", "vater", "mutter", "mann", "tochter", "sohn", "bruder", "schwester",
    "père", "mère", "mari", "femme", "fils", "fille", "frère", "soeur", "sœur", "marito", "moglie",
    "figlio", "figlia", "fratello", "sorella", "vader", "moeder", "vrouw", "zoon", "dochter"];
const P_WEAK_INTROS: &[&str] = &["this", "it's", "it’s", "soy", "sono", "c'est"];
const P_PUNCT: &[&str] = &["", ",", ":", "!", ".", ";", "?"];

static PEOPLE_GATE: Lazy<HashSet<String>> = Lazy::new(|| {
    let mut set = HashSet::default();
    let lists: [&[&str]; 7] = [P_SALUTE_STRONG, P_SALUTE_WEAK, P_SIGN_OFFS, P_HONORIFICS, P_INTRO,
                               P_KIN, P_WEAK_INTROS];
    for list in lists.iter() {
        for word in list.iter() {
            if P_KIN.contains(word) {
                continue;
            }
            for p in P_PUNCT {
                set.insert(format!("{}{}", word, p));
            }
        }
    }
    for word in P_COLON_ONLY {
        for p in P_PUNCT {
            if *p != ":" {
                set.remove(&format!("{}{}", word, p));
            }
        }
    }
    for word in P_KIN {
        set.insert(format!("{},", word));
    }
    for name in lexicon("given_names").iter() {
        for p in ["", ",", ".", "!"] {
            set.insert(format!("{}{}", name, p));
        }
    }
    set
});

// The address detector's words
const CLEAR_TYPES: &[&str] = &["street", "st", "avenue", "ave", "av", "road", "rd", "boulevard",
    "blvd", "lane", "ln", "terrace", "terr", "parkway", "pkwy", "highway", "hwy", "crescent",
    "cres", "expressway", "expy", "freeway", "fwy", "turnpike", "tpke", "alley", "aly", "straße",
    "strasse", "str", "straat", "parade", "approach", "esplanade", "promenade", "broadway"];
const VAGUE_TYPES: &[&str] = &["drive", "dr", "court", "ct", "place", "pl", "way", "square", "sq",
    "circle", "cir", "close", "row", "walk", "trail", "trl", "grove", "gardens", "gdns", "mews",
    "hill", "park", "green", "view", "point", "pike", "plaza", "loop", "run", "ridge", "wharf",
    "quay", "hollow", "heights", "crossing", "xing", "weg", "platz", "plein", "laan", "gracht",
    "kade", "singel", "dijk", "allee", "gasse", "ring", "damm", "ufer"];
const PREFIX_TYPES: &[&str] = &["rue", "avenue", "av", "avda", "avenida", "boulevard", "bd", "bvd",
    "allée", "allee", "impasse", "chemin", "quai", "place", "cours", "route", "calle", "c/", "plaza",
    "paseo", "pº", "carrer", "camino", "ronda", "travesía", "via", "viale", "piazza", "piazzale",
    "corso", "largo", "vicolo", "rua", "praça", "travessa"];
const COMPOUND_SUFFIXES: &[&str] = &["straße", "strasse", "str.", "straat", "weg", "platz",
    "plein", "laan", "gracht", "kade", "singel", "dijk", "allee", "gasse", "damm", "ufer", "steig",
    "pfad", "markt", "vej", "vejen", "gade", "gaden", "boulevarden", "allé", "plads", "torv",
    "stræde", "-ring", "-allee", "-platz"];
const BOX_WORDS: &[&str] = &["box", "postfach", "apartado", "postbus", "postale", "bp"];
const LABEL_WORD_BASES: &[&str] = &["address", "adres", "adresse", "anschrift", "indirizzo",
    "dirección", "direccion", "endereço", "afleveradres", "lieferadresse", "ship", "deliver",
    "moved", "relocated", "send", "mail"];
const ADDRESS_WORDS: &[&str] = &["address", "adress", "live at", "lives at", "living at",
    "located at", "ship to", "shipping", "deliver", "mail to", "send to", "sent to", "anschrift",
    "adresse", "dirección", "direccion", "domicilio", "indirizzo", "adres", "wohne", "office at",
    "visit us", "moved to", "residing"];
const OTHER_ADDRESSES: &[&str] = &["mail", "ip", "mac", "web", "wallet", "server", "contract",
    "return"];
const BLOCK_STARTS: &[&str] = &["flat", "plot", "room", "số", "p.m.b.", "phường", "quận"];
const PARTICLE_WORDS: &[&str] = &["de", "del", "la", "des", "du", "d'", "l'", "le", "los", "las",
    "di", "della", "dei", "degli", "delle", "da", "do", "dos", "das", "van", "der", "den", "am",
    "an", "im", "zum", "zur", "of", "the", "y", "st", "st."];
const STREET_OPENERS: &[&str] = &["am", "im", "zum", "zur", "auf", "an", "in", "op", "aan", "alte",
    "alter", "neue", "neuer", "große", "kleine", "obere", "untere"];
const CITY_JOINERS: &[&str] = &["am", "an", "der", "de", "la", "del", "sur", "upon", "on", "im",
    "in", "di", "les", "en"];
const CITY_OPENERS: &[&str] = &["san", "santa", "santo", "são", "new", "den", "los", "las", "la",
    "le", "bad", "st", "st.", "saint", "sainte", "sankt", "el", "port", "fort", "mount", "east",
    "west", "north", "south", "great", "little"];

fn variants(words: &[&[&str]]) -> HashSet<String> {
    let mut set = HashSet::default();
    for list in words {
        for w in list.iter() {
            for p in ["", ".", ",", ".,", ";", ":"] {
                set.insert(format!("{}{}", w, p));
            }
        }
    }
    set
}

static SUFFIX_WORDS: Lazy<HashSet<String>> = Lazy::new(|| variants(&[CLEAR_TYPES, VAGUE_TYPES]));
static PREFIX_WORDS: Lazy<HashSet<String>> = Lazy::new(|| variants(&[PREFIX_TYPES]));
static BOX_GATE: Lazy<HashSet<String>> = Lazy::new(|| variants(&[BOX_WORDS]));
static LABEL_WORDS: Lazy<HashSet<String>> = Lazy::new(|| variants(&[LABEL_WORD_BASES]));
static VAGUE: Lazy<HashSet<&'static str>> = Lazy::new(|| {
    let mut set: HashSet<&'static str> = VAGUE_TYPES.iter().copied().collect();
    set.extend(["via", "corso", "largo", "place", "route", "cours", "ronda", "camino", "plaza"]);
    set
});
/// The gate words other than house numbers, the longest of them in bytes, and a filter of
/// their (length, first byte, last byte) that rules out most words without hashing them.
struct Gate {
    words: HashSet<String>,
    longest: usize,
    filter: Vec<u64>,
}

fn gate_key(token: &[u8]) -> usize {
    (token.len() * 0x9E37 + token[0] as usize * 0x1F3 + token[token.len() - 1] as usize) & 0xFFFF
}

static GATE_WORDS: Lazy<Gate> = Lazy::new(|| {
    let mut words: HashSet<String> = HashSet::default();
    words.extend(SUFFIX_WORDS.iter().cloned());
    words.extend(PREFIX_WORDS.iter().cloned());
    words.extend(BOX_GATE.iter().cloned());
    words.extend(LABEL_WORDS.iter().cloned());
    words.extend(BLOCK_STARTS.iter().map(|w| w.to_string()));
    let longest = words.iter().map(|w| w.len()).max().unwrap_or(0);
    let mut filter = vec![0u64; 1024];
    for word in &words {
        let key = gate_key(word.as_bytes());
        filter[key >> 6] |= 1 << (key & 63);
    }
    Gate { words, longest, filter }
});

fn is_trigger(token: &str) -> bool {
    SUFFIX_WORDS.contains(token) || PREFIX_WORDS.contains(token) || BOX_GATE.contains(token)
}

/// `token in _HOUSE_NUMBERS`: 1..999, then "", a, b, c, -bis or -1..-9, then "" or ",".
fn is_house_number(token: &str) -> bool {
    let t = token.strip_suffix(',').unwrap_or(token);
    let bytes = t.as_bytes();
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 3 || bytes[0] == b'0' {
        return false;
    }
    let rest = &t[digits..];
    matches!(rest, "" | "a" | "b" | "c" | "-bis")
        || (rest.len() == 2 && rest.as_bytes()[0] == b'-' && (b'1'..=b'9').contains(&rest.as_bytes()[1]))
}

fn is_gate_word(token: &str) -> bool {
    let gate = &*GATE_WORDS;
    let bytes = token.as_bytes();
    if bytes.is_empty() || bytes.len() > gate.longest {
        return false;
    }
    if bytes[0].is_ascii_digit() {
        return is_house_number(token);
    }
    let key = gate_key(bytes);
    gate.filter[key >> 6] & (1 << (key & 63)) != 0 && gate.words.contains(token)
}

/// Python's `str.split()` with no argument: the runs of non-whitespace, with their byte
/// offsets.
fn split_words(s: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = s.as_bytes();
    // the width of the blank at byte i, or 0 if a word character starts there
    let blank = move |i: usize| -> usize {
        let b = bytes[i];
        if b < 0x80 {
            return if matches!(b, 9..=13 | 28..=32) { 1 } else { 0 };
        }
        let c = s[i..].chars().next().unwrap();
        if py::isspace(c) { c.len_utf8() } else { 0 }
    };
    let mut i = 0;
    std::iter::from_fn(move || {
        loop {
            if i >= bytes.len() {
                return None;
            }
            let width = blank(i);
            if width == 0 {
                break;
            }
            i += width;
        }
        let start = i;
        while i < bytes.len() && blank(i) == 0 {
            i += 1;
            while i < bytes.len() && (bytes[i] & 0xC0) == 0x80 {
                i += 1; // inside a code point
            }
        }
        Some((start, &s[start..i]))
    })
}

/// The address detector's words in `low` (`context_hits(low) & GATE_WORDS`), distinct: the
/// words of `split_words`, found in one pass over the bytes (ASCII blanks by a table).
fn address_hits(low: &str) -> Vec<&str> {
    let bytes = low.as_bytes();
    let n = bytes.len();
    let mut found: Vec<&str> = Vec::new();
    // the width of the blank at byte i, or 0 if a word character starts there
    let blank = |i: usize| -> usize {
        let b = bytes[i];
        if b < 0x80 {
            return ASCII_BLANK[b as usize] as usize;
        }
        let c = low[i..].chars().next().unwrap();
        if py::isspace(c) { c.len_utf8() } else { 0 }
    };
    let mut i = 0;
    while i < n {
        let width = blank(i);
        if width > 0 {
            i += width;
            continue;
        }
        let start = i;
        i += 1;
        while i < n {
            let b = bytes[i];
            if b < 0x80 {
                if ASCII_BLANK[b as usize] != 0 {
                    break;
                }
            } else if (b & 0xC0) != 0x80 && blank(i) > 0 {
                break;
            }
            i += 1;
        }
        let token = &low[start..i];
        if is_gate_word(token) && !found.contains(&token) {
            found.push(token);
        }
    }
    found
}

/// 1 for the ASCII characters `str.isspace` holds true.
static ASCII_BLANK: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 9;
    while b <= 13 {
        table[b] = 1;
        b += 1;
    }
    let mut b = 28;
    while b <= 32 {
        table[b] = 1;
        b += 1;
    }
    table
};

/// Whether `context_hits(low)` holds any word of the name detector.
fn people_hit(low: &str) -> bool {
    split_words(low).any(|(_, token)| PEOPLE_GATE.contains(token))
}

fn isalnum_at(side: &Side, i: usize) -> bool {
    side.at(i).map_or(false, py::isalnum)
}

fn isalpha_at(side: &Side, i: usize) -> bool {
    side.at(i).map_or(false, py::isalpha)
}

/// Where `token` starts a word in `low` (copy of `_people.positions`).
fn positions(low: &Side, token: &str) -> Vec<usize> {
    let mut found = Vec::new();
    let length = token.chars().count();
    let open_end = token.chars().last().map_or(false, py::isalnum);
    let mut check = |i: usize| {
        if (i == 0 || !isalnum_at(low, i - 1)) && !(open_end && isalnum_at(low, i + length)) {
            found.push(i);
        }
    };
    // Python finds every occurrence, overlapping ones too; those of a word that no proper
    // prefix of ends are the non-overlapping ones
    let bytes = token.as_bytes();
    let overlaps = (1..bytes.len()).any(|k| bytes[..k] == bytes[bytes.len() - k..]);
    if overlaps {
        let mut index = low.find(token, 0);
        while let Some(i) = index {
            check(i);
            index = low.find(token, i + 1);
        }
    } else {
        for (byte, _) in low.s.match_indices(token) {
            check(low.c(byte));
        }
    }
    found
}

fn rstrip<'s>(s: &'s str, chars: &[char]) -> &'s str {
    s.trim_end_matches(|c: char| chars.contains(&c))
}

// ----------------------------------------------------------------------------------------
// Patterns

const G: &str = r"[ \t]+";
const W: &str = r"[^\W\d_][^\W\d_'’.\-]*(?:['’\-][^\W\d_]+)*\.?";
const NUM: &str = r"\d\d{0,4}[a-z]?(?:[ \t]*[-/][ \t]*\d{1,5}[a-z]?|/[a-z](?![\w])|-bis)?";
const NUM_START: &str = r"\d(?<![\w.,/:+#$€£\-]\d)";
const DIRECTION: &str = r"(?:n|s|e|w|ne|nw|se|sw|north|south|east|west|northeast|northwest|southeast|southwest)\.?";
const PARTICLE: &str = r"(?:de|del|de la|des|du|d'|l'|la|le|los|las|di|della|dei|degli|delle|da|do|dos|das)";
const UNIT: &str = concat!(
    r"(?:(?:,?[ \t]*|[ \t]*\n[ \t]*)(?:suite|ste\.?|apt\.?|appt\.?|apto\.?|apartment|unit|",
    r"floor|fl\.?|room|rm\.?|bldg\.?|building|dept\.?|sala|casa|bloco|piso|etage|#)",
    r"[ \t]*#?[a-z]?\d{1,5}[a-z]?(?![\w])",
    r"|,[ \t]*(?:\d{1,2}\.[ \t]*(?:th|tv|mf)\.?|st\.(?:[ \t]*(?:th|tv)\.?)?",
    r"|\d{1,2}[º°ª](?:[ \t]*(?:\d[ª°º]|[a-z]{1,4}\.?)(?![\w]))?|bajo|entlo\.?)",
    r"|,?[ \t]*bloco[ \t]+[a-z](?:,[ \t]*apto\.?[ \t]*\d{1,5})?)(?![\w])");
const SEP: &str = r"(?:[ \t]*,[ \t]*|[ \t]*\n[ \t]*|[ \t]+)";
const US_STATES: &str = "al|ak|az|ar|ca|co|ct|de|dc|fl|ga|hi|id|il|in|ia|ks|ky|la|me|md|ma|mi|mn|ms|mo|mt|ne|nv|nh|nj|nm|ny|nc|nd|oh|ok|or|pa|ri|sc|sd|tn|tx|ut|vt|va|wa|wv|wi|wy|pr";
const OPENERS: &str = r"(?:am|an[ \t]+der|auf[ \t]+de[mr]|im|in[ \t]+der|unter[ \t]+den|zum|zur|hinter[ \t]+der)";

fn num_rest() -> &'static str {
    &NUM[2..] // _NUM[2:]: the number without its first digit
}

fn city() -> String {
    format!("{W}(?:{G}{W}){{0,2}}", W = W, G = G)
}

fn types() -> String {
    let mut all: Vec<&str> = Vec::new();
    for t in CLEAR_TYPES.iter().chain(VAGUE_TYPES.iter()) {
        if !all.contains(t) {
            all.push(t);
        }
    }
    // longest first (words of one length cannot match at the same place, so their order
    // among themselves does not matter)
    all.sort_by_key(|t| std::cmp::Reverse(t.chars().count()));
    all.join("|")
}

fn prefixes() -> String {
    let mut all: Vec<&str> = PREFIX_TYPES.to_vec();
    all.sort_by_key(|t| std::cmp::Reverse(t.chars().count())); // stable, as Python's sorted
    all.iter().map(|t| regex::escape(t)).collect::<Vec<_>>().join("|")
}

fn compounds() -> String {
    COMPOUND_SUFFIXES.iter().map(|t| regex::escape(t)).collect::<Vec<_>>().join("|")
}

/// The pattern without its negative look-arounds: it matches wherever the pattern does.
fn relax(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let starts = |i: usize, s: &str| -> bool {
        s.chars().enumerate().all(|(k, c)| chars.get(i + k) == Some(&c))
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            out.push(c);
            out.push(chars[i + 1]);
            i += 2;
        } else if c == '[' {
            out.push(c);
            i += 1;
            while chars[i] != ']' {
                if chars[i] == '\\' {
                    out.push(chars[i]);
                    i += 1;
                }
                out.push(chars[i]);
                i += 1;
            }
            out.push(']');
            i += 1;
        } else if starts(i, "(?!") || starts(i, "(?<!") {
            // skip to the matching parenthesis
            let mut depth = 0;
            loop {
                let c = chars[i];
                if c == '\\' {
                    i += 2;
                    continue;
                }
                if c == '[' {
                    i += 1;
                    while chars[i] != ']' {
                        i += if chars[i] == '\\' { 2 } else { 1 };
                    }
                } else if c == '(' {
                    depth += 1;
                } else if c == ')' {
                    depth -= 1;
                    if depth == 0 {
                        i += 1;
                        break;
                    }
                }
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn fancy(pattern: &str) -> Fancy {
    FancyBuilder::new(&python_word_classes(pattern)).backtrack_limit(100_000_000).build()
        .expect("address pattern")
}

fn plain(pattern: &str) -> Regex {
    regex::RegexBuilder::new(&python_word_classes(pattern)).dfa_size_limit(32 << 20).build()
        .expect("address pattern")
}

/// A match's groups in code points: the whole match and the named groups of the shapes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Groups {
    whole: (usize, usize),
    name: Option<(usize, usize)>,
    kind: Option<(usize, usize)>,
    num: Option<(usize, usize)>,
    city: Option<(usize, usize)>,
}

fn groups_of(side: &Side, caps: &fancy_regex::Captures, offset: usize) -> Groups {
    let at = |m: Option<fancy_regex::Match>| m.map(|m| (side.c(offset + m.start()), side.c(offset + m.end())));
    Groups {
        whole: at(caps.get(0)).unwrap(),
        name: at(caps.name("name")),
        kind: at(caps.name("type")),
        num: at(caps.name("num")),
        city: at(caps.name("city")),
    }
}

/// A pattern run as `finditer(low, pos, endpos)` or `match(low, pos)`.
struct Pattern {
    fancy: Fancy,
    /// where a match may start: every match starts where this one matches, so the leftmost
    /// match of this one is no later than the pattern's (the relaxed twin by default)
    start: Regex,
    /// `^(?:pattern)` and its relaxed twin, for `match` (patterns without look-behinds)
    anchored: Option<(Fancy, Regex)>,
}

impl Pattern {
    fn new(pattern: &str, anchored: bool) -> Pattern {
        Pattern::with_start(pattern, anchored, &relax(pattern))
    }

    /// A pattern whose matches all start with a match of `start`.
    fn with_start(pattern: &str, anchored: bool, start: &str) -> Pattern {
        let relaxed = relax(pattern);
        Pattern {
            fancy: fancy(pattern),
            start: plain(start),
            anchored: if anchored {
                Some((fancy(&format!("^(?:{})", pattern)), plain(&format!("^(?:{})", relaxed))))
            } else {
                None
            },
        }
    }

    /// pattern.finditer(low, pos, endpos)
    fn finditer(&self, side: &Side, pos: usize, endpos: usize) -> Vec<Groups> {
        let endpos = endpos.min(side.len());
        let mut out = Vec::new();
        if pos > endpos {
            return out;
        }
        let hay = &side.s[..side.b(endpos)];
        let mut at = side.b(pos);
        while at <= hay.len() {
            let from = match self.start.find_at(hay, at) {
                Some(m) => m.start(),
                None => break,
            };
            let caps = match self.fancy.captures_from_pos(hay, from) {
                Ok(Some(caps)) => caps,
                _ => break,
            };
            let whole = caps.get(0).unwrap();
            out.push(groups_of(side, &caps, 0));
            at = if whole.end() > whole.start() {
                whole.end()
            } else {
                let mut next = whole.end() + 1;
                while next < hay.len() && !hay.is_char_boundary(next) {
                    next += 1;
                }
                next
            };
        }
        out
    }

    /// pattern.match(low, pos)
    fn match_at(&self, side: &Side, pos: usize) -> Option<Groups> {
        let (fancy, relaxed) = self.anchored.as_ref().expect("an anchored pattern");
        if pos > side.len() {
            return None;
        }
        let offset = side.b(pos);
        let hay = &side.s[offset..];
        if !relaxed.is_match(hay) {
            return None;
        }
        match fancy.captures(hay) {
            Ok(Some(caps)) => Some(groups_of(side, &caps, offset)),
            _ => None,
        }
    }

    /// pattern.search(s) on a string of its own
    fn is_match(&self, s: &str) -> bool {
        self.start.is_match(s) && matches!(self.fancy.is_match(s), Ok(true))
    }
}

/// What a pattern's opening look-behind asks of the text before a match.
#[derive(Clone, Copy)]
enum Behind {
    /// `(?<![\w])`
    NoWord,
    /// `(?<![\w.])`
    NoWordOrDot,
    /// `\d(?<![\w.,/:+#$€£\-]\d)`: a house number's first digit
    NumberStart,
}

/// A pattern that opens with a look-behind, run as `finditer(low, pos, endpos)` position by
/// position as Python's `re` does: at each place where a match may start and the look-behind
/// holds, the rest of the pattern (which looks only ahead) is tried anchored there, on the
/// text up to `endpos`; the relaxed twin rules out most places without backtracking.
struct Stepped {
    start: Regex,
    behind: Behind,
    relaxed: Regex,
    fancy: Fancy,
}

impl Stepped {
    fn new(pattern: &str, behind: Behind, start: &str) -> Stepped {
        let body = match behind {
            Behind::NoWord => pattern.strip_prefix(r"(?<![\w])").expect("a look-behind").to_string(),
            Behind::NoWordOrDot => pattern.strip_prefix(r"(?<![\w.])").expect("a look-behind").to_string(),
            Behind::NumberStart => {
                assert!(pattern.contains(NUM_START));
                pattern.replacen(NUM_START, r"\d", 1)
            }
        };
        assert!(!body.contains("(?<"), "one look-behind only, at the start");
        Stepped {
            start: plain(start),
            behind,
            relaxed: plain(&format!("^(?:{})", relax(&body))),
            fancy: fancy(&format!("^(?:{})", body)),
        }
    }

    fn behind_holds(&self, hay: &str, at: usize) -> bool {
        let mut before = hay[..at].chars().rev();
        let c = match before.next() {
            Some(c) => c,
            None => return true,
        };
        match self.behind {
            Behind::NoWord => !py::isword(c),
            Behind::NoWordOrDot => !(py::isword(c) || c == '.'),
            Behind::NumberStart => !(py::isword(c) || ".,/:+#$€£-".contains(c)),
        }
    }

    /// pattern.finditer(low, pos, endpos)
    fn finditer(&self, side: &Side, pos: usize, endpos: usize) -> Vec<Groups> {
        let endpos = endpos.min(side.len());
        let mut out = Vec::new();
        if pos > endpos {
            return out;
        }
        let hay = &side.s[..side.b(endpos)];
        let mut at = side.b(pos);
        while at < hay.len() {
            let from = match self.start.find_at(hay, at) {
                Some(m) => m.start(),
                None => break,
            };
            let rest = &hay[from..];
            if self.behind_holds(hay, from) && self.relaxed.is_match(rest) {
                if let Ok(Some(caps)) = self.fancy.captures(rest) {
                    let whole = caps.get(0).unwrap();
                    if whole.start() == 0 && whole.end() > 0 {
                        out.push(groups_of(side, &caps, from));
                        at = from + whole.end();
                        continue;
                    }
                }
            }
            at = from + rest.chars().next().map_or(1, char::len_utf8);
        }
        out
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Shape {
    NumberFirst,
    NumberThenPrefix,
    PrefixThenNumber,
    NameThenNumber,
    Box,
    OpenerThenNumber,
}

struct Patterns {
    number_first: Stepped,
    number_then_prefix: Stepped,
    prefix_then_number: Stepped,
    name_then_number: Stepped,
    box_: Stepped,
    opener_then_number: Stepped,
    opener_before: Pattern,
    parts: Vec<Pattern>,
    unit: Pattern,
    label: Regex,
    field_line: Regex,
    block_word: Regex,
    block_number: Pattern,
    digit_dot_digit: Regex,
    unit_start: Regex,
    street_before_ward: Regex,
    postcode_like: Stepped,
    japanese: Pattern,
    sentence_split: Regex,
}

impl Patterns {
    fn shape(&self, shape: Shape) -> &Stepped {
        match shape {
            Shape::NumberFirst => &self.number_first,
            Shape::NumberThenPrefix => &self.number_then_prefix,
            Shape::PrefixThenNumber => &self.prefix_then_number,
            Shape::NameThenNumber => &self.name_then_number,
            Shape::Box => &self.box_,
            Shape::OpenerThenNumber => &self.opener_then_number,
        }
    }
}

fn pattern_sources() -> Vec<(&'static str, String)> {
    let types = types();
    let prefixes = prefixes();
    let city = city();
    let num_start = format!("{}{}", NUM_START, num_rest());
    let mut out = vec![
        ("number_first", format!(
            r"(?P<num>{NS})(?:{G}(?:bis|ter))?,?{G}(?:{D}{G})?(?P<name>(?:(?:{W}|\d{{1,3}}(?:st|nd|rd|th)){G}){{1,4}}?)(?P<type>{T})\.?(?![\w])(?![ \t]+(?:{T})\.?(?![\w]))(?:{G}{D}(?![\w]))?",
            NS = num_start, G = G, D = DIRECTION, W = W, T = types)),
        ("number_then_prefix", format!(
            r"(?P<num>{NS})(?:{G}(?:bis|ter))?,?{G}(?P<type>{P})\.?(?P<name>(?:{G}(?:{PA}{G})?{W}){{1,4}})",
            NS = num_start, G = G, P = prefixes, PA = PARTICLE, W = W)),
        ("prefix_then_number", format!(
            r"(?<![\w])(?P<type>{P})\.?[ \t]*(?P<name>(?:(?:{PA}{G})?{W},?{G}){{1,4}}?)(?:n[º°o]\.?[ \t]*)?(?P<num>{N})(?![\w.,]\d)(?!\w)(?:,?[ \t]*\d{{1,2}}[º°ª](?:[ \t]*[a-z](?![\w]))?)?",
            P = prefixes, PA = PARTICLE, G = G, W = W, N = NUM)),
        ("name_then_number", format!(
            r"(?<![\w])(?P<name>(?:{W}{G}){{0,2}}?[^\W\d_]*(?P<type>{C}))[ \t]*(?P<num>{N})(?![\w.,]\d)(?!\w)",
            W = W, G = G, C = compounds(), N = NUM)),
        ("box", concat!(
            r"(?<![\w])(?:p\.?[ \t]*o\.?[ \t]*box|post[ \t]+office[ \t]+box|postfach|apartado",
            r"(?:[ \t]+de[ \t]+correos)?|postbus|b\.?p\.?|boîte[ \t]+postale|casella[ \t]+postale)",
            r"[ \t]*#?[ \t]*\d{1,6}(?:[ \t]+\d{2,4}){0,2}(?![\w])").to_string()),
        ("opener_before", format!(r"(?<![\w]){O}[ \t]+{W}(?:[ \t]+{W})?$", O = OPENERS, W = W)),
        ("opener_then_number", format!(
            r"(?<![\w])(?P<name>{O}[ \t]+{W}(?:[ \t]+{W})?)[ \t]+(?P<num>{N})(?![\w.,]\d)(?!\w)",
            O = OPENERS, W = W, N = NUM)),
        ("part0", format!(r"{S}{C},?{G}(?:{US})\.?{G}\d{{5}}(?:-\d{{4}})?(?![\w])",
                          S = SEP, C = city, G = G, US = US_STATES)),
        ("part1", format!(
            r"{S}{C},?{G}(?:ab|bc|mb|nb|nl|ns|nt|nu|on|pe|qc|sk|yt)\.?{G}[a-z]\d[a-z][ \t]*\d[a-z]\d(?![\w])",
            S = SEP, C = city, G = G)),
        ("part2", format!(r"{S}{C},?{G}(?:nsw|vic|qld|wa|sa|tas|act|nt){G}\d{{4}}(?![\w])",
                          S = SEP, C = city, G = G)),
        ("part3", format!(
            r"{S}(?:{C}(?:[ \t]*,[ \t]*|[ \t]*\n[ \t]*|{G}))?[a-z]{{1,2}}\d[a-z\d]?[ \t]+\d[a-z]{{2}}(?![\w])",
            S = SEP, C = city, G = G)),
        ("part4", format!(r"{S}(?:[a-z]{{1,2}}-)?\d{{4,5}}(?:[ \t]*[a-z]{{2}}(?![\w]))?{G}(?P<city>{C})",
                          S = SEP, C = city, G = G)),
        ("part5", concat!(
            r"(?:[ \t]*,[ \t]*|[ \t]*\n[ \t]*)(?:usa|u\.s\.a\.?|united states|uk|",
            r"united kingdom|england|scotland|wales|ireland|germany|deutschland|france|spain|",
            r"españa|italy|italia|netherlands|the netherlands|nederland|canada|australia|",
            r"austria|österreich|switzerland|schweiz|suisse|belgium|belgique)(?![\w])").to_string()),
        ("unit", UNIT.to_string()),
    ];
    out.push(("block_number", r"(?<![\w.])\d{1,6}(?:[-/]\d{1,6})*[a-z]?(?![\w.]\d)".to_string()));
    out.push(("postcode_like", r"(?<![\w.])\d{3,6}(?:-\d{3,4})?(?![\w.])".to_string()));
    out.push(("japanese", concat!(
        r"〒[ \t]*\d{3}-\d{4}[^\n]{0,60}",
        r"|(?<![\w-])\d{1,2}-\d{1,3}(?:-\d{1,3})?[ \t]+[^\W\d_]+,[ \t]*[^\W\d_]+-(?:ku|shi|cho|machi)",
        r"(?:,?[ \t]*\n?[ \t>]*[^\W\d_]+[ \t]+\d{3}-\d{4})?").to_string()));
    out
}

static PATTERNS: Lazy<Patterns> = Lazy::new(|| {
    let sources: Vec<(&str, String)> = pattern_sources();
    let get = |name: &str| -> &str {
        &sources.iter().find(|(n, _)| *n == name).unwrap().1
    };
    Patterns {
        // the shapes that start with a house number start with a digit
        number_first: Stepped::new(get("number_first"), Behind::NumberStart, r"\d"),
        number_then_prefix: Stepped::new(get("number_then_prefix"), Behind::NumberStart, r"\d"),
        prefix_then_number: Stepped::new(get("prefix_then_number"), Behind::NoWord, &prefixes()),
        name_then_number: Stepped::new(get("name_then_number"), Behind::NoWord, r"[^\W\d_]|-"),
        box_: Stepped::new(get("box"), Behind::NoWord, "[pabc]"),
        opener_then_number: Stepped::new(get("opener_then_number"), Behind::NoWord, OPENERS),
        opener_before: Pattern::new(get("opener_before"), false),
        parts: (0..6).map(|i| Pattern::new(get(&format!("part{}", i)), true)).collect(),
        unit: Pattern::new(get("unit"), true),
        label: plain(concat!(
            r"^(?:(?:address|adres|adresse|anschrift|indirizzo|direcci[óo]n|endereço|afleveradres|",
            r"lieferadresse)(?:[ \t]+(?:de|di|of|van)[ \t]+[^\W\d_]+)?",
            r"(?:[ \t]*[:,]|[ \t]+(?:is|est|es|è|ist|lautet|now)\b[ \t]*:?)",
            r"|(?:ship|deliver|moved|relocated|send|mail)(?:[ \t]+it)?[ \t]+to\b[ \t]*:?)[ \t]*")),
        field_line: plain(r"^[^\W\d_][\w \t]{0,24}:"),
        block_word: plain(r"[^\W\d_]+"),
        block_number: Pattern::new(get("block_number"), false),
        digit_dot_digit: plain(r"\d\.\d"),
        // (?![\w]) after a word character is \b
        unit_start: plain(r"^(?:flat|plot|room|số|p\.m\.b\.)[ \t]*\d{1,6}[a-z]?\b"),
        // Python's $ also matches before a final newline; only the match's start is read
        street_before_ward: plain(concat!(
            r"(?:số[ \t]*)?\d{1,5}[a-z]?(?:/\d{1,4})?[ \t]+[^\d,\n]{2,40}",
            r"(?:,[ \t]*|[ \t]*\n[ \t>]*)\n?\z")),
        postcode_like: Stepped::new(get("postcode_like"), Behind::NoWordOrDot, r"\d"),
        japanese: Pattern::with_start(get("japanese"), false, r"〒|\d"),
        sentence_split: plain(r"[.!?\n][ \t]|\n"),
    }
});

// ----------------------------------------------------------------------------------------
// The detector

pub fn detect_addresses(t: &Text) -> Vec<Span> {
    let low = &t.low;
    let p = &*PATTERNS;
    let n = low.len();
    let found = address_hits(low.s);
    let japanese_marks = low.s.contains("-ku") || low.s.contains('〒');
    if found.is_empty() && !(japanese_marks && people_hit(low.s)) {
        return Vec::new();
    }
    let mut jobs: HashSet<(Shape, usize, usize)> = HashSet::default();
    let mut numbers: Vec<&str> = Vec::new();
    let mut labelled: Vec<Span> = Vec::new();
    let mut read: HashSet<i64> = HashSet::default();
    let lines = low.s.contains('\n');
    let last = rstrip(low.slice(n.saturating_sub(12), n), &[' ', '\t', '.', '!']);
    for &token in &found {
        if is_house_number(token) {
            if lines || !token.bytes().all(|b| b.is_ascii_digit()) || last.ends_with(token) {
                numbers.push(token);
            }
            continue;
        }
        if LABEL_WORDS.contains(token) {
            for position in positions(low, token) {
                if !read.insert(position as i64) {
                    continue;
                }
                if let Some(label_end) = label_end(low, position) {
                    let back = rstrip(low.slice(position.saturating_sub(10), position), &[' ', '\t', '-']);
                    if !OTHER_ADDRESSES.iter().any(|o| back.ends_with(o)) {
                        if let Some(block) = labelled_block(low, label_end) {
                            labelled.push(block);
                        }
                    }
                }
            }
        }
        if BLOCK_STARTS.contains(&token) {
            for position in positions(low, token) {
                if !read.insert(-1 - position as i64) {
                    continue;
                }
                if let Some(block) = block_from_start(low, position, token) {
                    labelled.push(block);
                }
            }
        }
        if !is_trigger(token) {
            continue;
        }
        let length = token.chars().count();
        for position in positions(low, token) {
            let end = position + length;
            if SUFFIX_WORDS.contains(token) {
                jobs.insert((Shape::NumberFirst, position.saturating_sub(90), end + 12));
            }
            if PREFIX_WORDS.contains(token) {
                jobs.insert((Shape::NumberThenPrefix, position.saturating_sub(14), end + 80));
                jobs.insert((Shape::PrefixThenNumber, position, end + 80));
            }
            if BOX_GATE.contains(token) {
                jobs.insert((Shape::Box, position.saturating_sub(14), end + 30));
            }
        }
    }
    let mut after_blank: HashSet<usize> = HashSet::default();
    if !numbers.is_empty() {
        // " 12" / "\t12" for every number at once: each blank before a digit
        let tabs = low.s.contains('\t');
        let bytes = low.s.as_bytes();
        for i in 0..bytes.len().saturating_sub(1) {
            if !(bytes[i] == b' ' || (tabs && bytes[i] == b'\t')) || !bytes[i + 1].is_ascii_digit() {
                continue;
            }
            let rest = &low.s[i + 1..];
            for number in &numbers {
                if !rest.starts_with(number) {
                    continue;
                }
                let open_end = number.as_bytes()[number.len() - 1].is_ascii_alphanumeric();
                let next = rest[number.len()..].chars().next();
                if !(open_end && next.map_or(false, py::isalnum)) {
                    after_blank.insert(low.c(i + 1));
                }
            }
        }
    }
    for &position in &after_blank {
        let mut word_end = position - 1;
        while word_end > 0 && matches!(low.at(word_end - 1), Some(' ') | Some('\t')) {
            word_end -= 1;
        }
        if word_end == 0 {
            continue;
        }
        let c = low.at(word_end - 1).unwrap();
        if !(py::isalpha(c) || c == '.') {
            continue; // a street name, not a digit or a bracket, comes before the number
        }
        let before = rstrip(low.slice(position.saturating_sub(40), position), &[' ', '\t']);
        let line = || low.rfind_in("\n", 0, position).map_or(0, |i| i + 1);
        if COMPOUND_SUFFIXES.iter().any(|s| before.ends_with(s)) {
            jobs.insert((Shape::NameThenNumber, line().max(position.saturating_sub(80)), position + 12));
        } else if p.opener_before.is_match(before) {
            jobs.insert((Shape::OpenerThenNumber, line().max(position.saturating_sub(40)), position + 12));
        }
    }
    let mut spans = labelled;
    if japanese_marks {
        spans.extend(japanese(low));
    }
    let mut matched: HashSet<(Shape, Groups)> = HashSet::default();
    for &(shape, start, end) in &jobs {
        for m in p.shape(shape).finditer(low, start, end.min(n)) {
            if matched.contains(&(shape, m.clone())) {
                continue;
            }
            if let Some(span) = address(low, shape, &m) {
                spans.push(span);
            }
            matched.insert((shape, m));
        }
    }
    resolve_overlaps(dedup(spans))
}

fn dedup(spans: Vec<Span>) -> Vec<Span> {
    let mut seen: HashSet<(usize, usize, u64)> = HashSet::default();
    spans.into_iter().filter(|s| seen.insert((s.start, s.end, s.score.to_bits()))).collect()
}

fn text_of<'s>(low: &Side<'s>, span: (usize, usize)) -> &'s str {
    low.slice(span.0, span.1)
}

fn address(low: &Side, shape: Shape, m: &Groups) -> Option<Span> {
    let p = &*PATTERNS;
    let mut start = m.whole.0;
    if shape == Shape::OpenerThenNumber {
        let end = tail(low, m.whole.1);
        return if end > m.whole.1 { Some(Span::new(start, end, ENTITY, 0.86)) } else { None };
    }
    let mut kind: &str = m.kind.map_or("", |k| text_of(low, k).trim_end_matches('.'));
    if shape == Shape::NameThenNumber {
        start = street_start(low, m)?;
        let type_start = m.kind.unwrap().0;
        if type_start > 0 && isalpha_at(low, type_start - 1) {
            kind = "compound"; // "musterweg": a street whatever follows
        }
    } else if let (Some(name), true) = (m.name, shape != Shape::PrefixThenNumber) {
        // after a number, a street name is a few words, not a sentence ("3 of the road")
        if split_words(text_of(low, name)).any(|(_, t)| stop(t) && !PARTICLE_WORDS.contains(&t)) {
            return None;
        }
    }
    let mut end = m.whole.1;
    if let Some(unit) = p.unit.match_at(low, end) {
        end = unit.whole.1;
    }
    let tail_end = tail(low, end);
    if tail_end == end && VAGUE.contains(kind) && !address_context(low, start) {
        return None;
    }
    Some(Span::new(start, tail_end, ENTITY, if tail_end > end { 0.86 } else { 0.8 }))
}

fn street_start(low: &Side, m: &Groups) -> Option<usize> {
    let type_start = m.kind.unwrap().0;
    let mut word_start = type_start;
    while word_start > 0 && {
        let c = low.at(word_start - 1).unwrap();
        py::isalpha(c) || (c == '-' && word_start >= 2 && isalpha_at(low, word_start - 2))
    } {
        word_start -= 1; // "friedrich-ebert-allee": the whole hyphenated compound
    }
    if word_start < type_start {
        return Some(word_start);
    }
    let head = low.slice(m.whole.0, type_start);
    let tokens: Vec<(usize, &str)> = split_words(head).collect();
    let mut start = type_start;
    for &(byte, word) in tokens.iter().rev().take(2) {
        if stop(word) && !STREET_OPENERS.contains(&word) {
            break;
        }
        start = m.whole.0 + head[..byte].chars().count();
        if STREET_OPENERS.contains(&word) {
            break;
        }
    }
    if start < type_start || !tokens.is_empty() { Some(start) } else { None }
}

fn tail(low: &Side, mut end: usize) -> usize {
    let p = &*PATTERNS;
    for _ in 0..3 {
        if !matches!(low.at(end), Some(' ') | Some('\t') | Some(',') | Some('\n')) {
            return end; // every part starts with a blank, a comma or a line break
        }
        let found = p.parts.iter().enumerate().find_map(|(i, part)| part.match_at(low, end).map(|m| (i, m)));
        let (index, m) = match found {
            Some(found) => found,
            None => return end,
        };
        if index != 4 {
            end = m.whole.1;
            continue;
        }
        let city = m.city.unwrap();
        let kept = city_words(text_of(low, city));
        if !kept.is_empty() {
            end = city.0 + kept.chars().count();
            continue;
        }
        // a postcode before a word that is no city: the parts after that one may still fit
        match p.parts[5].match_at(low, end) {
            Some(m) => end = m.whole.1,
            None => return end,
        }
    }
    end
}

fn city_words(city: &str) -> &str {
    // re.split(r"([ \t]+)", city)[::2]: the words, with their byte ends
    let mut words: Vec<(&str, usize)> = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in city.char_indices() {
        if c == ' ' || c == '\t' {
            if let Some(s) = start.take() {
                words.push((&city[s..i], i));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        words.push((&city[s..], city.len()));
    }
    if words.is_empty() {
        return "";
    }
    if stop(words[0].0.trim_end_matches('.')) && !CITY_OPENERS.contains(&words[0].0) {
        return "";
    }
    let mut keep = 1;
    while keep < words.len()
        && (CITY_OPENERS.contains(&words[keep - 1].0) || CITY_JOINERS.contains(&words[keep].0)
            || CITY_JOINERS.contains(&words[keep - 1].0))
    {
        keep += 1;
    }
    while keep > 1 && CITY_JOINERS.contains(&words[keep - 1].0) {
        keep -= 1;
    }
    rstrip(&city[..words[keep - 1].1], &[' ', '\t', '.'])
}

/// _LABEL.match(low, position).end()
fn label_end(low: &Side, position: usize) -> Option<usize> {
    let offset = low.b(position);
    PATTERNS.label.find(&low.s[offset..]).map(|m| low.c(offset + m.end()))
}

/// `_SENTENCE_END.search(line, pos, endpos)` in bytes: `[.;!?](?=[ \t]|$)`.
fn sentence_end(line: &str, pos: usize, endpos: usize) -> Option<usize> {
    let bytes = line.as_bytes();
    (pos..endpos).find(|&i| {
        matches!(bytes[i], b'.' | b';' | b'!' | b'?')
            && (i + 1 == endpos || matches!(bytes[i + 1], b' ' | b'\t'))
    })
}

fn labelled_block(low: &Side, start: usize) -> Option<Span> {
    let p = &*PATTERNS;
    let n = low.len();
    let mut index = start;
    if low.at(index) == Some('\n') {
        index += 1;
    }
    while matches!(low.at(index), Some(' ') | Some('\t') | Some('>')) {
        index += 1;
    }
    let mut end = index;
    for _ in 0..4 {
        let line_end = low.find("\n", end).unwrap_or(n);
        let line = low.slice(end, line_end);
        if end > index && p.field_line.is_match(line) {
            break; // the next field of a form ("created: ...")
        }
        let mut cut = line.len();
        for word in p.block_word.find_iter(line) {
            let token = word.as_str();
            if stop(token) && !PARTICLE_WORDS.contains(&token) && !STREET_OPENERS.contains(&token) {
                cut = word.start();
                break;
            }
        }
        let mut sentence = sentence_end(line, 0, cut);
        while let Some(s) = sentence {
            // "tp. ", "3. th.", "p.m.b. ": abbreviations, not the end of the clause
            if line[..s].rsplit(' ').next().unwrap().chars().count() <= 4 {
                sentence = sentence_end(line, s + 1, cut);
            } else {
                break;
            }
        }
        if let Some(s) = sentence {
            cut = s;
        }
        let part = rstrip(&line[..cut], &[' ', '\t', ',', ';', ':', '-', '.']);
        if part.is_empty() {
            break;
        }
        end += part.chars().count();
        if cut < line.len() || line_end >= n {
            break; // the clause ended inside the line
        }
        let mut following = line_end + 1;
        while matches!(low.at(following), Some('>') | Some(' ') | Some('\t')) {
            following += 1; // a quoted reply's next line
        }
        if matches!(low.at(following), Some('\n') | Some('\r')) || following >= n {
            break; // a blank line ends the block
        }
        end = following;
    }
    let text = low.slice(index, end);
    if text.contains('@') || text.contains("://") || !p.block_number.is_match(text)
        || p.block_word.find_iter(text).count() < 2 || p.digit_dot_digit.is_match(text)
    {
        return None;
    }
    Some(Span::new(index, end, ENTITY, 0.8))
}

fn block_from_start(low: &Side, position: usize, token: &str) -> Option<Span> {
    let p = &*PATTERNS;
    if token == "phường" || token == "quận" {
        let head_start = position.saturating_sub(60);
        let head = low.slice(head_start, position);
        let street = p.street_before_ward.find(head)?;
        return labelled_block(low, head_start + head[..street.start()].chars().count());
    }
    if !p.unit_start.is_match(&low.s[low.b(position)..]) {
        return None;
    }
    let block = labelled_block(low, position)?;
    // a unit or plot number alone is not an address: a postcode, a second line or a comma
    // with more words must follow it
    if p.postcode_like.finditer(low, block.start, block.end).len() >= 2
        || low.slice(block.start, block.end).contains('\n')
    {
        Some(block)
    } else {
        None
    }
}

fn japanese(low: &Side) -> Vec<Span> {
    PATTERNS.japanese.finditer(low, 0, low.len()).into_iter().map(|m| {
        let kept = rstrip(text_of(low, m.whole), &[' ', '\t', '.', ',']).chars().count();
        Span::new(m.whole.0, m.whole.0 + kept, ENTITY, 0.8)
    }).collect()
}

/// An address word earlier in the same sentence ("ship to 7 oak drive").
fn address_context(low: &Side, start: usize) -> bool {
    let before = low.slice(start.saturating_sub(60), start);
    let from = PATTERNS.sentence_split.find_iter(before).last().map_or(0, |m| m.end());
    let before = &before[from..];
    ADDRESS_WORDS.iter().any(|w| before.contains(w))
}

/// Copy of `_span.resolve_overlaps`.
fn resolve_overlaps(spans: Vec<Span>) -> Vec<Span> {
    if spans.len() < 2 {
        return spans;
    }
    let mut ranked = spans;
    ranked.sort_by(|a, b| {
        b.score.partial_cmp(&a.score).unwrap()
            .then((a.end - a.start).cmp(&(b.end - b.start)).reverse())
            .then(a.start.cmp(&b.start))
            .then(a.entity.cmp(b.entity))
    });
    let mut kept: Vec<Span> = Vec::new();
    for span in ranked {
        let index = kept.partition_point(|k| k.start < span.start);
        if index > 0 && kept[index - 1].end > span.start {
            continue;
        }
        if index < kept.len() && kept[index].start < span.end {
            continue;
        }
        kept.insert(index, span);
    }
    kept
}

#[pyfunction]
#[pyo3(name = "detect_addresses")]
fn py_detect_addresses(text: &str, low: &str) -> PySpans {
    to_py(detect_addresses(&Text::new(text, low)))
}

pub fn register(m: &PyModule) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(py_detect_addresses, m)?)?;
    Ok(())
}
