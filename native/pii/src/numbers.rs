//! Port of `_checks.py` (the checks the numbers use: Luhn, card brand, IBAN lengths and
//! checksum, SSN validity), `_phones.py` and `_numbers.py`: phone numbers, payment cards,
//! SSNs and IPv4 addresses inside digit clusters, IBANs and IPv6 addresses.
//!
//! Python's patterns are translated for the `regex` crate: a look-behind on the character
//! before a match is checked by hand (a failed one makes the search go on one character
//! further, as `finditer` does), and a look-ahead after a match is written as a tail that
//! consumes the character(s) it looks at; where the body ends is read off the match (see
//! `Tail`). Leftmost-first matching then picks the same parse as Python's backtracking.
//! The hottest patterns (clusters, phone candidates, IBAN and IPv6 candidates) are scanned
//! by hand, with their backtracking spelled out. `\d` and `\w` are Python's classes exactly
//! (tables in numbers_unicode.rs), and `\b` is spelled out with them.

use std::collections::HashSet;

use once_cell::sync::Lazy;
use pyo3::prelude::*;
use regex::Regex;

use crate::text::{to_py, PySpans, Side, Span, Text};

use crate::pyunicode as uni;

// ---------------------------------------------------------------------------------------
// Python's str predicates and regex classes

use crate::text::py::{isalpha, isdecimal as is_d, isdigit, isspace, isupper, isword as is_w};

/// The value of a `\d` character, as int() reads it.
fn decimal_value(c: char) -> u32 {
    if c.is_ascii_digit() {
        return c as u32 - '0' as u32;
    }
    let code = c as u32;
    let i = uni::DECIMAL_ZEROS.partition_point(|&zero| zero <= code);
    code - uni::DECIMAL_ZEROS[i - 1]
}

use crate::pyunicode::regex_class as class;

static W_CLASS: Lazy<String> = Lazy::new(|| class(uni::WORD));
static D_CLASS: Lazy<String> = Lazy::new(|| class(uni::DECIMAL));

/// A pattern with `{W}` and `{D}` standing for the contents of Python's `\w` and `\d`.
fn re(pattern: &str) -> Regex {
    Regex::new(&pattern.replace("{W}", &W_CLASS).replace("{D}", &D_CLASS)).unwrap()
}

// ---------------------------------------------------------------------------------------
// Small helpers on code-point slices

fn ascii_digits(chars: &[char]) -> usize {
    chars.iter().filter(|c| c.is_ascii_digit()).count()
}

fn starts_with(h: &[char], at: usize, p: &str) -> bool {
    let mut i = at;
    for c in p.chars() {
        if i >= h.len() || h[i] != c {
            return false;
        }
        i += 1;
    }
    true
}

fn rfind(h: &[char], p: &str) -> Option<usize> {
    let first = p.chars().next()?;
    let n = p.chars().count();
    if n > h.len() {
        return None;
    }
    (0..=h.len() - n).rev().find(|&i| h[i] == first && starts_with(h, i, p))
}

fn find(h: &[char], p: &str) -> Option<usize> {
    let first = p.chars().next()?;
    let n = p.chars().count();
    if n > h.len() {
        return None;
    }
    (0..=h.len() - n).find(|&i| h[i] == first && starts_with(h, i, p))
}

/// Python's `max(s.rfind(a), s.rfind(b), ...) + 1`: where the text after the last stop starts.
fn after_last(h: &[char], stops: &[&str]) -> usize {
    // the last position any of them starts at, in one pass from the end
    (0..h.len()).rev().find(|&i| stops.iter().any(|s| starts_with(h, i, s))).map_or(0, |i| i + 1)
}

fn eq(h: &[char], p: &str) -> bool {
    h.len() == p.chars().count() && starts_with(h, 0, p)
}

/// Code-point offset of byte offset `b` in `s`.
fn cp(s: &str, b: usize) -> usize {
    let head = &s.as_bytes()[..b];
    if head.is_ascii() {
        b
    } else {
        s[..b].chars().count()
    }
}

fn next_boundary(s: &str, b: usize) -> usize {
    let mut next = b + 1;
    while next < s.len() && !s.is_char_boundary(next) {
        next += 1;
    }
    next
}

/// How many characters a pattern's look-ahead tail consumed after its body.
#[derive(Clone, Copy)]
enum Tail {
    /// `(?:$|[^\d])` after a body ending in a digit
    NotDigit,
    /// `(?:$|[^\w])` after a body ending in a word character
    NotWord,
    /// `(?:$|[^\w<sep>]|<sep>$|<sep>[^\d])` after a body ending in a digit: `(?![\w]|<sep>\d)`
    NotWordNorSepDigit(fn(char) -> bool),
}

/// Where the body of a `(BODY)TAIL` match `[start, end)` ends.
fn body_end(chars: &[char], start: usize, end: usize, tail: Tail) -> usize {
    if end == start {
        return end;
    }
    let last = chars[end - 1];
    match tail {
        Tail::NotDigit => if is_d(last) { end } else { end - 1 },
        Tail::NotWord => if is_w(last) { end } else { end - 1 },
        Tail::NotWordNorSepDigit(sep) => {
            if is_d(last) {
                end
            } else if end - start >= 2 && sep(chars[end - 2]) {
                end - 2
            } else {
                end - 1
            }
        }
    }
}

/// Python's `pattern.finditer(s, pos, endpos)` for a pattern `(?<![...])BODY(?!...)`,
/// compiled as `BODYTAIL` (the tail consumes what the look-ahead looks at, see `Tail`):
/// `allowed(prev)` is the look-behind on the character before the match. `f` gets the
/// code-point span of each match.
fn finditer_lb<F>(side: &Side, re: &Regex, pos: usize, endpos: usize, allowed: fn(char) -> bool,
                  tail: Tail, mut f: F)
where
    F: FnMut(usize, usize),
{
    let endpos = endpos.min(side.len());
    if pos > endpos {
        return;
    }
    let hay = &side.s[..side.b(endpos)];
    let mut at = side.b(pos);
    while at <= hay.len() {
        let m = match re.find_at(hay, at) {
            Some(m) => m,
            None => break,
        };
        let start = side.c(m.start());
        if start > 0 && !allowed(side.chars[start - 1]) {
            at = next_boundary(hay, m.start());
            continue;
        }
        let end = body_end(&side.chars, start, side.c(m.end()), tail);
        f(start, end);
        at = if end > start { side.b(end) } else { next_boundary(hay, m.start()) };
    }
}

/// The end (in code points of `s`) of a `^BODYTAIL` pattern's body matched at the start of `s`.
fn match_start(re: &Regex, s: &str, chars: &[char], tail: Tail) -> Option<usize> {
    re.find(s).map(|m| body_end(chars, 0, cp(s, m.end()), tail))
}

/// Whether `pattern.search(s, pos, endpos)` finds anything, for a pattern starting with a
/// look-behind on the character before it (compiled without it).
fn search_lb(side: &Side, re: &Regex, pos: usize, endpos: usize, allowed: fn(char) -> bool)
             -> bool {
    let endpos = endpos.min(side.len());
    if pos > endpos {
        return false;
    }
    let hay = &side.s[..side.b(endpos)];
    let mut at = side.b(pos);
    while at <= hay.len() {
        let m = match re.find_at(hay, at) {
            Some(m) => m,
            None => return false,
        };
        let start = side.c(m.start());
        if start == 0 || allowed(side.chars[start - 1]) {
            return true;
        }
        at = next_boundary(hay, m.start());
    }
    false
}

fn not_word(c: char) -> bool {
    !is_w(c)
}

// ---------------------------------------------------------------------------------------
// _checks.py

fn iban_length(a: char, b: char) -> Option<usize> {
    let mut code = [0u8; 2];
    if !a.is_ascii() || !b.is_ascii() {
        return None;
    }
    code[0] = a as u8;
    code[1] = b as u8;
    Some(match &code {
        b"AD" => 24, b"AE" => 23, b"AL" => 28, b"AT" => 20, b"AZ" => 28, b"BA" => 20,
        b"BE" => 16, b"BG" => 22, b"BH" => 22, b"BI" => 27, b"BR" => 29, b"BY" => 28,
        b"CH" => 21, b"CR" => 22, b"CY" => 28, b"CZ" => 24, b"DE" => 22, b"DJ" => 27,
        b"DK" => 18, b"DO" => 28, b"EE" => 20, b"EG" => 29, b"ES" => 24, b"FI" => 18,
        b"FK" => 18, b"FO" => 18, b"FR" => 27, b"GB" => 22, b"GE" => 22, b"GI" => 23,
        b"GL" => 18, b"GR" => 27, b"GT" => 28, b"HR" => 21, b"HU" => 28, b"IE" => 22,
        b"IL" => 23, b"IQ" => 23, b"IS" => 26, b"IT" => 27, b"JO" => 30, b"KW" => 30,
        b"KZ" => 20, b"LB" => 28, b"LC" => 32, b"LI" => 21, b"LT" => 20, b"LU" => 20,
        b"LV" => 21, b"LY" => 25, b"MC" => 27, b"MD" => 24, b"ME" => 22, b"MK" => 19,
        b"MN" => 20, b"MR" => 27, b"MT" => 31, b"MU" => 30, b"NI" => 28, b"NL" => 18,
        b"NO" => 15, b"OM" => 23, b"PK" => 24, b"PL" => 28, b"PS" => 29, b"PT" => 25,
        b"QA" => 29, b"RO" => 24, b"RS" => 22, b"RU" => 33, b"SA" => 24, b"SC" => 31,
        b"SD" => 18, b"SE" => 24, b"SI" => 19, b"SK" => 24, b"SM" => 27, b"SO" => 23,
        b"ST" => 25, b"SV" => 28, b"TL" => 23, b"TN" => 24, b"TR" => 26, b"UA" => 29,
        b"VA" => 22, b"VG" => 24, b"XK" => 20,
        _ => return None,
    })
}

/// luhn_valid: `ord(char) - 48` per character, as the Python does for any digits.
fn luhn_valid(digits: &[char]) -> bool {
    let mut total: i64 = 0;
    for (position, &c) in digits.iter().rev().enumerate() {
        let mut value = c as i64 - 48;
        if position % 2 == 1 {
            value *= 2;
            if value > 9 {
                value -= 9;
            }
        }
        total += value;
    }
    total.rem_euclid(10) == 0
}

fn int_of(digits: &[char]) -> u64 {
    digits.iter().fold(0u64, |n, &c| n * 10 + decimal_value(c) as u64)
}

fn card_brand(digits: &[char]) -> Option<&'static str> {
    let n = digits.len();
    let two = int_of(&digits[..2]);
    let three = int_of(&digits[..3]);
    let four = int_of(&digits[..4]);
    let six = int_of(&digits[..6]);
    if digits[0] == '4' && (n == 13 || n == 16 || n == 19) {
        return Some("visa");
    }
    if ((51..=55).contains(&two) || (2221..=2720).contains(&four)) && n == 16 {
        return Some("mastercard");
    }
    if (two == 34 || two == 37) && n == 15 {
        return Some("amex");
    }
    if (four == 6011 || two == 65 || (644..=649).contains(&three)
        || (622126..=622925).contains(&six)) && (16..=19).contains(&n) {
        return Some("discover");
    }
    if (3528..=3589).contains(&four) && (16..=19).contains(&n) {
        return Some("jcb");
    }
    if ((300..=305).contains(&three) || two == 36 || two == 38 || two == 39 || four == 3095)
        && (14..=19).contains(&n) {
        return Some("diners");
    }
    if two == 62 && (16..=19).contains(&n) {
        return Some("unionpay");
    }
    if (matches!(two, 50 | 56 | 57 | 58) || matches!(four, 6304 | 6759 | 6761 | 6762 | 6763))
        && (12..=19).contains(&n) {
        return Some("maestro");
    }
    None
}

/// iban_valid on a compact IBAN (letters, then `\d` check digits, then letters and digits).
fn iban_valid(compact: &[char]) -> bool {
    if compact.len() < 4 || iban_length(compact[0], compact[1]) != Some(compact.len())
        || !compact[2..4].iter().all(|&c| isdigit(c)) {
        return false;
    }
    let mut remainder: u32 = 0;
    for &c in compact[4..].iter().chain(compact[..4].iter()) {
        if c.is_ascii_alphabetic() {
            let value = c.to_ascii_uppercase() as u32 - 'A' as u32 + 10;
            remainder = (remainder * 100 + value) % 97;
        } else if is_d(c) {
            remainder = (remainder * 10 + decimal_value(c)) % 97;
        } else {
            return false; // int(c, 36) raises
        }
    }
    remainder == 1
}

fn ssn_valid(area: &[char], group: &[char], serial: &[char]) -> bool {
    !eq(area, "000") && !eq(area, "666") && area[0] != '9' && !eq(group, "00")
        && !eq(serial, "0000")
}

// ---------------------------------------------------------------------------------------
// _phones.py


/// `PHONE_CANDIDATE.finditer(text, pos, endpos)`:
/// `(?<![\w+#/.:$€£@-])(?:\+|\(\+?)?\d[\d() \t.\-]{4,40}\d`.
fn phone_candidates(text: &Side, pos: usize, endpos: usize, mut f: impl FnMut(usize, usize)) {
    let chars = &text.chars;
    let endpos = endpos.min(chars.len());
    let middle = |c: char| is_d(c) || matches!(c, '(' | ')' | ' ' | '\t' | '.' | '-');
    let mut p = pos;
    while p < endpos {
        if p > 0 && !phone_candidate_allowed(chars[p - 1]) {
            p += 1;
            continue;
        }
        // the optional prefix: '+', or '(' and an optional '+' (no other way can match)
        let mut q = p;
        if chars[q] == '+' {
            q += 1;
        } else if chars[q] == '(' {
            q += 1;
            if q < endpos && chars[q] == '+' {
                q += 1;
            }
        }
        if q >= endpos || !is_d(chars[q]) {
            p += 1;
            continue;
        }
        // greedy middle of 4-40 characters, then the last digit it can give back to
        let mut run = 0;
        while q + 1 + run < endpos && run < 41 && middle(chars[q + 1 + run]) {
            run += 1;
        }
        let mut k = run.min(40);
        let mut end = None;
        while k >= 4 {
            let last = q + 1 + k;
            if last < endpos && is_d(chars[last]) {
                end = Some(last + 1);
                break;
            }
            k -= 1;
        }
        match end {
            Some(e) => {
                f(p, e);
                p = e;
            }
            None => p += 1,
        }
    }
}

fn phone_candidate_allowed(c: char) -> bool {
    !(is_w(c) || matches!(c, '+' | '#' | '/' | '.' | ':' | '$' | '€' | '£' | '@' | '-'))
}

// The shapes, matched at the candidate's start (`^`, their look-behind always holds there);
// the tail stands for `(?!\d)`.
static NANP_IN: Lazy<Regex> = Lazy::new(|| {
    re(r"^((?:1(?:[ \t]{1,3}|[.\-]))?\(?[2-9][{D}][{D}]\)?(?:[ \t]{1,3}|[.\-])?[{D}]{3}(?:[ \t]{1,3}|[.\-])[{D}]{4})(?:$|[^{D}])")
});
static TRUNK_IN: Lazy<Regex> = Lazy::new(|| {
    re(r"^(\(?0[1-9][{D}]{0,4}\)?(?:[ \t]{1,3}[{D}]{2,8}|(?:[ \t]{1,3})?-(?:[ \t]{1,3})?[{D}]{2,8}|\.[{D}]{2,8}){1,4})(?:$|[^{D}])")
});
static TRUNK_BARE: Lazy<Regex> = Lazy::new(|| re(r"^(0[1-9][{D}]{8})(?:$|[^{D}])"));
static BR_IN: Lazy<Regex> =
    Lazy::new(|| re(r"^(\(?[1-9][{D}]\)?[ \t]{1,3}9?[{D}]{4}-[{D}]{4})(?:$|[^{D}])"));
static SSN_SHAPE: Lazy<Regex> =
    Lazy::new(|| re(r"^[{D}]{3}(?:-|[ \t]{1,3})[{D}]{2}(?:-|[ \t]{1,3})[{D}]{4}$"));
static DATE_SHAPE: Lazy<Regex> =
    Lazy::new(|| re(r"^[{D}]{1,4}[ .\-/][{D}]{1,2}[ .\-/][{D}]{2,4}$"));
static EXTENSION: Lazy<Regex> = Lazy::new(|| {
    re(r"^((?:[ \t]{0,3},)?[ \t]{0,3}(?:x|ext\.?|extension)[ \t]{0,3}[{D}]{1,6})(?:$|[^{D}])")
});
static ORDER_SHAPE: Lazy<Regex> = Lazy::new(|| re(r"^[{D}]{3}-[{D}]{7}-[{D}]{7}"));
static ZIP4: Lazy<Regex> = Lazy::new(|| re(r"^[{D}]{5}-[{D}]{4}$"));
// `\b` at the start is the look-behind; Python's `$` also matches before a final newline.
static IBAN_PREFIX: Lazy<Regex> =
    Lazy::new(|| re(r"[A-Z]{2}[{D}]{2}(?:[ \t]?[A-Z0-9]{4}){0,7}[ \t]?\n?$"));
static SIGN_OFF: Lazy<Regex> = Lazy::new(|| {
    Regex::new(concat!(
        r"regards|thanks|thank you|cheers|sincerely|best|grüße|gruß|groet|cordialement|salutations",
        r"|tot ziens|bien à vous|un abrazo|a presto|take care|saludos?|atentamente|saluti|cordiali|cumprimentos|abraço|hilsen|mvh|hälsningar|terveisin"
    ))
    .unwrap()
});

fn set(words: &[&'static str]) -> HashSet<&'static str> {
    words.iter().copied().collect()
}

static PHONE_CONTEXT: Lazy<HashSet<&'static str>> = Lazy::new(|| {
    set(&["phone", "telephone", "tel", "cb", "mobile", "mob", "cell", "cellular", "landline",
          "line", "fax", "whatsapp", "signal", "sms", "text", "reach", "ring", "dial", "number",
          "handy", "rückruf", "mobil", "festnetz", "telefoon", "mobiel", "bel", "bellen", "tél",
          "téléphone", "portable", "fixe", "joindre", "numéro", "teléfono", "telefono", "móvil",
          "movil", "fijo", "número", "numero", "celular", "cellulare", "telefone", "contato",
          "tlf", "ring", "ringe", "nummer"])
});
const PHONE_STEMS: &[&str] = &["call", "telefon", "appel", "llam", "llám", "chiam", "lig", "ruf",
                               "anruf", "erreich", "handynummer", "mobilnummer"];
const PHONE_LABELS: &[&str] = &["m", "t", "ph", "p"];
const WORDS_BETWEEN: usize = 4;
const SIGNATURE_LINES: usize = 160;
const CONTEXT_BEFORE: usize = 28;
const CONTEXT_AFTER: usize = 40;
const STATES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
    "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
    "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
    "VT", "VA", "WA", "WV", "WI", "WY", "PR", "VI", "GU", "AS", "MP"];
static DOCUMENT_WORDS: Lazy<HashSet<&'static str>> = Lazy::new(|| {
    set(&["order", "ticket", "case", "invoice", "inv", "ref", "reference", "id", "build",
          "version", "serial", "tracking", "account", "acct", "sn", "kb", "inc", "po",
          "confirmation", "booking", "reservation", "transaction", "txn", "receipt", "policy",
          "claim", "contract", "sku", "item", "shipment", "parcel", "customer", "member",
          "membership", "quote", "commit", "sha", "hash", "changeset", "revision", "checksum",
          "run", "job", "pipeline", "bestellung", "rechnung", "auftrag", "lieferung", "sendung",
          "kunde", "vertrag", "bestelling", "factuur", "zending", "pakket", "klant", "commande",
          "facture", "colis", "dossier", "référence", "contrat", "pedido", "factura", "envío",
          "envio", "referencia", "expediente", "contrato", "ordine", "fattura", "spedizione",
          "riferimento", "pratica", "encomenda", "fatura"])
});
static CONNECTORS: Lazy<HashSet<&'static str>> = Lazy::new(|| {
    set(&["number", "num", "no", "nr", "nº", "n°", "id", "is", "was", "code", "#", "numéro",
          "número", "numero", "nummer", "est", "es", "ist", "è", "de", "du", "del", "della",
          "van"])
});
const ABBREVIATIONS: &[&str] = &["no", "nr", "num", "ref", "inv", "acct", "tel", "nº"];
const COMPOUND_ENDS: &[&str] = &["nummer", "nr"];
const PHONE_COMPOUNDS: &[&str] =
    &["telefon", "handy", "ruf", "mobil", "fax", "telefoon", "mobiel", "gsm"];
static AFTER_WORDS: Lazy<HashSet<&'static str>> = Lazy::new(|| {
    set(&["phone", "mobile", "cell", "landline", "whatsapp", "number", "numéro", "número",
          "numero", "nummer", "telefon", "telefoon", "teléfono", "telefono", "móvil", "portable",
          "telefone", "celular"])
});

/// The `\w+` runs of a slice, as (start, end).
fn word_runs(h: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < h.len() {
        if is_w(h[i]) {
            let start = i;
            while i < h.len() && is_w(h[i]) {
                i += 1;
            }
            out.push((start, i));
        } else {
            i += 1;
        }
    }
    out
}

/// `_LOCAL.fullmatch`: 3-3-3, 2-3-2-2, 3-2-2-2, 2-2-2-2 or 4-4 digits with one separator
/// (' ', '.' or '-') throughout, or 8-12 bare digits.
fn local_fullmatch(h: &[char]) -> bool {
    if h.iter().all(|&c| is_d(c)) {
        return (8..=12).contains(&h.len());
    }
    let sep = match h.iter().find(|&&c| !is_d(c)) {
        Some(&c) => c,
        None => return false,
    };
    if !matches!(sep, ' ' | '.' | '-') {
        return false;
    }
    let mut sizes = [0usize; 5];
    let mut count = 0;
    for part in h.split(|&c| c == sep) {
        if part.is_empty() || count == 5 || !part.iter().all(|&c| is_d(c)) {
            return false;
        }
        sizes[count] = part.len();
        count += 1;
    }
    matches!(&sizes[..count], [3, 3, 3] | [2, 3, 2, 2] | [3, 2, 2, 2] | [2, 2, 2, 2] | [4, 4])
}

/// Python's `s.split()` tokens of a slice, with extra separator characters.
fn tokens<'h>(h: &'h [char], extra: &[char]) -> Vec<&'h [char]> {
    h.split(|&c| isspace(c) || extra.contains(&c)).filter(|t| !t.is_empty()).collect()
}

/// document_number(before), `before` being the lower-cased text before a number.
pub fn document_number(before: &[char]) -> bool {
    let mut n = before.len();
    while n > 0 && (before[n - 1] == ' ' || before[n - 1] == '\t') {
        n -= 1;
    }
    if n > 0 && before[n - 1] == '#' {
        return true;
    }
    let size = before.len();
    if size >= 2 && before[size - 1] == '-' && isalpha(before[size - 2]) {
        return true;
    }
    let mut b = &before[size.saturating_sub(40)..];
    b = &b[after_last(b, &["\n", ", ", ";"])..];
    if let Some(stop) = rfind(b, ". ") {
        // the last whitespace-separated word before the full stop
        let head = &b[..stop];
        let mut end = head.len();
        while end > 0 && isspace(head[end - 1]) {
            end -= 1;
        }
        let mut start = end;
        while start > 0 && !isspace(head[start - 1]) {
            start -= 1;
        }
        let abbreviation = end > 0 && ABBREVIATIONS.iter().any(|a| eq(&head[start..end], a));
        if !abbreviation {
            b = &b[stop + 1..];
        }
    }
    // The last four of .replace(":", " ").replace(".", " ").replace("#", " # ").split(),
    // last first: '#' stands alone.
    let separator = |c: char| isspace(c) || c == ':' || c == '.';
    let strip = |c: &char| matches!(*c, '(' | ')' | ',' | ';');
    let mut i = b.len();
    let mut taken = 0;
    while i > 0 && taken < 4 {
        let c = b[i - 1];
        let word = if c == '#' {
            i -= 1;
            &b[i..i + 1]
        } else if separator(c) {
            i -= 1;
            continue;
        } else {
            let end = i;
            while i > 0 && !(separator(b[i - 1]) || b[i - 1] == '#') {
                i -= 1;
            }
            &b[i..end]
        };
        taken += 1;
        let mut w: &[char] = word;
        while let Some(c) = w.first() {
            if strip(c) { w = &w[1..]; } else { break; }
        }
        while let Some(c) = w.last() {
            if strip(c) { w = &w[..w.len() - 1]; } else { break; }
        }
        if in_set(w, &DOCUMENT_WORDS) {
            return true;
        }
        if in_set(w, &CONNECTORS) {
            continue;
        }
        if w.len() >= 2 && w[1] == '\'' {
            return in_set(&w[2..], &DOCUMENT_WORDS);
        }
        return COMPOUND_ENDS.iter().any(|e| ends_with(w, e)) && w.len() > 6
            && !PHONE_COMPOUNDS.iter().any(|p| starts_with(w, 0, p));
    }
    false
}

/// Whether the word is in the set, without allocating (the sets' words are short).
fn in_set(w: &[char], set: &HashSet<&'static str>) -> bool {
    let mut buf = [0u8; 64];
    let mut len = 0;
    for &c in w {
        if len + c.len_utf8() > buf.len() {
            return false;
        }
        len += c.encode_utf8(&mut buf[len..]).len();
    }
    // the bytes are whole characters' UTF-8
    set.contains(std::str::from_utf8(&buf[..len]).unwrap())
}

fn ends_with(h: &[char], p: &str) -> bool {
    let n = p.chars().count();
    h.len() >= n && starts_with(h, h.len() - n, p)
}

fn phone_word_before(before: &[char]) -> bool {
    let runs = word_runs(before);
    let words = &runs[runs.len().saturating_sub(WORDS_BETWEEN + 1)..];
    let word_at = |i: usize| &before[words[i].0..words[i].1];
    for back in (0..words.len()).rev() {
        let word = word_at(back);
        if !word.iter().all(|&c| isalpha(c)) {
            return false;
        }
        if in_set(word, &PHONE_CONTEXT)
            || PHONE_STEMS.iter().any(|s| starts_with(word, 0, s))
            || ((eq(word, "no") || eq(word, "nr")) && back > 0
                && (eq(word_at(back - 1), "alt") || eq(word_at(back - 1), "alternative"))) {
            return true;
        }
        if PHONE_LABELS.iter().any(|l| eq(word, l)) && back == words.len() - 1 {
            let mut n = before.len();
            while n > 0 && isspace(before[n - 1]) {
                n -= 1;
            }
            if n == 0 || before[n - 1] == ':' || before[n - 1] == '.' {
                return true;
            }
        }
    }
    false
}

fn alone_in_signature(low: &Side, start: usize, end: usize) -> bool {
    let chars = &low.chars;
    let mut line_start = start;
    while line_start > 0 && matches!(chars[line_start - 1], ' ' | '\t' | '>') {
        line_start -= 1;
    }
    if line_start > 0 && chars[line_start - 1] != '\n' {
        return false;
    }
    let mut line_end = end;
    while line_end < chars.len() && chars[line_end] != '\n' {
        if !isspace(chars[line_end]) {
            return false;
        }
        line_end += 1;
    }
    let above = low.slice(line_start.saturating_sub(SIGNATURE_LINES), line_start);
    match SIGN_OFF.find_iter(above).last() {
        Some(m) => above[m.end()..].matches('\n').count() <= 5,
        None => false,
    }
}

fn phone_context(low: &Side, start: usize, end: usize) -> bool {
    let mut before = &low.chars[start.saturating_sub(CONTEXT_BEFORE)..start];
    before = &before[after_last(before, &["\n", "; ", "? ", "! "])..];
    if phone_word_before(before) {
        return true;
    }
    if alone_in_signature(low, start, end) {
        let number = &low.chars[start..end];
        if local_fullmatch(number) || ascii_digits(number) <= 11 {
            return true;
        }
    }
    let mut after = &low.chars[end..(end + CONTEXT_AFTER).min(low.len())];
    for stop in ["\n", ". ", "; ", "? "] {
        if let Some(i) = find(after, stop) {
            after = &after[..i];
        }
    }
    !after.iter().any(|&c| is_d(c))
        && word_runs(after).iter().any(|&(a, b)| in_set(&after[a..b], &AFTER_WORDS))
}

fn with_extension(low: &Side, span: Span) -> Span {
    let hay = &low.s[low.b(span.end)..];
    match match_start(&EXTENSION, hay, &low.chars[span.end..], Tail::NotDigit) {
        Some(e) => Span::new(span.start, span.end + e, span.entity, span.score),
        None => span,
    }
}

fn iban_prefix_before(text: &Side, at: usize) -> bool {
    search_lb(text, &IBAN_PREFIX, at.saturating_sub(40), at, not_word)
}

fn not_a_phone(text: &Side, base: usize, cand: &[char], cand_s: &str, before: &[char]) -> bool {
    let size = cand.len();
    if size >= 19 && cand[3] == '-' && ORDER_SHAPE.is_match(cand_s) {
        return true;
    }
    if base >= 2 && matches!(text.chars[base - 1], ' ' | '\t')
        && (isupper(text.chars[base - 2]) || isdigit(text.chars[base - 2]))
        && iban_prefix_before(text, base) {
        return true;
    }
    if size == 10 && cand[5] == '-' && ZIP4.is_match(cand_s) && base >= 3
        && STATES.contains(&text.slice(base - 3, base - 1)) {
        return true;
    }
    starts_with(cand, 0, "00") && document_number(before)
}

fn phone_token_runs(cand: &[char]) -> Vec<(usize, usize)> {
    // `[^ \t.\-]+` runs as (end, ASCII digits)
    let mut out = Vec::new();
    let mut i = 0;
    while i < cand.len() {
        if matches!(cand[i], ' ' | '\t' | '.' | '-') {
            i += 1;
            continue;
        }
        let start = i;
        while i < cand.len() && !matches!(cand[i], ' ' | '\t' | '.' | '-') {
            i += 1;
        }
        out.push((i, ascii_digits(&cand[start..i])));
    }
    out
}

fn international(base: usize, cand: &[char]) -> Option<Span> {
    let prefix = if starts_with(cand, 0, "00") { 2 } else { 0 };
    if prefix > 0 {
        let first = cand.iter().take_while(|c| !matches!(c, ' ' | '\t' | '.' | '-')).count();
        if first > 5 {
            return None;
        }
    }
    let mut digits = ascii_digits(cand) as i64 - prefix;
    let end = if digits <= 15 {
        cand.len()
    } else {
        let mut runs = phone_token_runs(cand);
        while !runs.is_empty() && digits > 15 {
            digits -= runs.pop().unwrap().1 as i64;
        }
        match runs.last() {
            Some(&(end, _)) => end,
            None => return None,
        }
    };
    let open = cand[..end].iter().filter(|&&c| c == '(').count();
    let close = cand[..end].iter().filter(|&&c| c == ')').count();
    if digits < 8 || open != close {
        return None;
    }
    Some(Span::new(base, base + end, "PHONE", 0.9))
}

/// best_phone(text, low, base, candidate) for the candidate text[base:end].
fn best_phone(t: &Text, base: usize, end: usize) -> Option<Span> {
    let text = &t.text;
    let low = &t.low;
    let cand = &text.chars[base..end];
    let cand_s = text.slice(base, end);
    let size = cand.len();
    let before = &low.chars[base.saturating_sub(40)..base];
    let zeros = starts_with(cand, 0, "00");
    if ((size >= 19 && cand[3] == '-') || size == 10 || zeros
        || (base >= 2 && matches!(text.chars[base - 1], ' ' | '\t')))
        && not_a_phone(text, base, cand, cand_s, before) {
        return None;
    }
    let mut first = cand[0];
    if first == '+' || starts_with(cand, 0, "(+") || zeros {
        return international(base, cand).map(|span| with_extension(low, span));
    }
    if first == '(' {
        first = cand.get(1).copied().unwrap_or('\0');
    }
    let shapes: [(&Regex, f64, bool); 2] = if first == '0' {
        [(&*TRUNK_IN, 0.8, true), (&*TRUNK_BARE, 0.75, false)]
    } else {
        [(&*NANP_IN, 0.85, false), (&*BR_IN, 0.8, false)]
    };
    for (shape, score, trunk) in shapes {
        let e = match match_start(shape, cand_s, cand, Tail::NotDigit) {
            Some(e) => e,
            None => continue,
        };
        if trunk {
            let value_s = text.slice(base, base + e);
            let digits = ascii_digits(&cand[..e]);
            if !(9..=12).contains(&digits) || SSN_SHAPE.is_match(value_s)
                || DATE_SHAPE.is_match(value_s) {
                continue;
            }
        }
        if document_number(before) {
            return None;
        }
        return Some(with_extension(low, Span::new(base, base + e, "PHONE", score)));
    }
    let digits = ascii_digits(cand);
    if (8..=15).contains(&digits)
        && (size > 12 || !DATE_SHAPE.is_match(cand_s))
        && (!(11..=17).contains(&size) || !SSN_SHAPE.is_match(cand_s))
        && (digits >= 9 || local_fullmatch(cand))
        && phone_context(low, base, end)
        && !document_number(before) {
        return Some(with_extension(low, Span::new(base, end, "PHONE", 0.7)));
    }
    None
}

// ---------------------------------------------------------------------------------------
// _numbers.py

static CARD_CANDIDATE: Lazy<Regex> =
    Lazy::new(|| re(r"([{D}](?:(?:[ \t]{1,3}|-)?[{D}]){12,22})(?:$|[^{W}])"));
static SSN: Lazy<Regex> =
    Lazy::new(|| re(r"(([{D}]{3})-([{D}]{2})-([{D}]{4}))(?:$|[^{W}\-]|-$|-[^{D}])"));
static SSN_LOOSE: Lazy<Regex> = Lazy::new(|| {
    re(r"(([{D}]{3})(?:[ \t]{1,3})?([{D}]{2})(?:[ \t]{1,3})?([{D}]{4}))(?:$|[^{W}\-.]|[\-.]$|[\-.][^{D}])")
});
static IPV4_CANDIDATE: Lazy<Regex> =
    Lazy::new(|| re(r"((?:[{D}]{1,3}\.){3}[{D}]{1,3})(?:$|[^{W}.]|\.$|\.[^{D}])"));
static TWO_COLONS: Lazy<Regex> = Lazy::new(|| Regex::new(r":[0-9A-Fa-f]{0,4}:").unwrap());
static SSN_MARKER: Lazy<Regex> = Lazy::new(|| Regex::new(r"ssn|ss#|social|sozialvers").unwrap());
// Only ever asked whether they match anywhere in a clause, so `\b` before and after a word
// can consume the neighbouring character.
static VERSION_WORDS: Lazy<Regex> = Lazy::new(|| {
    re(concat!(
        r"(?:^|[^{W}])(?:v(?:$|[^{W}])|vers(?:ion|ie|ión|ione|ão)|ver(?:$|[^{W}])|build|release",
        r"|firmware|fw(?:$|[^{W}])|rev(?:$|[^{W}])|sdk(?:$|[^{W}])|updat|upgrad|patch|install",
        r"|downgrad|changelog|apps?(?:$|[^{W}])|aplicaci[oó]n(?:$|[^{W}])",
        r"|applicazione(?:$|[^{W}])|aplicativo|client(?:$|[^{W}])|aktualisier|mise à jour",
        r"|actualiza|aggiorna|atualiza|bijgewerkt)"
    ))
});
static IP_WORDS: Lazy<Regex> = Lazy::new(|| {
    re(concat!(
        r"address|adresse|direcci|login[ \t]{1,3}from|allowlist|whitelist|blocklist|blacklist",
        r"|(?:^|[^{W}])(?:ip(?:$|[^{W}])|ipv4(?:$|[^{W}])|addr(?:$|[^{W}])|host|server|gateway",
        r"|dns(?:$|[^{W}])|proxy|subnet|ping|ssh(?:$|[^{W}])|connect|router|firewall|nslookup",
        r"|vpn(?:$|[^{W}])|block|banned)"
    ))
});
const SSN_CONTEXT: usize = 80;
const SSN_AFTER: usize = 50;
const SSN_CONNECTORS: &[&str] = &["no", "nr", "number", "num", "#", "is", "was", "of", "on",
                                  "file", "card", "(ssn)", "ssn", "-", "="];
const CONTEXT: usize = 40;

/// `_SSN_WORDS.finditer(s)` on a slice taken as a string of its own:
/// `\bssn\b|\bss#|social[ \t]{1,3}security|\bsocial\b|\bsozialvers`, (start, end) each.
fn ssn_words(s: &[char], mut f: impl FnMut(usize, usize) -> bool) {
    let n = s.len();
    let mut p = 0;
    while p < n {
        if s[p] != 's' {
            p += 1;
            continue;
        }
        let boundary = p == 0 || !is_w(s[p - 1]);
        let ends = |q: usize| q == n || !is_w(s[q]);
        let mut found = None;
        if boundary && starts_with(s, p, "ssn") && ends(p + 3) {
            found = Some(p + 3);
        } else if boundary && starts_with(s, p, "ss#") {
            found = Some(p + 3);
        } else if starts_with(s, p, "social") {
            let mut q = p + 6;
            while q < n && (s[q] == ' ' || s[q] == '\t') {
                q += 1;
            }
            let blanks = q - p - 6;
            if (1..=3).contains(&blanks) && starts_with(s, q, "security") {
                found = Some(q + 8);
            } else if boundary && ends(p + 6) {
                found = Some(p + 6);
            }
        }
        if found.is_none() && boundary && starts_with(s, p, "sozialvers") {
            found = Some(p + 10);
        }
        match found {
            Some(e) => {
                if !f(p, e) {
                    return;
                }
                p = e;
            }
            None => p += 1,
        }
    }
}

/// A run of digits and separators ("cluster") that numbers are looked for in.
#[derive(Clone, Debug)]
pub struct Cluster {
    pub start: usize,
    pub end: usize,
    /// ASCII digits in it
    pub digits: usize,
    pub dash: bool,
    pub dots: usize,
}

const START: u8 = 1;
const MIDDLE: u8 = 2;
/// Per byte: whether it may start a cluster (`[+(0-9]`) and continue one (`[0-9() \t.\-]`).
static CLUSTER_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut c = b'0';
    while c <= b'9' {
        table[c as usize] = START | MIDDLE;
        c += 1;
    }
    table[b'+' as usize] = START;
    table[b'(' as usize] = START | MIDDLE;
    table[b')' as usize] = MIDDLE;
    table[b' ' as usize] = MIDDLE;
    table[b'\t' as usize] = MIDDLE;
    table[b'.' as usize] = MIDDLE;
    table[b'-' as usize] = MIDDLE;
    table
};

/// Whether any byte of `x` is strictly between `m` and `n` (both below 128; bytes of 128 and
/// more never count), from Sean Anderson's "Bit Twiddling Hacks".
#[inline]
fn has_byte_between(x: u64, m: u8, n: u8) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let low7 = x & (ONES * 127);
    ((ONES * (127 + n as u64)).wrapping_sub(low7) & !x & (low7 + ONES * (127 - m as u64))
        & (ONES * 128)) != 0
}

/// clusters(text): `[+(0-9][0-9() \t.\-]{5,}[0-9]` matches. Every character of a cluster is
/// ASCII, so the bytes are scanned and the offsets converted.
pub fn clusters(text: &Side) -> Vec<Cluster> {
    let bytes = text.s.as_bytes();
    let n = bytes.len();
    let middle = |c: u8| CLUSTER_CLASS[c as usize] & MIDDLE != 0;
    let mut out = Vec::new();
    let mut s = 0;
    while s < n {
        if CLUSTER_CLASS[bytes[s] as usize] & START == 0 {
            s += 1;
            // eight bytes at a time while none is in '('..='9' (which holds every start)
            while s + 8 <= n {
                let mut word = [0u8; 8];
                word.copy_from_slice(&bytes[s..s + 8]);
                if has_byte_between(u64::from_le_bytes(word), b'(' - 1, b'9' + 1) {
                    break;
                }
                s += 8;
            }
            continue;
        }
        let mut r = s + 1;
        while r < n && middle(bytes[r]) {
            r += 1;
        }
        // the last digit at s+6 or later in the run ends the match (greedy, then back off)
        let mut j = r;
        let mut last = None;
        while j > s + 6 {
            j -= 1;
            if bytes[j].is_ascii_digit() {
                last = Some(j);
                break;
            }
        }
        match last {
            Some(j) => {
                let run = &bytes[s..=j];
                out.push(Cluster {
                    start: text.c(s),
                    end: text.c(j + 1),
                    digits: run.iter().filter(|c| c.is_ascii_digit()).count(),
                    dash: run.contains(&b'-'),
                    dots: run.iter().filter(|&&c| c == b'.').count(),
                });
                s = j + 1;
            }
            // no start inside the run can do better: it ends at the same place
            None => s = if r > s + 1 { r } else { s + 1 },
        }
    }
    out
}

/// numbers_in_clusters(text, low, clusters(text)).
pub fn numbers_in_clusters(t: &Text) -> Vec<Span> {
    let found = clusters(&t.text);
    numbers_in(t, &found)
}

/// numbers_in_clusters(text, low, found): phone numbers, cards, SSNs and IPv4 addresses.
pub fn numbers_in(t: &Text, found: &[Cluster]) -> Vec<Span> {
    let mut spans = Vec::new();
    if found.is_empty() {
        return spans;
    }
    let text = &t.text;
    let low = &t.low;
    let size = text.len();

    for cluster in found {
        let (start, end) = (cluster.start, cluster.end);
        let window_start = if start > 1 { start - 2 } else { 0 };
        let window_end = if end < size { end + 1 } else { size };
        if cluster.digits >= 7 {
            phone_candidates(text, window_start, window_end, |s, e| {
                if let Some(span) = best_phone(t, s, e) {
                    spans.push(span);
                }
            });
            if cluster.digits >= 9 {
                if cluster.digits >= 13 {
                    cards_in(text, window_start, window_end, &mut spans);
                }
                if cluster.dash {
                    ssns_in(text, window_start, window_end, &mut spans);
                }
                // (Python first asks whether the whole text has one: only a shortcut)
                if low.search(&SSN_MARKER, start.saturating_sub(SSN_CONTEXT + 2),
                                  end + SSN_AFTER + 1).is_some() {
                    loose_ssns_in(t, window_start, window_end, &mut spans);
                }
            }
        }
        if cluster.dots >= 3 {
            ipv4_in(t, window_start, window_end, &mut spans);
        }
    }
    spans
}

fn card_allowed(c: char) -> bool {
    !(is_w(c) || matches!(c, '.' | '+' | '-'))
}

fn cards_in(text: &Side, window_start: usize, window_end: usize, out: &mut Vec<Span>) {
    finditer_lb(text, &CARD_CANDIDATE, window_start, window_end, card_allowed, Tail::NotWord,
                |at, e| {
        let value = &text.chars[at..e];
        // the `\d+` groups, as (start, end) in the value
        let mut groups: Vec<(usize, usize)> = Vec::new();
        let mut i = 0;
        while i < value.len() {
            if is_d(value[i]) {
                let s = i;
                while i < value.len() && is_d(value[i]) {
                    i += 1;
                }
                groups.push((s, i));
            } else {
                i += 1;
            }
        }
        if groups.len() > 1 {
            let mixed = value.contains(&'-') && (value.contains(&' ') || value.contains(&'\t'));
            let sizes_ok = groups[..groups.len() - 1].iter().all(|&(a, b)| (3..=6).contains(&(b - a)));
            if mixed || !sizes_ok {
                return;
            }
        }
        let before = if at > 0 { Some(text.chars[at - 1]) } else { None };
        let blank = matches!(before, Some(' ') | Some('\t')) && at >= 2
            && (isupper(text.chars[at - 2]) || isdigit(text.chars[at - 2]));
        if (before == Some('\n') || blank) && iban_prefix_before(text, at) {
            return;
        }
        let mut digits: Vec<char> =
            groups.iter().flat_map(|&(a, b)| value[a..b].iter().copied()).collect();
        for size in (1..=groups.len()).rev() {
            if digits.len() < 13 {
                break;
            }
            if digits.len() <= 19 && luhn_valid(&digits) && card_brand(&digits).is_some() {
                out.push(Span::new(at, at + groups[size - 1].1, "CREDIT_CARD", 0.95));
                break;
            }
            let (a, b) = groups[size - 1];
            digits.truncate(digits.len() - (b - a));
        }
    });
}

fn ssn_allowed(c: char) -> bool {
    !(is_w(c) || matches!(c, '.' | '+' | '/' | '-'))
}

fn loose_ssn_allowed(c: char) -> bool {
    !(is_w(c) || matches!(c, '.' | '+' | '/' | '#' | '-'))
}

/// ssn_valid on the three digit groups of an SSN match (blanks may stand between them).
fn ssn_groups_valid(value: &[char]) -> bool {
    let digits: Vec<usize> = (0..value.len()).filter(|&i| is_d(value[i])).collect();
    let part = |a: usize, b: usize| -> Vec<char> { digits[a..b].iter().map(|&i| value[i]).collect() };
    ssn_valid(&part(0, 3), &part(3, 5), &part(5, 9))
}

fn dash(c: char) -> bool {
    c == '-'
}

fn dash_or_dot(c: char) -> bool {
    c == '-' || c == '.'
}

fn dot(c: char) -> bool {
    c == '.'
}

fn ssns_in(text: &Side, window_start: usize, window_end: usize, out: &mut Vec<Span>) {
    finditer_lb(text, &SSN, window_start, window_end, ssn_allowed,
                Tail::NotWordNorSepDigit(dash), |s, e| {
        if ssn_groups_valid(&text.chars[s..e]) {
            out.push(Span::new(s, e, "SSN", 0.9));
        }
    });
}

fn loose_ssns_in(t: &Text, window_start: usize, window_end: usize, out: &mut Vec<Span>) {
    finditer_lb(&t.text, &SSN_LOOSE, window_start, window_end, loose_ssn_allowed,
                Tail::NotWordNorSepDigit(dash_or_dot), |s, e| {
        if ssn_groups_valid(&t.text.chars[s..e]) && ssn_context(&t.low, s, e) {
            out.push(Span::new(s, e, "SSN", 0.9));
        }
    });
}

fn ssn_context(low: &Side, start: usize, end: usize) -> bool {
    let before = &low.chars[start.saturating_sub(SSN_CONTEXT)..start];
    let tail = &before[before.len().saturating_sub(40)..];
    let mut last_end = None;
    ssn_words(before, |_, e| {
        last_end = Some(e);
        true
    });
    if let Some(e) = last_end {
        let between = tokens(&before[e..], &[':', '.']);
        if between.iter().all(|w| SSN_CONNECTORS.iter().any(|c| eq(w, c)))
            || !document_number(tail) {
            return true;
        }
    }
    let after = &low.chars[end.min(low.len())..(end + SSN_AFTER).min(low.len())];
    let cut = [find(after, ". "), find(after, "\n"), find(after, "? ")]
        .iter().flatten().copied().min().unwrap_or(after.len());
    let mut found = false;
    ssn_words(&after[..cut], |_, _| {
        found = true;
        false
    });
    found && !document_number(tail)
}

fn ipv4_allowed(c: char) -> bool {
    !(is_w(c) || matches!(c, '.' | ':' | '-'))
}

fn ipv4_in(t: &Text, window_start: usize, window_end: usize, out: &mut Vec<Span>) {
    finditer_lb(&t.text, &IPV4_CANDIDATE, window_start, window_end, ipv4_allowed,
                Tail::NotWordNorSepDigit(dot), |s, e| {
        if ipv4_valid(&t.text.chars[s..e]) && !is_version(&t.low, s) {
            out.push(Span::new(s, e, "IP_ADDRESS", 0.85));
        }
    });
}

/// _ipv4_valid: ASCII, each group at most 255 and without a leading zero.
fn ipv4_valid(value: &[char]) -> bool {
    if !value.iter().all(|c| c.is_ascii()) {
        return false;
    }
    for octet in value.split(|&c| c == '.') {
        if octet.is_empty() || (octet[0] == '0' && octet.len() != 1) || int_of(octet) > 255 {
            return false;
        }
    }
    true
}

fn is_version(low: &Side, position: usize) -> bool {
    let start = position.saturating_sub(CONTEXT);
    let before = &low.chars[start..position];
    let cut = after_last(before, &[". ", "? ", "! ", "\n", "; "]);
    let clause = low.slice(start + cut, position);
    VERSION_WORDS.is_match(clause) && !IP_WORDS.is_match(clause)
}

/// detect_ibans(text).
pub fn detect_ibans(t: &Text) -> Vec<Span> {
    let text = &t.text;
    let mut spans = Vec::new();
    iban_candidates(text, |s, e| {
        let value = &text.chars[s..e];
        let expected = match iban_length(value[0], value[1]) {
            Some(n) => n,
            None => return,
        };
        let blank = |c: &char| *c == ' ' || *c == '\t';
        let end = if !value.iter().any(blank) {
            expected.min(value.len())
        } else {
            let (mut count, mut end) = (0, value.len());
            let mut i = 0;
            while i < value.len() {
                if blank(&value[i]) {
                    i += 1;
                    continue;
                }
                let start = i;
                while i < value.len() && !blank(&value[i]) {
                    i += 1;
                }
                let size = i - start;
                if count + size >= expected {
                    end = start + expected - count;
                    break;
                }
                count += size;
            }
            end
        };
        let compact: Vec<char> = value[..end].iter().copied().filter(|c| !blank(c)).collect();
        if compact.len() == expected && iban_valid(&compact) {
            spans.push(Span::new(s, s + end, "IBAN", 0.95));
        }
    });
    spans
}

fn iban_char(c: char) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit()
}

/// `_IBAN_CANDIDATE.finditer(text)`: `[A-Z][A-Z](?<!\w[A-Z][A-Z])\d\d`, then
/// `(?:[ \t]{0,3}[A-Z0-9]{4}){2,7}(?:[ \t]{0,3}[A-Z0-9]{1,3})?\b`. Every group's blanks and
/// characters are forced, so the backtracking is over how many groups are taken (most first)
/// and how long the last, optional one is.
fn iban_candidates(text: &Side, mut f: impl FnMut(usize, usize)) {
    let bytes = text.s.as_bytes();
    let mut b = 0;
    while b + 1 < bytes.len() {
        if !(bytes[b].is_ascii_uppercase() && bytes[b + 1].is_ascii_uppercase()) {
            b += 1;
            continue;
        }
        let s = text.c(b);
        match iban_at(&text.chars, s) {
            Some(e) => {
                f(s, e);
                b = text.b(e);
            }
            None => b += 1,
        }
    }
}

fn iban_at(chars: &[char], s: usize) -> Option<usize> {
    let n = chars.len();
    if (s > 0 && is_w(chars[s - 1])) || s + 4 > n || !is_d(chars[s + 2]) || !is_d(chars[s + 3]) {
        return None;
    }
    let blanks = |q: usize| {
        let mut b = q;
        while b < n && b - q < 4 && (chars[b] == ' ' || chars[b] == '\t') {
            b += 1;
        }
        b
    };
    let mut ends = [0usize; 7];
    let mut count = 0;
    let mut q = s + 4;
    while count < 7 {
        let b = blanks(q);
        if b - q > 3 || b + 4 > n || !chars[b..b + 4].iter().all(|&c| iban_char(c)) {
            break;
        }
        q = b + 4;
        ends[count] = q;
        count += 1;
    }
    let boundary = |e: usize| e == n || !is_w(chars[e]);
    for k in (2..=count).rev() {
        let q = ends[k - 1];
        let b = blanks(q);
        if b - q <= 3 {
            let mut run = 0;
            while b + run < n && run < 3 && iban_char(chars[b + run]) {
                run += 1;
            }
            for j in (1..=run).rev() {
                if boundary(b + j) {
                    return Some(b + j);
                }
            }
        }
        if boundary(q) {
            return Some(q);
        }
    }
    None
}

const IPV6_BEFORE: usize = 5;
const IPV6_AFTER: usize = 45;

/// detect_ipv6(text).
pub fn detect_ipv6(t: &Text) -> Vec<Span> {
    let text = &t.text;
    let mut windows: Vec<(usize, usize)> = Vec::new();
    for m in TWO_COLONS.find_iter(text.s) {
        let position = text.c(m.start());
        match windows.last_mut() {
            Some(last) if position as i64 - IPV6_BEFORE as i64 <= last.1 as i64 => {
                last.1 = position + IPV6_AFTER;
            }
            _ => windows.push((position.saturating_sub(IPV6_BEFORE), position + IPV6_AFTER)),
        }
    }
    let mut spans = Vec::new();
    for (start, end) in windows {
        ipv6_candidates(text, start, end, |s, e| {
            if let Some(span) = ipv6_span(&text.chars[s..e], s) {
                spans.push(span);
            }
        });
    }
    spans
}

fn is_hex(c: char) -> bool {
    c.is_ascii_hexdigit()
}

/// `_IPV6_CANDIDATE.finditer(text, start, end)`:
/// `(?<![\w:.])(?=[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:]{3,39}(?![\w]|\.\d)`.
fn ipv6_candidates(text: &Side, start: usize, end: usize, mut f: impl FnMut(usize, usize)) {
    let chars = &text.chars;
    let endpos = end.min(chars.len());
    let mut p = start;
    // hex digits from q, at most 5 counted, then whether a ':' follows (within endpos)
    let group = |q: usize| -> Option<usize> {
        let mut i = q;
        while i < endpos && is_hex(chars[i]) && i - q < 5 {
            i += 1;
        }
        if i - q <= 4 && i < endpos && chars[i] == ':' { Some(i + 1) } else { None }
    };
    while p < endpos {
        let c = chars[p];
        if !(is_hex(c) || c == ':')
            || (p > 0 && (is_w(chars[p - 1]) || chars[p - 1] == ':' || chars[p - 1] == '.'))
            || group(p).and_then(group).is_none() {
            p += 1;
            continue;
        }
        let mut run = 0;
        while p + run < endpos && run < 39 && (is_hex(chars[p + run]) || chars[p + run] == ':') {
            run += 1;
        }
        let mut matched = None;
        let mut k = run;
        while k >= 3 {
            let e = p + k;
            let word = e < endpos && is_w(chars[e]);
            let dot_digit = e + 1 < endpos && chars[e] == '.' && is_d(chars[e + 1]);
            if !word && !dot_digit {
                matched = Some(e);
                break;
            }
            k -= 1;
        }
        match matched {
            Some(e) => {
                f(p, e);
                p = e;
            }
            None => p += 1,
        }
    }
}

fn ipv6_span(candidate: &[char], start: usize) -> Option<Span> {
    let mut value = candidate;
    let n = value.len();
    let ends = |v: &[char], s: &str| v.len() >= s.len() && eq(&v[v.len() - s.len()..], s);
    if ends(value, ":") && !ends(value, "::") {
        value = &value[..n - 1];
    } else if ends(value, ":::") {
        value = &value[..n - 1];
    }
    if eq(value, "::") || !value.iter().any(|c| c.is_ascii_digit()) || !ipv6_valid(value) {
        return None;
    }
    Some(Span::new(start, start + value.len(), "IP_ADDRESS", 0.85))
}

/// What `ipaddress.IPv6Address` accepts of hex digits and colons (Python 3.11).
fn ipv6_valid(value: &[char]) -> bool {
    if value.is_empty() {
        return false;
    }
    let parts: Vec<&[char]> = value.split(|&c| c == ':').collect();
    let count = parts.len();
    if !(3..=9).contains(&count) {
        return false;
    }
    let mut skip = None;
    for (i, part) in parts.iter().enumerate().take(count - 1).skip(1) {
        if part.is_empty() {
            if skip.is_some() {
                return false;
            }
            skip = Some(i);
        }
    }
    let (hi, lo) = match skip {
        Some(index) => {
            let mut hi = index;
            let mut lo = count - index - 1;
            if parts[0].is_empty() {
                hi -= 1;
                if hi > 0 {
                    return false;
                }
            }
            if parts[count - 1].is_empty() {
                lo -= 1;
                if lo > 0 {
                    return false;
                }
            }
            if 8 < hi + lo + 1 {
                return false;
            }
            (hi, lo)
        }
        None => {
            if count != 8 || parts[0].is_empty() || parts[count - 1].is_empty() {
                return false;
            }
            (count, 0)
        }
    };
    let hextet = |p: &[char]| !p.is_empty() && p.len() <= 4 && p.iter().all(|&c| is_hex(c));
    parts[..hi].iter().all(|p| hextet(p)) && parts[count - lo..].iter().all(|p| hextet(p))
}

// ---------------------------------------------------------------------------------------
// Python entry points

#[pyfunction]
#[pyo3(name = "numbers_in_clusters")]
fn py_numbers_in_clusters(text: &str, low: &str) -> PySpans {
    to_py(numbers_in_clusters(&Text::new(text, low)))
}

#[pyfunction]
#[pyo3(name = "detect_ibans")]
fn py_detect_ibans(text: &str, low: &str) -> PySpans {
    to_py(detect_ibans(&Text::new(text, low)))
}

#[pyfunction]
#[pyo3(name = "detect_ipv6")]
fn py_detect_ipv6(text: &str, low: &str) -> PySpans {
    to_py(detect_ipv6(&Text::new(text, low)))
}

pub fn register(m: &PyModule) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(py_numbers_in_clusters, m)?)?;
    m.add_function(wrap_pyfunction!(py_detect_ibans, m)?)?;
    m.add_function(wrap_pyfunction!(py_detect_ipv6, m)?)?;
    Ok(())
}
