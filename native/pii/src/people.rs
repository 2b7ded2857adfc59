//! Port of `_people.py`: PERSON from context (salutations, sign-offs, signatures,
//! honorifics, self-introductions, form fields) and a known given name followed by a known
//! surname. Everything is read on the lower-cased text (`low`), in code points.
//!
//! Python's `re` patterns are ported either by hand (the token scanners, which are matched at
//! a position and must not search on) or as `regex` patterns anchored on the rest of the text
//! (`^` on `low[pos..]`: none of them looks behind its start). A look-ahead at the end of a
//! pattern is matched as a named group `look` and the match ends where that group starts:
//! the backtracking order, and so the match Python picks, is the same.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use once_cell::sync::Lazy;
use pyo3::prelude::*;
use fancy_regex::Regex as FancyRegex;
use regex::Regex;

use crate::text::{py, to_py, PySpans, Side, Span, Text};

// ---------------------------------------------------------------------------------------
// Sets of words

/// FNV-1a: the sets hold short words, for which SipHash costs more than the lookup.
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub type FastHash = BuildHasherDefault<Fnv>;
pub type WordSet = HashSet<&'static str, FastHash>;

fn set_of(words: &[&'static str]) -> WordSet {
    words.iter().copied().collect()
}

/// Python's str.splitlines().
fn splitlines(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut iter = s.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let breaks = matches!(c, '\n' | '\r' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e'
                                 | '\u{85}' | '\u{2028}' | '\u{2029}');
        if breaks {
            out.push(&s[start..i]);
            let mut next = i + c.len_utf8();
            if c == '\r' {
                if let Some(&(_, '\n')) = iter.peek() {
                    iter.next();
                    next += 1;
                }
            }
            start = next;
        }
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

fn parse_lexicon(content: &'static str) -> WordSet {
    splitlines(content).into_iter().filter(|line| !line.is_empty() && !line.starts_with('#')).collect()
}

static STOPWORDS: Lazy<WordSet> = Lazy::new(|| {
    parse_lexicon(include_str!("../../../src/honing/datasets/pii/lexicons/stopwords.txt"))
});
static GIVEN: Lazy<WordSet> = Lazy::new(|| {
    parse_lexicon(include_str!("../../../src/honing/datasets/pii/lexicons/given_names.txt"))
});
static SURNAMES: Lazy<WordSet> = Lazy::new(|| {
    parse_lexicon(include_str!("../../../src/honing/datasets/pii/lexicons/surnames.txt"))
});

/// A lexicon file from `lexicons/` (Python's `lexicon(name)`): one lower-case entry a line,
/// '#' lines are comments. Known names: stopwords, given_names, surnames.
pub fn lexicon(name: &str) -> &'static WordSet {
    match name {
        "stopwords" => &STOPWORDS,
        "given_names" => &GIVEN,
        "surnames" => &SURNAMES,
        _ => panic!("no lexicon {}", name),
    }
}

const PARTICLES_L: &[&str] = &[
    "van", "der", "den", "de", "del", "della", "di", "da", "la", "le", "du", "dos", "das",
    "von", "zu", "bin", "ibn", "al", "el", "ten", "ter", "st", "st.", "mac", "y"];
const HONORIFICS_L: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "herr", "frau", "m",
    "mme", "mlle", "sr", "sra", "srta", "señor", "senor", "señora", "senora", "signor",
    "signora", "sig", "dott", "dhr", "mevr", "mevrouw", "meneer", "monsieur", "madame",
    "professor", "doctor", "doktor", "rev", "fr", "lady", "lord", "dame", "sig.ra", "sig.na",
    "gent.ma", "gent.mo", "dott.ssa"];
const GENERIC_L: &[&str] = &[
    "team", "teams", "support", "service", "services", "department", "desk", "staff", "crew",
    "folks", "everyone", "everybody", "all", "colleagues", "damen", "herren", "klantenservice",
    "kundenservice", "kundendienst", "assistenza", "clienti", "cliente", "clientes", "servizio",
    "servicio", "atención", "equipo", "équipe", "equipe", "helpdesk", "customer", "customers",
    "billing", "sales", "admin", "admins", "administrator", "operations", "office", "group",
    "squad", "people", "friends", "partners", "klant", "kunde", "kunden", "client", "clients",
    "helpline", "hotline", "centre", "center", "store", "shop"];
const STREET_WORDS_L: &[&str] = &[
    "street", "st", "road", "rd", "avenue", "ave", "lane", "drive", "way", "court", "place",
    "square", "park", "hill", "close", "crescent", "terrace", "boulevard", "row", "gardens",
    "parade", "approach", "walk", "green", "grove", "mews", "bridge", "station", "market"];
const NOT_NAME_L: &[&str] = &[
    "suite", "ste", "apt", "apartment", "unit", "floor", "fl", "room", "building", "bldg",
    "street", "road", "avenue", "lane", "drive", "box", "po", "person", "name", "redacted",
    "teams", "office", "word", "excel", "outlook", "access", "windows", "edge", "sql",
    "deadline", "deadlines", "you", "your", "u"];
const SALUTE_STRONG: &[&str] = &[
    "dear", "geehrte", "geehrter", "cher", "chère", "chers", "estimado", "estimada", "querido",
    "querida", "liebe", "lieber", "gentile", "caro", "cara", "beste", "geachte"];
const SALUTE_WEAK: &[&str] = &[
    "hi", "hello", "hey", "hallo", "hola", "bonjour", "ciao", "salut", "morning", "afternoon",
    "evening", "greetings", "howdy", "moin", "servus", "buongiorno", "bonsoir", "días", "dias",
    "tardes", "grüezi", "hoi", "yo"];
const SIGN_OFFS: &[&str] = &[
    "thanks", "thank", "regards", "cheers", "sincerely", "best", "yours", "cordialement",
    "saludos", "saludo", "grüße", "grüßen", "gruß", "grüsse", "grüssen", "atentamente",
    "saluti", "groeten", "merci", "gracias", "danke", "grazie", "bedankt", "thx", "ty",
    "wishes", "salutations", "respectfully", "groet", "groetjes", "saludo", "—", "--", "–", "-"];
const INTRO: &[&str] = &[
    "name", "llamo", "m'appelle", "heiße", "heisse", "chiamo", "nombre", "holder",
    "cardholder", "karteninhaber", "titular", "signed", "behalf", "attn", "attention", "c/o",
    "ansprechpartner", "spoke", "speaking", "talked", "ask", "cc", "from", "contact", "agent",
    "nom", "vorname", "nachname", "customer", "caller", "add", "requester", "recipient",
    "empfänger", "destinataire", "destinatario", "naam", "nome", "called", "named"];
const PUNCT: &[char] = &[',', ':', '!', '.', ';', '?'];
const DASHES_L: &[&str] = &["—", "--", "–", "-"];
const SIGN_OFF_WORDS_L: &[&str] = &[
    "d'avance", "regards", "wishes", "you", "so", "much", "again", "a", "lot", "all",
    "freundlichen", "grüßen", "grüssen", "saludos", "salutations", "saluti", "cordiali",
    "vriendelijke", "groeten"];
const BARE_SIGN_OFFS_L: &[&str] = &["thanks", "cheers", "thx", "danke", "merci", "gracias", "grazie", "ty"];
const COLON_ONLY: &[&str] = &[
    "from", "attention", "contact", "agent", "customer", "requester", "recipient", "empfänger",
    "destinataire", "destinatario"];
const KIN: &[&str] = &[
    "father", "mother", "husband", "wife", "son", "daughter", "partner", "brother", "sister",
    "colleague", "boss", "manager", "padre", "madre", "marido", "esposa", "esposo", "hijo",
    "hija", "vater", "mutter", "mann", "tochter", "sohn", "bruder", "schwester", "père", "mère",
    "mari", "femme", "fils", "fille", "frère", "soeur", "sœur", "marito", "moglie", "figlio",
    "figlia", "fratello", "sorella", "vader", "moeder", "vrouw", "zoon", "dochter"];
const WEAK_INTROS: &[&str] = &["this", "it's", "it’s", "soy", "sono", "c'est"];
const NAME_OWNERS_L: &[&str] = &[
    "my", "full", "first", "last", "given", "middle", "legal", "customer", "client", "account",
    "contact", "his", "her", "their", "your", "the", "our", "sur", "family", "patient",
    "employee", "holder", "holder's", "cardholder", "applicant", "mein", "mon", "mi", "il",
    "mio", "vor", "nach", "nom", "nombre", "nome"];
const ROLE_MAILBOXES_L: &[&str] = &[
    "support", "noreply", "no-reply", "info", "billing", "sales", "help", "contact", "hello",
    "team", "admin", "service", "orders", "mail", "office", "news", "newsletter",
    "notifications", "accounts"];
const TIME_GREETINGS_L: &[&str] = &["morning", "afternoon", "evening", "días", "dias", "tardes"];

static PARTICLES: Lazy<WordSet> = Lazy::new(|| set_of(PARTICLES_L));
static HONORIFICS: Lazy<WordSet> = Lazy::new(|| set_of(HONORIFICS_L));
static GENERIC: Lazy<WordSet> = Lazy::new(|| set_of(GENERIC_L));
static STREET_WORDS: Lazy<WordSet> = Lazy::new(|| set_of(STREET_WORDS_L));
static NOT_NAME: Lazy<WordSet> = Lazy::new(|| set_of(NOT_NAME_L));
static SIGN_OFF_WORDS: Lazy<WordSet> = Lazy::new(|| set_of(SIGN_OFF_WORDS_L));
static NAME_OWNERS: Lazy<WordSet> = Lazy::new(|| set_of(NAME_OWNERS_L));
static ROLE_MAILBOXES: Lazy<WordSet> = Lazy::new(|| set_of(ROLE_MAILBOXES_L));
static LINE_FIELDS: Lazy<WordSet> = Lazy::new(|| {
    let mut set = set_of(COLON_ONLY);
    set.insert("caller");
    set
});

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    SaluteStrong,
    SaluteWeak,
    SignOff,
    Honorific,
    Intro,
    Apposition,
    WeakIntro,
    Given,
}

/// Python's `_TRIGGER_KIND`: trigger word -> kind (later lists only fill gaps).
static TRIGGER_KIND: Lazy<HashMap<&'static str, Kind, FastHash>> = Lazy::new(|| {
    let mut kinds: HashMap<&'static str, Kind, FastHash> = HashMap::default();
    for &w in SALUTE_STRONG {
        kinds.insert(w, Kind::SaluteStrong);
    }
    for &w in SALUTE_WEAK {
        kinds.insert(w, Kind::SaluteWeak);
    }
    for &w in SIGN_OFFS {
        kinds.insert(w, Kind::SignOff);
    }
    for (words, kind) in [(HONORIFICS_L, Kind::Honorific), (INTRO, Kind::Intro),
                          (KIN, Kind::Apposition), (WEAK_INTROS, Kind::WeakIntro)] {
        for &w in words {
            kinds.entry(w).or_insert(kind);
        }
    }
    kinds
});

fn rstrip<'s>(s: &'s str, chars: &[char]) -> &'s str {
    s.trim_end_matches(|c: char| chars.contains(&c))
}

/// Python's `_token_kinds()`: each word of the gate -> (the word without punctuation, kind).
/// Its keys are the words (as `str.split` cuts them) this detector acts on.
static TOKEN_KINDS: Lazy<HashMap<String, (String, Kind), FastHash>> = Lazy::new(|| {
    let mut kinds: HashMap<String, (String, Kind), FastHash> = HashMap::default();
    for name in GIVEN.iter() {
        for p in ["", ",", ".", "!"] {
            let token = format!("{}{}", name, p);
            let base = rstrip(&token, &[',', '.', '!']).to_string();
            kinds.insert(token, (base, Kind::Given));
        }
    }
    // _TRIGGERS: the non-kin trigger words with their punctuation variants, the colon-only
    // words only with a colon, and the kin words only with a comma.
    let mut triggers: Vec<String> = Vec::new();
    for (&w, _) in TRIGGER_KIND.iter() {
        if KIN.contains(&w) {
            continue;
        }
        let colon_only = COLON_ONLY.contains(&w);
        if !colon_only {
            triggers.push(w.to_string());
        }
        for &p in PUNCT {
            if colon_only && p != ':' {
                continue;
            }
            triggers.push(format!("{}{}", w, p));
        }
    }
    for &w in KIN {
        triggers.push(format!("{},", w));
    }
    for token in triggers {
        let stripped = rstrip(&token, PUNCT);
        let base = if stripped.is_empty() { token.clone() } else { stripped.to_string() };
        let kind = TRIGGER_KIND[base.as_str()];
        kinds.insert(token, (base, kind));
    }
    kinds
});

// The address detector's gate words (Python's `_addresses.GATE_WORDS`): the gate is shared,
// so a text with only address words still reaches the "here" and display-name passes.
const ADDR_CLEAR_TYPES: &[&str] = &[
    "street", "st", "avenue", "ave", "av", "road", "rd", "boulevard", "blvd", "lane", "ln",
    "terrace", "terr", "parkway", "pkwy", "highway", "hwy", "crescent", "cres", "expressway",
    "expy", "freeway", "fwy", "turnpike", "tpke", "alley", "aly", "straße", "strasse", "str",
    "straat", "parade", "approach", "esplanade", "promenade", "broadway"];
const ADDR_VAGUE_TYPES: &[&str] = &[
    "drive", "dr", "court", "ct", "place", "pl", "way", "square", "sq", "circle", "cir", "close",
    "row", "walk", "trail", "trl", "grove", "gardens", "gdns", "mews", "hill", "park", "green",
    "view", "point", "pike", "plaza", "loop", "run", "ridge", "wharf", "quay", "hollow",
    "heights", "crossing", "xing", "weg", "platz", "plein", "laan", "gracht", "kade", "singel",
    "dijk", "allee", "gasse", "ring", "damm", "ufer"];
const ADDR_PREFIX_TYPES: &[&str] = &[
    "rue", "avenue", "av", "avda", "avenida", "boulevard", "bd", "bvd", "allée", "allee",
    "impasse", "chemin", "quai", "place", "cours", "route", "calle", "c/", "plaza", "paseo", "pº",
    "carrer", "camino", "ronda", "travesía", "via", "viale", "piazza", "piazzale", "corso",
    "largo", "vicolo", "rua", "praça", "travessa"];
const ADDR_BOX_WORDS: &[&str] = &["box", "postfach", "apartado", "postbus", "postale", "bp"];
const ADDR_LABEL_WORDS: &[&str] = &[
    "address", "adres", "adresse", "anschrift", "indirizzo", "dirección", "direccion",
    "endereço", "afleveradres", "lieferadresse", "ship", "deliver", "moved", "relocated", "send",
    "mail"];
const ADDR_EXTRA: &[&str] = &["flat", "plot", "room", "số", "p.m.b.", "phường", "quận"];

fn address_gate_words() -> Vec<String> {
    let mut words = Vec::new();
    for list in [ADDR_CLEAR_TYPES, ADDR_VAGUE_TYPES, ADDR_PREFIX_TYPES, ADDR_BOX_WORDS, ADDR_LABEL_WORDS] {
        for w in list {
            for p in ["", ".", ",", ".,", ";", ":"] {
                words.push(format!("{}{}", w, p));
            }
        }
    }
    words.extend(ADDR_EXTRA.iter().map(|w| w.to_string()));
    words
}

/// The address detector's house numbers as `str.split` returns them: 1-999, then "", "a",
/// "b", "c", "-bis" or "-1".."-9", then an optional comma (checked, not listed).
fn is_house_number(word: &[u8]) -> bool {
    let word = match word.last() {
        Some(b',') => &word[..word.len() - 1],
        _ => word,
    };
    let digits = word.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 3 || word[0] == b'0' {
        return false;
    }
    match &word[digits..] {
        b"" | b"a" | b"b" | b"c" | b"-bis" => true,
        [b'-', d] => (b'1'..=b'9').contains(d),
        _ => false,
    }
}

/// One gate entry: a word this detector acts on (with its base and kind) or only the
/// address detector's.
type GateEntry = Option<(String, Kind)>;

/// Python's `_gate_words()` but the house numbers: this detector's words and the address
/// detector's.
static GATE: Lazy<HashMap<String, GateEntry, FastHash>> = Lazy::new(|| {
    let mut gate: HashMap<String, GateEntry, FastHash> = HashMap::default();
    for word in address_gate_words() {
        gate.insert(word, None);
    }
    for (token, entry) in TOKEN_KINDS.iter() {
        gate.insert(token.clone(), Some(entry.clone()));
    }
    gate
});

static MAX_GATE_LEN: Lazy<usize> = Lazy::new(|| GATE.keys().map(|k| k.len()).max().unwrap_or(0));
/// The first bytes of the gate's words (the house numbers start with a digit).
static GATE_FIRST: Lazy<[bool; 256]> = Lazy::new(|| {
    let mut first = [false; 256];
    for word in GATE.keys() {
        first[word.as_bytes()[0] as usize] = true;
    }
    first
});

/// Reads the words of `low` against the gate: calls `hit` with each word found (repeats
/// included) and its entry (None for a house number).
#[inline]
fn scan_gate<'a>(low: &'a str, mut hit: impl FnMut(&'a str, Option<&'static GateEntry>)) {
    let gate: &'static HashMap<String, GateEntry, FastHash> = &GATE;
    let max = *MAX_GATE_LEN;
    let first = &*GATE_FIRST;
    let mut look = |word: &'a str| {
        let bytes = word.as_bytes();
        if bytes.len() > max {
            return;
        }
        if bytes[0].is_ascii_digit() && is_house_number(bytes) {
            hit(word, None);
        } else if first[bytes[0] as usize] {
            if let Some(entry) = gate.get(word) {
                hit(word, Some(entry));
            }
        }
    };
    if low.is_ascii() {
        // Python's whitespace among ASCII characters
        let bytes = low.as_bytes();
        let mut start = None;
        for (i, &b) in bytes.iter().enumerate() {
            let space = matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0x1c..=0x1f);
            match (space, start) {
                (true, Some(s)) => {
                    look(&low[s..i]);
                    start = None;
                }
                (false, None) => start = Some(i),
                _ => {}
            }
        }
        if let Some(s) = start {
            look(&low[s..]);
        }
    } else {
        for word in split_words(low) {
            look(word);
        }
    }
}

/// Python's `str.split()`: the words between runs of whitespace.
pub fn split_words(s: &str) -> impl Iterator<Item = &str> {
    s.split(py::isspace).filter(|w| !w.is_empty())
}

fn last_word(s: &str) -> Option<&str> {
    s.rsplit(py::isspace).find(|w| !w.is_empty())
}

/// Python's `context_hits(low)`: the distinct words of `low` (as `str.split` cuts them) that
/// either detector (this one or the address detector) acts on.
pub fn context_hits(low: &str) -> Vec<&str> {
    let mut seen: HashSet<&str, FastHash> = HashSet::default();
    let mut found: Vec<&str> = Vec::new();
    scan_gate(low, |word, _| {
        if seen.insert(word) {
            found.push(word);
        }
    });
    found
}

/// The gate for this detector: whether any gate word occurs, and the distinct words this
/// detector acts on with their base and kind.
fn people_hits(low: &str) -> (bool, Vec<(&str, &'static str, Kind)>) {
    let mut any = false;
    let mut seen: HashSet<&str, FastHash> = HashSet::default();
    let mut found = Vec::new();
    scan_gate(low, |word, entry| {
        any = true;
        if let Some(Some((base, kind))) = entry {
            if seen.insert(word) {
                found.push((word, base.as_str(), *kind));
            }
        }
    });
    (any, found)
}

// ---------------------------------------------------------------------------------------
// Characters as Python's re and str see them

static LETTER_RE: Lazy<Regex> = Lazy::new(|| Regex::new(r"\A[\p{L}\p{Nl}\p{No}]\z").unwrap());
static ALNUM_RE: Lazy<Regex> = Lazy::new(|| Regex::new(r"\A[\p{L}\p{N}]\z").unwrap());

/// `[^\W\d_]` of Python's re: a letter (or a numeric character that is not a decimal digit).
#[inline]
fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        let mut buf = [0u8; 4];
        LETTER_RE.is_match(c.encode_utf8(&mut buf))
    }
}

/// Python's str.isalnum() on one character.
#[inline]
fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        let mut buf = [0u8; 4];
        ALNUM_RE.is_match(c.encode_utf8(&mut buf))
    }
}

fn is_alpha_word(w: &str) -> bool {
    !w.is_empty() && w.chars().all(|c| {
        if c.is_ascii() {
            c.is_ascii_alphabetic()
        } else {
            let mut buf = [0u8; 4];
            ALPHA_RE.is_match(c.encode_utf8(&mut buf))
        }
    })
}

static ALPHA_RE: Lazy<Regex> = Lazy::new(|| Regex::new(r"\A\p{L}\z").unwrap());

#[inline]
fn is_space_tab(c: Option<char>) -> bool {
    c == Some(' ') || c == Some('\t')
}

// ---------------------------------------------------------------------------------------
// Scanners (Python patterns matched at a position)

/// `_WORD.match(low, i)`: `[^\W\d_]+(?:['’\-][^\W\d_]+)*`, the end of the match.
fn word_at(low: &Side, i: usize) -> Option<usize> {
    let ch = &low.chars;
    let n = ch.len();
    let mut j = i;
    while j < n && is_letter(ch[j]) {
        j += 1;
    }
    if j == i {
        return None;
    }
    while j < n && (ch[j] == '\'' || ch[j] == '’' || ch[j] == '-') {
        let mut k = j + 1;
        while k < n && is_letter(ch[k]) {
            k += 1;
        }
        if k == j + 1 {
            break;
        }
        j = k;
    }
    Some(j)
}

fn skip_spaces(low: &Side, mut index: usize) -> usize {
    let ch = &low.chars;
    while index < ch.len() && (ch[index] == ' ' || ch[index] == '\t') {
        index += 1;
    }
    index
}

/// `_FIRST_WORD.match(low, i)`: group 1's (start, end).
fn first_word(low: &Side, i: usize) -> Option<(usize, usize)> {
    let start = skip_spaces(low, i);
    word_at(low, start).map(|end| (start, end))
}

fn is_initial(low: &Side, end: usize, word_len: usize) -> bool {
    word_len == 1 && low.at(end) == Some('.') && is_space_tab(low.at(end + 1))
}

/// `_HONORIFIC_WORD.match(low, i)`: `(?:sig\.r?a|sig\.na|gent\.m[ao]|dott\.ssa|[^\W\d_]+)`.
fn honorific_word(low: &Side, i: usize) -> Option<usize> {
    for literal in ["sig.ra", "sig.a", "sig.na", "gent.ma", "gent.mo", "dott.ssa"] {
        if low.startswith_at(literal, i) {
            return Some(i + literal.len());
        }
    }
    let ch = &low.chars;
    let mut j = i;
    while j < ch.len() && is_letter(ch[j]) {
        j += 1;
    }
    if j > i { Some(j) } else { None }
}

/// A pattern (written with a leading `^`) matched at `pos` on the rest of the text; the
/// match ends where a group named `look` (a trailing look-ahead) starts, if it took part.
fn anchored_end(re: &Regex, low: &Side, pos: usize) -> Option<usize> {
    let offset = low.b(pos);
    let rest = line_rest(low, offset);
    let end = if re.captures_len() > 1 {
        let caps = re.captures(rest)?;
        match caps.name("look") {
            Some(look) => look.start(),
            None => caps.get(0).unwrap().end(),
        }
    } else {
        re.find(rest)?.end()
    };
    Some(low.c(offset + end))
}

/// `anchored_end` for a fancy-regex pattern (its look-aheads are real ones).
fn fancy_anchored_end(re: &FancyRegex, low: &Side, pos: usize) -> Option<usize> {
    let offset = low.b(pos);
    match re.find(line_rest(low, offset)) {
        Ok(Some(m)) => Some(low.c(offset + m.end())),
        _ => None,
    }
}

/// The text from byte `offset` through the next line break. The anchored patterns cross no
/// line break except as their last character, so they match there as on the whole rest
/// (a `$` is reached only past the text's end), and the regex engine reads a short input.
fn line_rest<'a>(low: &Side<'a>, offset: usize) -> &'a str {
    let rest = &low.s[offset..];
    match rest.find('\n') {
        Some(i) => &rest[..i + 1],
        None => rest,
    }
}

const PHRASE: &str = r"(?:[ \t]+(?:regards|wishes|you|so|much|again|a|lot|all|freundlichen|grüßen|grüssen|saludos|salutations|saluti|cordiali|vriendelijke|groeten|d'avance)){0,4}[ \t]*";
const LETTER: &str = r"[\p{L}\p{Nl}\p{No}]";

static SIGN_OFF_END: Lazy<Regex> = Lazy::new(|| {
    Regex::new(&format!(r"^{}(?:(?P<line>[,!.]?[ \t]*(?:\r?\n|$))|(?P<comma>,))", PHRASE)).unwrap()
});
static SIGN_OFF_BARE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(&format!(r"^{}(?:(?P<line>[,!.]?[ \t]*(?:\r?\n|$))|(?P<comma>,)|(?P<look>{}))",
                        PHRASE, LETTER)).unwrap()
});
static SIGN_OFF_INLINE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(&format!(
        r"^(?:[ \t]+(?:regards|wishes|you|so|much|again|a|lot|all|d'avance|in|advance|beforehand)){{0,4}}[ \t]*[,!.]?[ \t]*(?:[-–—][ \t]*)?(?P<look>{})",
        LETTER)).unwrap()
});
static WEAK_INTRO_AT: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"^(?:this[ \t]+is|it['’]s|soy|sono|c'est)[ \t]+").unwrap()
});
// Python's `$` (searched up to endpos) also matches before a final newline.
static WEAK_INTRO_BEFORE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?:^|[^\p{L}\p{N}_'])(?:this[ \t]+is|i'm|i[ \t]+am|it's|here[ \t]+is|je[ \t]+suis|ich[ \t]+bin|soy|sono|c'est)[ \t]+\n?\z").unwrap()
});
// The rest of `_short_clause_pattern` after the word (and its look-ahead).
static SHORT_CLAUSE_REST: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"^[ \t]*(?:[^\s\x1c-\x1f.,!;?<:]+[ \t]+){0,5}[^\s\x1c-\x1f.,!;?<:]*[ \t]*(?:[\n\r.,!;?<:]|$)").unwrap()
});

/// `_INTRO_AFTER`: what must follow an intro word, matched at the word (fancy-regex: the
/// look-aheads Python's patterns have, and \b as Python sees words).
static INTRO_AFTER: Lazy<HashMap<&'static str, FancyRegex, FastHash>> = Lazy::new(|| {
    let table: &[(&str, &str)] = &[
        ("name", r"name(?:[ \t]*(?:[:=,]|-(?=[ \t]))|[ \t]+(?:is|was|ist|est|es|è)\b:?)"),
        ("llamo", r"llamo\b"), ("m'appelle", r"m'appelle\b"),
        ("heiße", r"heiße\b"), ("heisse", r"heisse\b"),
        ("chiamo", r"chiamo\b"), ("nombre", r"nombre(?:[ \t]+es\b|[ \t]*:)"),
        ("holder", r"holder(?:[ \t]*[:=]|[ \t]+(?:is\b|name:(?=\w)|name\b))?"),
        ("cardholder", r"cardholder(?:[ \t]*:|[ \t]+(?:is\b|name:(?=\w)|name\b))?"),
        ("karteninhaber", r"karteninhaber(?:in)?[ \t]*:?"),
        ("titular", r"titular[ \t]*:?"),
        ("signed", r"signed(?:[ \t]*,|[ \t]+by\b)"),
        ("behalf", r"behalf[ \t]+of\b"),
        ("attn", r"attn\.?[ \t]*:?"), ("attention", r"attention[ \t]*:"),
        ("c/o", r"c/o\b"), ("ansprechpartner", r"ansprechpartner(?:in)?[ \t]*:?"),
        ("spoke", r"spoke[ \t]+(?:with|to|w/)(?!\w)"),
        ("speaking", r"speaking[ \t]+(?:with|to)\b"),
        ("talked", r"talked[ \t]+(?:with|to)\b"),
        ("ask", r"ask[ \t]+for\b"), ("cc", r"cc\b[ \t]*:?"),
        ("from", r"from[ \t]*:"), ("contact", r"contact(?:[ \t]+person)?[ \t]*:"),
        ("agent", r"agent[ \t]*:"), ("nom", r"nom[ \t]*:"),
        ("customer", r"customer[ \t]*:"), ("caller", r"caller\b[ \t]*:?"),
        ("add", r"add\b"), ("naam", r"naam[ \t]*:"),
        ("nome", r"nome[ \t]*:"), ("called", r"called\b"),
        ("named", r"named\b"), ("requester", r"requester[ \t]*:"),
        ("recipient", r"recipient[ \t]*:"), ("empfänger", r"empfänger[ \t]*:"),
        ("destinataire", r"destinataire[ \t]*:"),
        ("destinatario", r"destinatario[ \t]*:"),
        ("vorname", r"vorname[ \t]*:"), ("nachname", r"nachname[ \t]*:"),
    ];
    // Python's \w (and so \b after a word character) is a letter, a digit or "_"; the regex
    // crate's also holds combining marks. Every \b here follows a word character.
    table.iter().map(|&(word, pattern)| {
        let pattern = pattern.replace(r"\b", r"(?![\p{L}\p{N}_])").replace(r"\w", r"[\p{L}\p{N}_]");
        (word, FancyRegex::new(&format!("^{}", pattern)).unwrap())
    }).collect()
});

/// Where `token` starts a word in `low` (not inside a longer word).
pub fn positions(low: &Side, token: &str) -> Vec<usize> {
    let mut found = Vec::new();
    let token_len = token.chars().count();
    let open_end = token.chars().last().map_or(false, is_alnum);
    let mut check = |i: usize| {
        if (i == 0 || !is_alnum(low.chars[i - 1]))
            && !(open_end && low.at(i + token_len).map_or(false, is_alnum)) {
            found.push(i); // "beste" is not read inside "bestelling"
        }
    };
    if overlaps(token) {
        let mut index = low.find(token, 0);
        while let Some(i) = index {
            check(i);
            index = low.find(token, i + 1);
        }
    } else {
        // without a border the occurrences cannot overlap: one scan finds them all
        for (b, _) in low.s.match_indices(token) {
            check(low.c(b));
        }
    }
    found
}

/// Whether two occurrences of `token` can overlap (a proper prefix is also a suffix).
fn overlaps(token: &str) -> bool {
    let bytes = token.as_bytes();
    (1..bytes.len()).any(|k| bytes[..k] == bytes[bytes.len() - k..])
}

/// `_short_clause_after`: where `token` (with " is" after "this") is followed by at most six
/// words and the end of a clause or line, as `finditer` finds them, at a word's start.
fn short_clause_after(low: &Side, token: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let token_len = token.chars().count();
    let mut cursor = 0;
    while let Some(p) = low.find(token, cursor) {
        let mut j = p + token_len;
        let mut ok = true;
        if token == "this" {
            let k = skip_spaces(low, j);
            if k > j && low.startswith_at("is", k) {
                j = k + 2;
            } else {
                ok = false;
            }
        }
        if ok && !low.at(j).map_or(false, is_alnum) {
            if let Some(end) = anchored_end(&SHORT_CLAUSE_REST, low, j) {
                if p == 0 || !is_alnum(low.chars[p - 1]) {
                    out.push(p);
                }
                cursor = end.max(p + 1);
                continue;
            }
        }
        cursor = p + 1;
    }
    out
}

// ---------------------------------------------------------------------------------------
// Name runs

struct Run<'a> {
    start: usize,
    end: usize,
    stop_word: &'a str,
    stop_char: Option<char>,
    tokens: Vec<&'a str>,
}

fn char_len(s: &str) -> usize {
    if s.is_ascii() { s.len() } else { s.chars().count() }
}

/// `_name_run`: 1-4 name tokens from `index` (after spaces) on one line, ending at
/// punctuation, a stop word or the line's end.
fn name_run<'a>(low: &Side<'a>, index: usize, max_tokens: usize) -> Option<Run<'a>> {
    let stops = &*STOPWORDS;
    let (first_start, first_end) = first_word(low, index)?;
    let first = low.slice(first_start, first_end);
    if stops.contains(first) && !PARTICLES.contains(first)
        && !is_initial(low, first_end, first_end - first_start) {
        return None;
    }
    let mut found: Vec<(&'a str, usize, usize)> = Vec::new();
    let mut index = skip_spaces(low, index);
    let mut stop_word: &'a str = "";
    let mut stop_char: Option<char> = None;
    while found.len() < max_tokens + 3 {
        let word_end = match word_at(low, index) {
            Some(end) => end,
            None => {
                stop_char = low.at(index);
                break;
            }
        };
        let word = low.slice(index, word_end);
        let length = word_end - index;
        let initial = is_initial(low, word_end, length);
        if !(PARTICLES.contains(word) && !found.is_empty())
            && ((stops.contains(word) && !initial) || NOT_NAME.contains(word)
                || (HONORIFICS.contains(word) && !(initial && !found.is_empty()))
                || (length == 1 && !initial) || length > 30) {
            stop_word = word;
            break;
        }
        let word_end = word_end + initial as usize;
        found.push((word, index, word_end));
        index = skip_spaces(low, word_end);
        if index == word_end && !initial {
            stop_char = low.at(index);
            if stop_char == Some('.') && low.at(index + 1).map_or(false, is_alnum) {
                stop_char = Some('_'); // "anna.smith@...": part of an address or a handle
            }
            break;
        }
    }
    while found.last().map_or(false, |f| PARTICLES.contains(f.0)) {
        found.pop();
    }
    if found.is_empty() {
        return None;
    }
    let tokens: Vec<&'a str> = found.iter().map(|f| f.0).collect();
    if tokens.iter().filter(|t| !PARTICLES.contains(**t)).count() > max_tokens
        || tokens.iter().all(|t| char_len(t) == 1) {
        return None;
    }
    Some(Run { start: found[0].1, end: found[found.len() - 1].2, stop_word, stop_char, tokens })
}

fn char_in(c: Option<char>, chars: &[char]) -> bool {
    match c {
        Some(c) => chars.contains(&c),
        None => false,
    }
}

/// A name does not continue into an e-mail address, a handle or a path.
const JOINED: &[char] = &['@', '_', '/', '\\', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

fn plausible(run: &Run, strong: bool) -> bool {
    let tokens = &run.tokens;
    if (PARTICLES.contains(tokens[0]) && tokens.len() == 1) || char_in(run.stop_char, JOINED)
        || generic(run, None) {
        return false;
    }
    let ends_cleanly = run.stop_char.is_none() || char_in(run.stop_char, &[
        '\n', '\r', ',', ':', '!', '.', ';', '?', '<', '(', ')', '|', '-', '—', '\'', '"']);
    if strong {
        return ends_cleanly || !run.stop_word.is_empty() || tokens.len() <= 3;
    }
    if GIVEN.contains(tokens[0]) {
        return true;
    }
    ends_cleanly && run.stop_word.is_empty()
        && tokens.iter().filter(|t| !PARTICLES.contains(**t)).count() <= 3
}

/// A group, not a person; with the text, also a generic word later on the line.
fn generic(run: &Run, low: Option<&Side>) -> bool {
    if GENERIC.contains(run.stop_word)
        || run.tokens.iter().any(|t| t.split('-').any(|part| GENERIC.contains(part))) {
        return true;
    }
    let low = match low {
        Some(low) if !low.is_empty() => low,
        _ => return false,
    };
    // _TAIL: [^\n,:;!?.]{0,30}
    let ch = &low.chars;
    let mut end = run.end;
    while end < ch.len() && end - run.end < 30 && !matches!(ch[end], '\n' | ',' | ':' | ';' | '!' | '?' | '.') {
        end += 1;
    }
    split_words(low.slice(run.end, end)).any(|w| GENERIC.contains(w))
}

type Hit = (usize, usize, f64);

fn skip_honorific(low: &Side, start: usize) -> usize {
    let index = skip_spaces(low, start);
    if let Some(end) = honorific_word(low, index) {
        if HONORIFICS.contains(low.slice(index, end)) {
            let end = end + (low.at(end) == Some('.')) as usize;
            if end < low.len() && is_space_tab(low.at(end)) {
                return end;
            }
        }
    }
    index
}

fn owned_name(low: &Side, position: usize) -> bool {
    let line_start = low.rfind_in("\n", 0, position).map_or(0, |i| i + 1);
    let window = low.slice(line_start.max(position.saturating_sub(24)), position);
    match last_word(window) {
        None => true,
        Some(w) => NAME_OWNERS.contains(w) || w.ends_with("'s") || w.ends_with("’s"),
    }
}

fn preceded_by_greeting(low: &Side, position: usize) -> bool {
    let window = low.slice(position.saturating_sub(24), position);
    matches!(last_word(window), Some("good") | Some("guten") | Some("buenos") | Some("buenas") | Some("goede"))
}

fn after_name_word(low: &Side, position: usize) -> bool {
    let window = low.slice(position.saturating_sub(30), position);
    match last_word(window) {
        None => false,
        Some(w) => is_alpha_word(w) && !STOPWORDS.contains(w) && !TRIGGER_KIND.contains_key(w),
    }
}

fn after_honorific(low: &Side, position: usize, after: usize, base: &str) -> Vec<Hit> {
    if position > 0 && low.chars[position - 1].is_ascii_digit() {
        return vec![]; // "200 ms"
    }
    let dotted = after < low.len() && low.chars[after] == '.';
    if base == "m" && (!dotted || after_name_word(low, position)) {
        return vec![]; // "karen m. whitfield": an initial, not monsieur
    }
    let start = after + dotted as usize;
    if start >= low.len() || !is_space_tab(low.at(start)) {
        return vec![];
    }
    let run = match name_run(low, start, 4) {
        Some(run) => run,
        None => return vec![],
    };
    let strong = dotted || matches!(base, "mrs" | "mr" | "herr" | "frau" | "mme" | "mlle" | "monsieur"
        | "madame" | "señor" | "señora" | "signora" | "signor" | "dott" | "dott.ssa");
    if !strong {
        let first = run.tokens[0];
        let known = GIVEN.contains(first) || SURNAMES.contains(first);
        if !(known || (char_in(run.stop_char, PUNCT) && run.tokens.len() <= 3)) {
            return vec![];
        }
    }
    if plausible(&run, true) { vec![(run.start, run.end, 0.8)] } else { vec![] }
}

fn name_line(low: &Side, mut index: usize, signature: bool) -> Vec<Hit> {
    while index < low.len() && matches!(low.chars[index], ' ' | '\t' | '\r' | '\n' | '>') {
        index += 1; // ">" quotes a reply's lines
    }
    let run = match name_run(low, skip_honorific(low, index), 4) {
        Some(run) => run,
        None => return vec![],
    };
    if !run.stop_word.is_empty()
        || !(run.stop_char.is_none() || char_in(run.stop_char, &['\n', '\r', ',', '|'])) {
        return vec![];
    }
    if run.tokens.len() == 1 && !GIVEN.contains(run.tokens[0]) && !SURNAMES.contains(run.tokens[0])
        && !signature {
        return vec![];
    }
    vec![(run.start, run.end, 0.75)]
}

fn strip_blank(s: &str) -> &str {
    s.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
}

fn inline_sign_off(low: &Side, after: usize) -> Vec<Hit> {
    if let Some(end) = anchored_end(&SIGN_OFF_INLINE, low, after) {
        if let Some(run) = name_run(low, end, 4) {
            if run.stop_word.is_empty()
                && (run.stop_char.is_none() || char_in(run.stop_char, &['\n', '\r']))
                && plausible(&run, true)
                && strip_blank(low.slice(run.end, low.len())).is_empty() {
                return vec![(run.start, run.end, 0.7)];
            }
        }
    }
    vec![]
}

fn after_sign_off(low: &Side, position: usize, after: usize, base: &str) -> Vec<Hit> {
    if DASHES_L.contains(&base) {
        // "— Anna" or "--\nAnna" only at the start of a line
        if position > 0 && low.chars[position - 1] != '\n' {
            return vec![];
        }
        let found = name_line(low, after, true);
        let line = low.rfind_in("\n", 0, position.saturating_sub(1)).map_or(0, |i| i + 1);
        let previous = low.slice(line, position).trim_start_matches(|c| matches!(c, ' ' | '\t' | '>'));
        if base == "-" && !found.is_empty() {
            let end = found[0].1;
            if previous.starts_with('-') || (!strip_blank(low.slice(end, low.len())).is_empty()
                && !(low.startswith_at("\n\n", end) || low.startswith_at("\r\n\r\n", end))) {
                return vec![]; // "- plan renewed": an item of a list
            }
        }
        return found;
    }
    let re: &Regex = if BARE_SIGN_OFFS_L.contains(&base) { &SIGN_OFF_BARE } else { &SIGN_OFF_END };
    let offset = low.b(after);
    let caps = match re.captures(line_rest(low, offset)) {
        Some(caps) => caps,
        None => return inline_sign_off(low, after),
    };
    let end_byte = match caps.name("look") {
        Some(look) => look.start(),
        None => caps.get(0).unwrap().end(),
    };
    let end = low.c(offset + end_byte);
    if caps.name("line").map_or(false, |m| !m.as_str().is_empty()) {
        return name_line(low, end, true);
    }
    let comma = caps.name("comma").map_or(false, |m| !m.as_str().is_empty());
    if let Some(run) = name_run(low, end, 3) {
        if GIVEN.contains(run.tokens[0])
            && (run.stop_char.is_none() || char_in(run.stop_char, &['\n', '\r', '!', '.'])) {
            return vec![(run.start, run.end, 0.75)];
        }
        if comma && (run.stop_char.is_none() || char_in(run.stop_char, &['\n', '\r']))
            && run.stop_word.is_empty() {
            return vec![(run.start, run.end, 0.7)];
        }
    }
    inline_sign_off(low, after)
}

fn at_trigger(low: &Side, position: usize, base: &str, kind: Kind) -> Vec<Hit> {
    let after = position + char_len(base);
    if (kind == Kind::SaluteWeak || kind == Kind::SignOff) && is_space_tab(low.at(after)) {
        // the usual case in prose: "hello team", "thanks for", "merci d'avance"
        if let Some((start, end)) = first_word(low, after) {
            let word = low.slice(start, end);
            if STOPWORDS.contains(word) && !HONORIFICS.contains(word) && !SIGN_OFF_WORDS.contains(word)
                && !is_initial(low, end, end - start) {
                return vec![];
            }
        }
    }
    match kind {
        Kind::Honorific => after_honorific(low, position, after, base),
        Kind::SaluteStrong => match name_run(low, skip_honorific(low, after), 4) {
            Some(run) if plausible(&run, true) && !generic(&run, Some(low)) => {
                vec![(run.start, run.end, 0.8)]
            }
            _ => vec![],
        },
        Kind::SaluteWeak => {
            if TIME_GREETINGS_L.contains(&base) && !preceded_by_greeting(low, position) {
                return vec![];
            }
            if low.at(after) == Some(',') {
                // "buenos días, ana:" - after a comma only a run that ends its line or sentence
                let run = match name_run(low, skip_honorific(low, after + 1), 4) {
                    Some(run) => run,
                    None => return vec![],
                };
                if !run.stop_word.is_empty()
                    || !(run.stop_char.is_none() || char_in(run.stop_char, &['\n', '\r', ',', ':', '!'])) {
                    return vec![];
                }
                return if plausible(&run, false) && !generic(&run, Some(low)) {
                    vec![(run.start, run.end, 0.75)]
                } else {
                    vec![]
                };
            }
            match name_run(low, skip_honorific(low, after), 4) {
                Some(run) if plausible(&run, false) && !generic(&run, Some(low)) => {
                    vec![(run.start, run.end, 0.75)]
                }
                _ => vec![],
            }
        }
        Kind::SignOff => after_sign_off(low, position, after, base),
        Kind::WeakIntro => {
            let end = match anchored_end(&WEAK_INTRO_AT, low, position) {
                Some(end) => end,
                None => return vec![],
            };
            let run = match name_run(low, end, 3) {
                Some(run) => run,
                None => return vec![],
            };
            if !run.stop_word.is_empty()
                || !(run.stop_char.is_none() || char_in(run.stop_char, &['\n', '\r', '.', ',', '!', ';']))
                || !plausible(&run, true) {
                return vec![];
            }
            let tokens = &run.tokens;
            if GIVEN.contains(tokens[0]) || (tokens.len() >= 2 && tokens.iter().any(|t| {
                GIVEN.contains(*t) || SURNAMES.contains(*t)
            })) {
                return vec![(run.start, run.end, 0.75)];
            }
            vec![]
        }
        Kind::Apposition => {
            // "my father, anna kovacs." - the whole clause after the comma is the name
            let run = match name_run(low, skip_honorific(low, after + 1), 4) {
                Some(run) => run,
                None => return vec![],
            };
            if !run.stop_word.is_empty() || !(run.stop_char.is_none()
                || char_in(run.stop_char, &['\n', '\r', '.', ',', ';', ')', '!'])) {
                return vec![];
            }
            if plausible(&run, true) { vec![(run.start, run.end, 0.75)] } else { vec![] }
        }
        Kind::Intro | Kind::Given => {
            let end = match INTRO_AFTER.get(base).and_then(|re| fancy_anchored_end(re, low, position)) {
                Some(end) => end,
                None => return vec![],
            };
            if base == "name" && !owned_name(low, position) {
                return vec![];
            }
            let run = match name_run(low, skip_honorific(low, end), 4) {
                Some(run) if plausible(&run, true) => run,
                _ => return vec![],
            };
            if LINE_FIELDS.contains(base) {
                let clean = run.stop_char.is_none() || char_in(run.stop_char, &['\n', '\r', '<'])
                    || (base == "caller" && char_in(run.stop_char, &['.', ';']));
                if !run.stop_word.is_empty() || !clean
                    || (run.tokens.len() == 1 && !GIVEN.contains(run.tokens[0])) {
                    return vec![]; // a chat message after a speaker label, not a name field
                }
            }
            if base == "called" || base == "named" {
                let window = low.slice(position.saturating_sub(12), position);
                if !matches!(last_word(window), Some("someone") | Some("somebody") | Some("person")
                    | Some("man") | Some("woman") | Some("guy") | Some("lady")) {
                    return vec![]; // "someone called anna kovacs", not "i called yesterday"
                }
            }
            if base == "add" && !low.startswith_at(" as ", run.end) {
                return vec![]; // "add anna kovacs as an authorised user", not "add milk"
            }
            if base == "name" && low.chars[end - 1] == ','
                && !(run.stop_char.is_none() || char_in(run.stop_char, &['\n', '\r', '.'])) {
                return vec![]; // "in my husband's name, anna kovacs."
            }
            vec![(run.start, run.end, 0.8)]
        }
    }
}

type SpanMap = HashMap<(usize, usize), f64, FastHash>;

/// " anna kovacs here, following up": a name that opens a line, clause or sentence and is
/// followed by "here" and the end of the clause.
fn here(low: &Side, spans: &mut SpanMap) {
    let ch = &low.chars;
    let mut index = low.find(" here", 0);
    while let Some(i) = index {
        let after = low.at(i + 5);
        if after.is_none() || char_in(after, &[',', '.', '!', '\n', '\r', ':', ';'])
            || low.startswith_at(" -", i + 5) {
            let line = low.rfind_in("\n", 0, i).map_or(0, |j| j + 1);
            let head_start = line.max(i.saturating_sub(60));
            // _CLAUSE_CUT: [!?:;,]|(?<![ \t,][^\W\d_])\.  (the head is its own string)
            let mut cut: isize = -1;
            for k in head_start..i {
                let c = ch[k];
                if matches!(c, '!' | '?' | ':' | ';' | ',') {
                    cut = (k - head_start) as isize;
                } else if c == '.' {
                    let blocked = k >= head_start + 2 && matches!(ch[k - 2], ' ' | '\t' | ',')
                        && is_letter(ch[k - 1]);
                    if !blocked {
                        cut = (k - head_start) as isize;
                    }
                }
            }
            let start = (head_start as isize + cut + 1) as usize;
            if let Some(run) = name_run(low, start, 3) {
                if run.end == i && run.stop_word == "here"
                    && (run.tokens.len() >= 2 || GIVEN.contains(run.tokens[0]))
                    && plausible(&run, true) {
                    spans.entry((run.start, run.end)).or_insert(0.75);
                }
            }
        }
        index = low.find(" here", i + 5);
    }
}

/// `_EMAIL_AFTER.match(low, index)`: `<([^<>\s@]+)@([^<>\s]+)>`, the two groups.
fn email_after(low: &Side, index: usize) -> Option<((usize, usize), (usize, usize))> {
    let ch = &low.chars;
    let n = ch.len();
    if index >= n || ch[index] != '<' {
        return None;
    }
    let mut j = index + 1;
    while j < n && !matches!(ch[j], '<' | '>' | '@') && !py::isspace(ch[j]) {
        j += 1;
    }
    if j == index + 1 || j >= n || ch[j] != '@' {
        return None;
    }
    let mut k = j + 1;
    while k < n && !matches!(ch[k], '<' | '>') && !py::isspace(ch[k]) {
        k += 1;
    }
    if k == j + 1 || k >= n || ch[k] != '>' {
        return None;
    }
    Some(((index + 1, j), (j + 1, k)))
}

/// The display name of an address ("anna kovacs <anna@example.org>"), unless the mailbox
/// is a role or the name is the domain's company.
fn display_names(low: &Side, spans: &mut SpanMap) {
    let mut index = low.find("<", 0);
    while let Some(i) = index {
        if let Some((mailbox, domain)) = email_after(low, i) {
            let mailbox = low.slice(mailbox.0, mailbox.1);
            let mailbox = mailbox.split('+').next().unwrap_or("");
            if !ROLE_MAILBOXES.contains(mailbox) {
                let line = low.rfind_in("\n", 0, i).map_or(0, |j| j + 1);
                let head_start = line.max(i.saturating_sub(60));
                let head = low.slice(head_start, i);
                // max of the rfinds, in code points of the head
                let cut = [",", ":", ">", "\""].iter()
                    .filter_map(|needle| head.rfind(needle))
                    .map(|b| head[..b].chars().count() as isize)
                    .max()
                    .unwrap_or(-1);
                let domain = low.slice(domain.0, domain.1);
                if let Some(run) = name_run(low, (head_start as isize + cut + 1) as usize, 4) {
                    if run.stop_char == Some('<') && plausible(&run, true)
                        && !run.tokens.iter().any(|t| char_len(t) > 3 && domain.contains(*t)) {
                        spans.entry((run.start, run.end)).or_insert(0.75);
                    }
                }
            }
        }
        index = low.find("<", i + 1);
    }
}

/// A known given name followed by a known surname (or an initial and then one).
fn given_and_surname(low: &Side, position: usize, length: usize) -> Option<(usize, usize)> {
    let end = position + length;
    if let Some(c) = low.at(end) {
        if is_alnum(c) || matches!(c, '\'' | '’' | '-') {
            return None;
        }
    }
    let index = skip_spaces(low, end);
    if index == end {
        return None;
    }
    let word_end = word_at(low, index)?;
    if word_end - index == 1 && low.at(word_end) == Some('.') {
        let after = skip_spaces(low, word_end + 1);
        let next_end = word_at(low, after)?;
        if after == next_end || STOPWORDS.contains(low.slice(after, next_end)) {
            return None;
        }
        return Some((position, next_end));
    }
    let word = low.slice(index, word_end);
    if !SURNAMES.contains(word) || STREET_WORDS.contains(word) {
        return None;
    }
    let mut last = word_end;
    let next = skip_spaces(low, last);
    if let Some(next_end) = word_at(low, next) {
        let following = low.slice(next, next_end);
        if STREET_WORDS.contains(following) {
            return None; // "queen anne road"
        }
        // a second surname ("garcía márquez") joins when it is known too
        if SURNAMES.contains(following) && next > last {
            last = next_end;
        }
    }
    Some((position, last))
}

fn after_given_name(low: &Side, position: usize, length: usize) -> Option<Hit> {
    if low.search(&WEAK_INTRO_BEFORE, position.saturating_sub(40), position).is_some() {
        if let Some(run) = name_run(low, position, 3) {
            if run.start == position && !char_in(run.stop_char, JOINED) {
                return Some((run.start, run.end, 0.75));
            }
        }
    }
    given_and_surname(low, position, length).map(|(start, end)| (start, end, 0.7))
}

/// Person names in the text (Python's `detect_people(text, low)`).
pub fn detect_people(t: &Text) -> Vec<Span> {
    let low = &t.low;
    let (any, found) = people_hits(low.s);
    if !any {
        return Vec::new();
    }
    let mut spans: SpanMap = HashMap::default();
    let mut given: Vec<&str> = Vec::new();
    let mut visited: HashSet<(usize, &str), FastHash> = HashSet::default();
    let has_newline = low.s.contains('\n');
    let n = low.len();
    let accepted = |token: &str, base: &str, kind: Kind| -> bool {
        let last = token.chars().last().unwrap();
        if token != base && (kind == Kind::SaluteWeak || kind == Kind::SaluteStrong)
            && !(last == ',' && TIME_GREETINGS_L.contains(&base)) {
            return false; // "hola," / "good morning.": punctuation, not a name, follows
        }
        if matches!(last, '.' | '?' | ';') && kind == Kind::Intro {
            return false;
        }
        if kind == Kind::SignOff && last != ',' && !BARE_SIGN_OFFS_L.contains(&base) && !has_newline {
            return false; // no line for a signature, no comma for "regards, anna"
        }
        true
    };
    let by_positions = |base: &str, kind: Kind| -> bool {
        !(kind == Kind::WeakIntro || LINE_FIELDS.contains(base) || DASHES_L.contains(&base))
    };
    // A bare word read at every position it starts a word covers its punctuated variants
    // ("thanks" and "thanks,"): their positions are among its own, and what is found at a
    // position depends on the position and the bare word only.
    let covered: Vec<&str> = found.iter()
        .filter(|&&(token, base, kind)| token == base && kind != Kind::Given
            && base.chars().last().map_or(false, is_alnum)
            && by_positions(base, kind) && accepted(token, base, kind))
        .map(|&(_, base, _)| base)
        .collect();
    for &(token, base, kind) in &found {
        if kind == Kind::Given {
            if !given.contains(&base) {
                given.push(base);
            }
            continue;
        }
        if !accepted(token, base, kind) || (token != base && covered.contains(&base)) {
            continue;
        }
        let visits = if kind == Kind::WeakIntro || LINE_FIELDS.contains(base) {
            short_clause_after(low, token)
        } else if DASHES_L.contains(&base) {
            // a dash signs off only at the start of a line
            let mut visits = Vec::new();
            if low.s.starts_with(token) {
                visits.push(0);
            }
            let needle = format!("\n{}", token);
            let mut index = low.find(&needle, 0);
            while let Some(i) = index {
                visits.push(i + 1);
                index = low.find(&needle, i + 1);
            }
            visits
        } else {
            positions(low, token)
        };
        for position in visits {
            if !visited.insert((position, base)) {
                continue;
            }
            if kind == Kind::WeakIntro {
                if anchored_end(&WEAK_INTRO_AT, low, position).is_none() {
                    continue;
                }
            } else if TIME_GREETINGS_L.contains(&base) {
                if !preceded_by_greeting(low, position) {
                    continue;
                }
            } else if base == "-" {
                // a dash that opens an item of a list
                let line_end = low.find("\n", position).unwrap_or(n);
                if line_end - position > 2 && line_end < n && !low.startswith_at("\n\n", line_end) {
                    continue;
                }
            }
            for (start, end, score) in at_trigger(low, position, base, kind) {
                let current = spans.get(&(start, end)).copied().unwrap_or(0.0);
                if current < score {
                    spans.insert((start, end), score);
                }
            }
        }
    }
    if low.s.contains(" here") {
        here(low, &mut spans);
    }
    if low.s.contains('<') && low.s.contains('@') {
        display_names(low, &mut spans);
    }
    // in text order, so a name inside one found before it is skipped
    let mut at: Vec<(usize, usize)> = Vec::new();
    // A name of letters only starts a word where a run of letters and digits equal to it
    // stands: several such names are found in one pass over those runs.
    let (plain, other): (Vec<&str>, Vec<&str>) =
        given.iter().partition(|name| name.chars().all(is_alnum));
    if plain.len() >= 2 {
        let names: HashSet<&str, FastHash> = plain.iter().copied().collect();
        let ch = &low.chars;
        let mut i = 0;
        while i < n {
            if !is_alnum(ch[i]) {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < n && is_alnum(ch[j]) {
                j += 1;
            }
            if names.contains(low.slice(i, j)) {
                at.push((i, j - i));
            }
            i = j;
        }
    } else {
        for name in &plain {
            let length = char_len(name);
            at.extend(positions(low, name).into_iter().map(|position| (position, length)));
        }
    }
    for name in &other {
        let length = char_len(name);
        at.extend(positions(low, name).into_iter().map(|position| (position, length)));
    }
    at.sort_unstable();
    for (position, length) in at {
        if let Some((start, end, score)) = after_given_name(low, position, length) {
            if !spans.keys().any(|&(s, e)| s <= start && start < e) {
                spans.insert((start, end), score);
            }
        }
    }
    spans.into_iter().map(|((start, end), score)| Span::new(start, end, "PERSON", score)).collect()
}

#[pyfunction]
#[pyo3(name = "detect_people")]
fn py_detect_people(text: &str, low: &str) -> PySpans {
    to_py(detect_people(&Text::new(text, low)))
}

pub fn register(m: &PyModule) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(py_detect_people, m)?)?;
    Ok(())
}
