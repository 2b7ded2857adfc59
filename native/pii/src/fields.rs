//! Port of `_fields.py` (labelled fields: "name: ...", `key=value`, CSV headers and cells)
//! and `_dates.py` (dates of birth near birth keywords, in fields_dates.rs).

use std::collections::HashMap;

use once_cell::sync::Lazy;
use pyo3::prelude::*;
use regex::Regex;

use crate::people::lexicon;
use crate::text::{py, to_py, PySpans, Span, Text};

#[path = "fields_dates.rs"]
mod dates;
#[path = "fields_csv.rs"]
mod csv;

pub use dates::{birth_windows, dates_of_birth, dates_of_birth_in};

const PERSON_KEYS: &[&str] = &[
    "full_name", "fullname", "customer_name", "customername", "cust_name", "client_name",
    "contact_name", "contact", "first_name", "firstname", "last_name", "lastname",
    "given_name", "family_name", "surname", "display_name", "account_holder",
    "account_holder_name", "holder_name", "cardholder", "cardholder_name", "card_holder",
    "recipient", "recipient_name", "sender_name", "user_name_full", "legal_name",
    "billing_name", "shipping_name", "patient_name", "employee_name", "applicant_name",
    "nombre", "nombre_completo", "nom", "nom_complet", "prenom", "prénom", "vorname",
    "nachname", "naam", "volledige_naam", "nome", "cognome", "nome_completo", "imie",
    "imię", "nazwisko", "namn", "fornavn", "efternavn", "etternavn",
];
const AMBIGUOUS_NAME_KEYS: &[&str] = &["name", "cust", "holder"];
const BIRTH_KEYS: &[&str] = &[
    "dob", "date_of_birth", "dateofbirth", "birthdate", "birth_date", "birthday", "born",
    "geburtsdatum", "geboortedatum", "date_de_naissance", "date_naissance",
    "fecha_de_nacimiento", "fecha_nacimiento", "data_di_nascita", "data_de_nascimento",
    "data_urodzenia", "fodelsedatum", "födelsedatum", "fodselsdato", "fødselsdato",
];
const ADDRESS_KEYS: &[&str] = &[
    "address", "addr", "street", "street_address", "streetaddress", "address1",
    "address_1", "address_line1", "address_line_1", "addressline1", "home_address",
    "billing_address", "shipping_address", "mailing_address", "postal_address",
    "delivery_address", "residential_address", "adresse", "anschrift", "adres",
    "direccion", "dirección", "indirizzo", "endereco", "endereço", "adress",
];

static KINDS: Lazy<HashMap<&'static str, &'static str>> = Lazy::new(|| {
    let mut kinds = HashMap::new();
    for (keys, kind) in [
        (PERSON_KEYS, "PERSON"),
        (BIRTH_KEYS, "DATE_OF_BIRTH"),
        (ADDRESS_KEYS, "STREET_ADDRESS"),
        (AMBIGUOUS_NAME_KEYS, "NAME?"),
    ] {
        for key in keys {
            kinds.insert(*key, kind);
        }
    }
    kinds
});

const HEADER_STEMS: &[&str] = &[
    "name", "nom", "naam", "dob", "birth", "addr", "adres", "adress", "direcc", "indiriz",
    "geburt", "geboorte", "nacim", "nasc",
];
static STEM: Lazy<Regex> = Lazy::new(|| {
    let alternatives: Vec<String> = HEADER_STEMS.iter().map(|m| regex::escape(m)).collect();
    Regex::new(&alternatives.join("|")).expect("_HEADER_STEMS")
});

#[inline]
fn key_char(c: char) -> bool {
    c.is_ascii_lowercase()
        || c.is_ascii_digit()
        || "_-.éèäöüøåñçęóąśłżźć".contains(c)
}

#[inline]
fn before_key(c: char) -> bool {
    " \t\n\r,{;|&([\"'".contains(c)
}

const NOT_A_VALUE: &[&str] = &[
    "null", "none", "n/a", "na", "unknown", "true", "false", "-", "redacted", "undefined", "nil",
    "tbd", "anonymous",
];

/// `_NAME_WORD`, with Python's `[^\W\d_]` spelled out (letters and non-decimal numbers).
static NAME_WORD: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"[\p{L}\p{Nl}\p{No}]+(?:['’.\-][\p{L}\p{Nl}\p{No}]+)*\.?").expect("_NAME_WORD")
});
use crate::text::py::{
    isalpha as py_isalpha, isdecimal as re_decimal, isdigit as py_isdigit, isword as re_word,
};


const NAME_PARTICLES: &[&str] = &[
    "de", "da", "do", "dos", "das", "di", "del", "della", "van", "von", "der", "den", "ter",
    "la", "le", "du", "des", "bin", "ibn", "al", "el", "y", "e", "zu", "st", "mc", "mac", "ben",
    "bint",
];


/// Python's `[ \t]+[^\W\d][\w.\-]{0,30}[ \t]{0,3}=` matched at `at`, seeing c[..end].
fn next_key_at(c: &[char], at: usize, end: usize) -> bool {
    let blank = |ch: char| ch == ' ' || ch == '\t';
    if at >= end || !blank(c[at]) {
        return false;
    }
    let mut i = at;
    while i < end && blank(c[i]) {
        i += 1;
    }
    if i >= end || !re_word(c[i]) || re_decimal(c[i]) {
        return false;
    }
    i += 1;
    let mut run = 0;
    while i < end && run <= 30 && (c[i] == '.' || c[i] == '-' || re_word(c[i])) {
        i += 1;
        run += 1;
    }
    if run > 30 {
        return false;
    }
    let mut blanks = 0;
    while i < end && blanks <= 3 && blank(c[i]) {
        i += 1;
        blanks += 1;
    }
    blanks <= 3 && i < end && c[i] == '='
}

#[derive(PartialEq)]
enum Group {
    Quoted,
    Bare,
}

/// `_VALUE.match(low, pos)`: which group matched and its span.
fn value_match(c: &[char], pos: usize) -> Option<(Group, usize, usize)> {
    let n = c.len();
    let mut p = pos;
    while p < n && p - pos < 3 && (c[p] == ' ' || c[p] == '\t') {
        p += 1;
    }
    if p >= n {
        return None;
    }
    for quote in ['"', '\''] {
        if c[p] == quote {
            let mut q = p + 1;
            while q < n && q - (p + 1) <= 200 && c[q] != quote && c[q] != '\n' {
                q += 1;
            }
            let run = q - (p + 1);
            if (1..=200).contains(&run) && q < n && c[q] == quote {
                return Some((Group::Quoted, p + 1, q));
            }
        }
    }
    let first = c[p];
    if py::isspace(first) || "\"',;|&}{]=".contains(first) {
        return None;
    }
    let mut q = p + 1;
    let mut count = 0;
    while count < 200 && q < n && !next_key_at(c, q, n) && !"\"\n,;|&}{]=".contains(c[q]) {
        q += 1;
        count += 1;
    }
    Some((Group::Bare, p, q))
}

/// `_line_end(low, start)`.
fn line_end(c: &[char], start: usize) -> usize {
    let mut end = start;
    while end < c.len() && c[end] != '\n' {
        end += 1;
    }
    for p in start..end {
        if ";|&".contains(c[p]) || next_key_at(c, p, end) {
            return p;
        }
    }
    end
}

fn trim(c: &[char], mut start: usize, mut end: usize) -> (usize, usize) {
    while end > start && " \t.)".contains(c[end - 1]) {
        end -= 1;
    }
    while start < end && " \t(".contains(c[start]) {
        start += 1;
    }
    (start, end)
}

/// `_normal_key(key)`.
fn normal_key(key: &str) -> String {
    key.trim_matches(py::isspace)
        .replace([' ', '-', '.'], "_")
        .trim_matches('_')
        .to_string()
}

/// The longest key, in bytes: a longer text, normalised, is none of them (normalising
/// shortens a key by its outer blanks and '_' only, which are counted out first).
static LONGEST_KEY: Lazy<usize> = Lazy::new(|| KINDS.keys().map(|k| k.len()).max().unwrap());

/// `_KINDS.get(_normal_key(key))`.
fn kind_of(key: &str) -> Option<&'static str> {
    let core = key.trim_matches(|c: char| py::isspace(c) || "_-. ".contains(c));
    if core.len() > *LONGEST_KEY {
        return None;
    }
    let stripped = key.trim_matches(py::isspace).as_bytes();
    if stripped.len() > 64 {
        return KINDS.get(normal_key(key).as_str()).copied();
    }
    // normal_key without allocating: ' ', '-' and '.' are single bytes in UTF-8
    let mut buffer = [0u8; 64];
    for (to, &from) in buffer.iter_mut().zip(stripped) {
        *to = if from == b' ' || from == b'-' || from == b'.' { b'_' } else { from };
    }
    let normal = std::str::from_utf8(&buffer[..stripped.len()]).ok()?.trim_matches('_');
    KINDS.get(normal).copied()
}

/// `_field_before(low, separator)`.
fn field_before(t: &Text, separator: usize) -> Option<Span> {
    let c = &t.low.chars[..];
    let mut end = separator;
    if end == 0 || py_isdigit(c[end - 1]) || t.low.startswith_at("//", separator + 1) {
        return None;
    }
    while end > 0 && separator - end < 3 && (c[end - 1] == ' ' || c[end - 1] == '\t') {
        end -= 1;
    }
    if end > 0 && (c[end - 1] == '"' || c[end - 1] == '\'') {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && key_char(c[start - 1]) && end - start <= 32 {
        start -= 1;
    }
    if start == end {
        return None;
    }
    let mut kind = None;
    for words in [2, 1, 0] {
        let mut begin = start as isize;
        for _ in 0..words {
            let b = begin as usize;
            if b < 2 || c[b - 1] != ' ' || !key_char(c[b - 2]) {
                begin = -1;
                break;
            }
            let mut b = b - 1;
            while b > 0 && key_char(c[b - 1]) {
                b -= 1;
            }
            begin = b as isize;
        }
        if begin < 0 {
            continue;
        }
        let begin = begin as usize;
        let opener = if begin > 0 && (c[begin - 1] == '"' || c[begin - 1] == '\'') {
            begin - 1
        } else {
            begin
        };
        if opener > 0 && !before_key(c[opener - 1]) {
            continue;
        }
        kind = kind_of(t.low.slice(begin, end));
        if kind.is_some() {
            break;
        }
    }
    let kind = kind?;
    let (group, first, mut last) = value_match(c, separator + 1)?;
    if kind == "STREET_ADDRESS" && group == Group::Bare {
        last = line_end(c, first);
    }
    let (first, last) = trim(c, first, last);
    if first < last {
        value_span(t, first, last, kind)
    } else {
        None
    }
}

/// `_value_span(low, start, end, kind)`.
fn value_span(t: &Text, start: usize, end: usize, kind: &'static str) -> Option<Span> {
    let value = t.low.slice(start, end);
    if NOT_A_VALUE.contains(&value) || value.starts_with('<') || value.starts_with('[') {
        return None;
    }
    if kind == "DATE_OF_BIRTH" {
        let date_end = dates::date_match(value)?;
        return Some(Span::new(start, start + value[..date_end].chars().count(), kind, 0.9));
    }
    if kind == "STREET_ADDRESS" {
        let has_digit = value.chars().any(py_isdigit);
        let letters = value.chars().filter(|&ch| py_isalpha(ch)).count();
        if !has_digit || letters < 4 || value.contains('@') || value.contains("://") {
            return None;
        }
        return Some(Span::new(start, end, kind, 0.85));
    }
    let words: Vec<&str> = NAME_WORD.find_iter(value).map(|m| m.as_str()).collect();
    let letters: usize = words.iter().map(|w| w.chars().count()).sum();
    let non_blank = value.chars().filter(|&ch| ch != ' ').count();
    if !(1..=5).contains(&words.len()) || letters + 1 < non_blank {
        return None;
    }
    let lowered: Vec<&str> = words.iter().map(|w| w.trim_end_matches('.')).collect();
    if lowered.iter().any(|w| lexicon("stopwords").contains(w) && !NAME_PARTICLES.contains(w)) {
        return None;
    }
    if kind == "NAME?"
        && (words.len() < 2
            || (!lexicon("given_names").contains(lowered[0])
                && !(lowered[0].chars().count() == 1 && lexicon("given_names").contains(lowered[1]))))
    {
        return None;
    }
    Some(Span::new(start, end, "PERSON", 0.8))
}

/// `detect_fields(text, low)`.
pub fn detect_fields(t: &Text) -> Vec<Span> {
    let s = t.low.s;
    let mut spans = Vec::new();
    for separator in [b'=', b':'] {
        for (byte, &b) in s.as_bytes().iter().enumerate() {
            if b == separator {
                if let Some(found) = field_before(t, t.low.c(byte)) {
                    spans.push(found);
                }
            }
        }
    }
    if s.contains('\n') && (s.contains(',') || s.contains('\t') || s.contains(';')) {
        // The lines that hold a stem: a line holding one holds a match of STEM (a match
        // never crosses a line end), whatever the stems' overlaps.
        let mut header_lines: Vec<usize> = Vec::new();
        let mut line_start = 0; // byte offset of the line start of the last match
        let mut scanned = 0; // bytes before this are known to be in that line or earlier
        for m in STEM.find_iter(s) {
            if let Some(newline) = s[scanned..m.start()].rfind('\n') {
                line_start = scanned + newline + 1;
            }
            scanned = m.start();
            header_lines.push(t.low.c(line_start));
        }
        if !header_lines.is_empty() {
            header_lines.sort_unstable();
            header_lines.dedup();
            spans.extend(csv_fields(t, &header_lines));
        }
    }
    spans
}

/// `_csv_fields(low, header_lines)`.
fn csv_fields(t: &Text, header_lines: &[usize]) -> Vec<Span> {
    let c = &t.low.chars[..];
    let n = c.len();
    let find_newline = |from: usize| (from..n).find(|&i| c[i] == '\n');
    let mut spans = Vec::new();
    for &line_start in header_lines {
        let line_end = match find_newline(line_start) {
            Some(e) => e,
            None => continue,
        };
        let (header, delimiter) = match header(&c[line_start..line_end]) {
            Some(found) => found,
            None => continue,
        };
        let mut row_start = line_end + 1;
        while row_start < n {
            let row_end = find_newline(row_start).unwrap_or(n);
            let cells = csv::cells(&c[row_start..row_end], delimiter);
            if cells.len() != header.len() {
                break;
            }
            for (kind, &(start, end)) in header.iter().zip(cells.iter()) {
                if let Some(kind) = kind {
                    if start < end {
                        if let Some(found) = value_span(t, row_start + start, row_start + end, kind) {
                            spans.push(found);
                        }
                    }
                }
            }
            row_start = row_end + 1;
        }
    }
    spans
}

/// `_header(line)`: the kind of each cell, and the delimiter.
fn header(line: &[char]) -> Option<(Vec<Option<&'static str>>, char)> {
    for delimiter in [',', ';', '\t'] {
        if line.contains(&delimiter) {
            let names: Vec<Option<&'static str>> = csv::cells(line, delimiter)
                .into_iter()
                .map(|(s, e)| {
                    let cell: String = line[s..e].iter().collect();
                    kind_of(cell.trim_matches(|ch| ch == '"' || ch == '\'' || ch == ' '))
                })
                .collect();
            if names.len() >= 2 && names.iter().any(|k| k.is_some()) {
                return Some((names, delimiter));
            }
        }
    }
    None
}

#[pyfunction]
#[pyo3(name = "dates_of_birth")]
fn py_dates_of_birth(text: &str, low: &str) -> PySpans {
    to_py(dates_of_birth(&Text::new(text, low)))
}

#[pyfunction]
#[pyo3(name = "detect_fields")]
fn py_detect_fields(text: &str, low: &str) -> PySpans {
    to_py(detect_fields(&Text::new(text, low)))
}

pub fn register(m: &PyModule) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(py_dates_of_birth, m)?)?;
    m.add_function(wrap_pyfunction!(py_detect_fields, m)?)?;
    Ok(())
}

