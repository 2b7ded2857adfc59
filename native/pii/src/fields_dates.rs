//! Port of `_dates.py`: dates of birth near birth keywords.

use fancy_regex::Regex as FancyRegex;
use once_cell::sync::Lazy;
use regex::Regex;

use crate::text::{Side, Span, Text};

const MONTH_NAMES: &str = concat!(
    "january february march april may june july august september october november december ",
    "jan feb mar apr jun jul aug sep sept oct nov dec ",
    "januar februar märz mai juni juli oktober dezember mär okt dez ",
    "januari februari maart mei augustus mrt ",
    "janvier février mars avril juin juillet août septembre octobre novembre décembre ",
    "janv févr fév avr juil aoû déc jui ",
    "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre ",
    "noviembre diciembre ene abr ago dic ",
    "gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre gen mag giu ",
    "lug set ott ",
    "janeiro fevereiro março maio junho julho setembro outubro novembro dezembro fev ",
    "marts maj desember"
);

/// `_MONTHS`: the month names, longest first, then in code-point order.
fn months() -> String {
    let mut names: Vec<&str> = MONTH_NAMES.split_whitespace().collect();
    names.sort_unstable();
    names.dedup();
    names.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
    names.join("|")
}

const W: &str = r"[ \t]{1,3}";
const DAY: &str = r"\d{1,2}(?:\.|er|st|nd|rd|th|º)?";

/// `_DATE`'s alternatives (Python's `\w` is letters, numbers and '_': spelled out, as
/// Rust's `\w` also holds combining marks); `backref` is the delimiter repeated by the
/// fourth ("07-apr-1968").
fn date_body(backref: &str) -> String {
    let m = months();
    format!(
        concat!(
            r"\d{{4}}-\d{{1,2}}-\d{{1,2}}{a}",
            r"|\d{{1,2}}[./\-]\d{{1,2}}[./\-](?:\d{{4}}|\d{{2}}){b}",
            r"|{day}{w}(?:(?:de|of){w})?(?:{m})\.?,?{w}(?:de{w})?\d{{4}}",
            r"|\d{{1,2}}([\-/.])(?:{m})\.?{r}\d{{4}}",
            r"|(?:{m})\.?{w}\d{{1,2}}(?:st|nd|rd|th)?,?{w}\d{{4}}"
        ),
        a = if backref.is_empty() { "" } else { r"(?![\d\-])" },
        b = if backref.is_empty() { "" } else { r"(?![\d]|[./\-]\d)" },
        r = if backref.is_empty() { r"[\-/.]" } else { backref },
        day = DAY,
        w = W,
        m = m
    )
}

/// `_DATE`.
pub static DATE: Lazy<FancyRegex> = Lazy::new(|| {
    let pattern = format!(r"(?<![\p{{L}}\p{{N}}_.\-/])(?:{})(?!\d)", date_body(r"\1"));
    FancyRegex::new(&pattern).expect("_DATE")
});

/// `_DATE` without its look-arounds and back-reference: it matches wherever `_DATE` does
/// (and more), so it finds where `_DATE` can start, without backtracking.
pub static DATE_CANDIDATE: Lazy<Regex> =
    Lazy::new(|| Regex::new(&format!("(?:{})", date_body(""))).expect("_DATE candidate"));

/// `_DATE.search(low, pos, endpos)`: the first match's (start, end).
pub fn date_search(low: &Side, pos: usize, endpos: usize) -> Option<(usize, usize)> {
    let (candidate, _) = low.search(&DATE_CANDIDATE, pos, endpos)?;
    low.fancy_search(&DATE, candidate, endpos).map(|groups| groups[0].unwrap())
}

/// `_DATE.match(value)` on a value of its own: the match's end in bytes.
pub fn date_match(value: &str) -> Option<usize> {
    match DATE_CANDIDATE.find(value) {
        Some(m) if m.start() == 0 => {}
        _ => return None,
    }
    match DATE.find(value) {
        Ok(Some(m)) if m.start() == 0 => Some(m.end()),
        _ => None,
    }
}

/// `_KEYWORD`'s alternatives with `b` for each `\b` (every `\b` stands before or after a
/// letter of the keyword).
fn keyword_body(b_before: &str, b_after: &str) -> String {
    format!(
        concat!(
            r"{b}d\.?o\.?b{a}\.?|{b}date{w}of{w}birth|{b}birth{w}?date|{b}birthday",
            r"|{b}born(?:{w}on)?{a}",
            r"|{b}geboren(?:{w}(?:am|op))?{a}|{b}geburtsdatum|{b}geburtstag|{b}geboortedatum",
            r"|{b}née?{w}le{a}|{b}date{w}de{w}naissance|{b}fecha{w}de{w}nacimiento",
            r"|{b}nacid[oa]{w}el{a}",
            r"|{b}data{w}di{w}nascita|{b}nat[oa]{w}il{a}|{b}data{w}de{w}nascimento",
            r"|{b}nascid[oa]{w}em{a}",
            r"|{b}fødselsdato|{b}født{a}|{b}födelsedatum|{b}född{a}|{b}data{w}urodzenia",
            r"|{b}syntymäaika"
        ),
        w = W,
        b = b_before,
        a = b_after
    )
}

/// Python's `\w`: letters, numbers (½ and ² too, which Rust's `\w` leaves out) and '_'
/// (not the combining marks Rust's `\w` holds).
const PY_WORD: &str = r"[\p{L}\p{N}_]";

/// `_KEYWORD`, its `\b` as Python reads it (next to a letter: no word character on the
/// other side).
static KEYWORD: Lazy<FancyRegex> = Lazy::new(|| {
    let pattern =
        keyword_body(&format!("(?<!{})", PY_WORD), &format!("(?!{})", PY_WORD));
    FancyRegex::new(&pattern).expect("_KEYWORD")
});

/// `_KEYWORD` without its `\b`: where `_KEYWORD` can start.
static KEYWORD_CANDIDATE: Lazy<Regex> =
    Lazy::new(|| Regex::new(&keyword_body("", "")).expect("_KEYWORD candidate"));

/// `_KEYWORD.finditer(low, pos, endpos)`: each match's (start, end).
fn keyword_iter(low: &Side, mut pos: usize, endpos: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    while let Some((candidate, _)) = low.search(&KEYWORD_CANDIDATE, pos, endpos) {
        let found = match low.fancy_search(&KEYWORD, candidate, endpos) {
            Some(groups) => groups[0].unwrap(),
            None => break,
        };
        out.push(found);
        pos = found.1; // a keyword is never empty
    }
    out
}

const MARKERS: [&str; 17] = [
    "dob", "d.o.b", "birth", "born", "geboren", "geburt", "geboorte", "né", "naissance", "naci",
    "nasc", "nato", "nata", "fød", "föd", "urodz", "syntym",
];

const CLOSE: usize = 24;
const FAR: usize = 120;

static OTHER_EVENT: Lazy<Regex> = Lazy::new(|| {
    Regex::new(concat!(
        r"order|placed|ship|deliver|invoice|paid|payment|purchas|ticket|opened|created|joined|",
        r"sign(?:ed)?[ \t]?up|regist|expir|valid|renew|since|until|login|logged|appointment|",
        r"meeting|schedul|booked|today|yesterday|changed|updated|issued|started|last",
        r"|bestell|rechnung|lieferung|geliefert|termin|factu|commande|livr|rendez|pedido|envi[oa]",
        r"|entreg|ordine|spedi|consegn|appuntamento|encomenda|afspraak|geplaatst|verzonden"
    ))
    .expect("_OTHER_EVENT")
});

/// `_OTHER_EVENT.search(value)`: the pattern above, or "cita" with no word character after
/// it (`cita\b` as Python reads it).
fn other_event(value: &str) -> bool {
    OTHER_EVENT.is_match(value)
        || value.match_indices("cita").any(|(at, _)| {
            value[at + 4..].chars().next().map_or(true, |c| !super::re_word(c))
        })
}


/// Every marker in one pattern: tried at every position (each search restarts one code
/// point after the last match's start), it finds where each occurrence of every marker
/// starts, as `_FAMILIES` and the search for the non-ASCII markers do together.
static ANY_MARKER: Lazy<Regex> = Lazy::new(|| {
    let alternatives: Vec<String> = MARKERS.iter().map(|m| regex::escape(m)).collect();
    Regex::new(&alternatives.join("|")).expect("MARKERS")
});

const BEFORE: usize = 24;
const AFTER: usize = 40;

/// `birth_windows(low)`.
pub fn birth_windows(low: &Side) -> Vec<(usize, usize)> {
    let mut hits: Vec<usize> = Vec::new();
    let hay = low.s;
    let mut at = 0;
    while let Some(m) = ANY_MARKER.find_at(hay, at) {
        hits.push(low.c(m.start()));
        // markers start with an ASCII letter: the next code point is one byte on
        at = m.start() + 1;
    }
    if hits.is_empty() {
        return Vec::new();
    }
    let size = low.len();
    let mut windows: Vec<(usize, usize)> = Vec::new();
    for position in hits {
        let start = position.saturating_sub(BEFORE);
        let end = size.min(position + AFTER);
        match windows.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => windows.push((start, end)),
        }
    }
    windows
}

fn sentence_breaks(value: &str) -> usize {
    value.matches(". ").count()
        + value.matches("? ").count()
        + value.matches("! ").count()
        + value.matches('\n').count()
}

/// `dates_of_birth(low, windows)`.
pub fn dates_of_birth_in(low: &Side, windows: &[(usize, usize)]) -> Vec<Span> {
    let mut spans = Vec::new();
    for &(start, end) in windows {
        for (_, after) in keyword_iter(low, start, end) {
            let date = match date_search(low, after, low.len().min(after + FAR)) {
                Some(date) => date,
                None => continue,
            };
            let between = low.slice(after, date.0);
            if !between.chars().any(super::py_isdigit)
                && sentence_breaks(between) <= 1
                && !other_event(between)
            {
                let score = if date.0 - after <= CLOSE { 0.9 } else { 0.85 };
                spans.push(Span::new(date.0, date.1, "DATE_OF_BIRTH", score));
            }
        }
    }
    spans
}

/// Python `dates_of_birth(low, w) if (w := birth_windows(low)) else []`.
pub fn dates_of_birth(t: &Text) -> Vec<Span> {
    let windows = birth_windows(&t.low);
    if windows.is_empty() {
        return Vec::new();
    }
    dates_of_birth_in(&t.low, &windows)
}
