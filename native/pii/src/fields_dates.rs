//! Port of `_dates.py`: dates of birth near birth keywords.

use fancy_regex::Regex as FancyRegex;
use once_cell::sync::Lazy;
use regex::Regex;

use crate::text::{py, Side, Span, Text};

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

/// `_DATE` (Python's `\w` is letters, numbers and '_': spelled out, as Rust's `\w` also
/// holds combining marks).
pub static DATE: Lazy<FancyRegex> = Lazy::new(|| {
    let m = months();
    let pattern = format!(
        concat!(
            r"(?<![\p{{L}}\p{{N}}_.\-/])(?:\d{{4}}-\d{{1,2}}-\d{{1,2}}(?![\d\-])",
            r"|\d{{1,2}}[./\-]\d{{1,2}}[./\-](?:\d{{4}}|\d{{2}})(?![\d]|[./\-]\d)",
            r"|{day}{w}(?:(?:de|of){w})?(?:{m})\.?,?{w}(?:de{w})?\d{{4}}",
            r"|\d{{1,2}}([\-/.])(?:{m})\.?\1\d{{4}}",
            r"|(?:{m})\.?{w}\d{{1,2}}(?:st|nd|rd|th)?,?{w}\d{{4}})(?!\d)"
        ),
        day = DAY,
        w = W,
        m = m
    );
    FancyRegex::new(&pattern).expect("_DATE")
});

static KEYWORD: Lazy<Regex> = Lazy::new(|| {
    let pattern = format!(
        concat!(
            r"\bd\.?o\.?b\b\.?|\bdate{w}of{w}birth|\bbirth{w}?date|\bbirthday|\bborn(?:{w}on)?\b",
            r"|\bgeboren(?:{w}(?:am|op))?\b|\bgeburtsdatum|\bgeburtstag|\bgeboortedatum",
            r"|\bnée?{w}le\b|\bdate{w}de{w}naissance|\bfecha{w}de{w}nacimiento|\bnacid[oa]{w}el\b",
            r"|\bdata{w}di{w}nascita|\bnat[oa]{w}il\b|\bdata{w}de{w}nascimento|\bnascid[oa]{w}em\b",
            r"|\bfødselsdato|\bfødt\b|\bfödelsedatum|\bfödd\b|\bdata{w}urodzenia|\bsyntymäaika"
        ),
        w = W
    );
    Regex::new(&pattern).expect("_KEYWORD")
});

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
        r"|entreg|cita\b|ordine|spedi|consegn|appuntamento|encomenda|afspraak|geplaatst|verzonden"
    ))
    .expect("_OTHER_EVENT")
});

/// `_FAMILIES`: one regex per first letter of the ASCII markers.
static FAMILIES: Lazy<Vec<Regex>> = Lazy::new(|| {
    let mut firsts: Vec<char> = MARKERS
        .iter()
        .filter(|m| m.is_ascii())
        .map(|m| m.chars().next().unwrap())
        .collect();
    firsts.sort_unstable();
    firsts.dedup();
    firsts
        .into_iter()
        .map(|first| {
            let mut rests: Vec<&str> = MARKERS
                .iter()
                .filter(|m| m.is_ascii() && m.starts_with(first))
                .map(|m| &m[1..])
                .collect();
            rests.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
            let alternatives: Vec<String> = rests.iter().map(|r| regex::escape(r)).collect();
            Regex::new(&format!(
                "{}(?:{})",
                regex::escape(&first.to_string()),
                alternatives.join("|")
            ))
            .expect("_FAMILIES")
        })
        .collect()
});

const BEFORE: usize = 24;
const AFTER: usize = 40;

/// `birth_windows(low)`.
pub fn birth_windows(low: &Side) -> Vec<(usize, usize)> {
    let mut hits: Vec<usize> = Vec::new();
    for family in FAMILIES.iter() {
        hits.extend(low.find_iter(family, 0, low.len()).into_iter().map(|(s, _)| s));
    }
    if !low.s.is_ascii() {
        for word in MARKERS.iter().filter(|m| !m.is_ascii()) {
            let mut position = low.find(word, 0);
            while let Some(p) = position {
                hits.push(p);
                position = low.find(word, p + 1);
            }
        }
    }
    if hits.is_empty() {
        return Vec::new();
    }
    hits.sort_unstable();
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
        for (_, after) in low.find_iter(&KEYWORD, start, end) {
            let date = match low.fancy_search(&DATE, after, low.len().min(after + FAR)) {
                Some(groups) => groups[0].unwrap(),
                None => continue,
            };
            let between = low.slice(after, date.0);
            if !between.chars().any(py::isdigit)
                && sentence_breaks(between) <= 1
                && !OTHER_EVENT.is_match(between)
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
