//! Port of `_secrets.py` (e-mail addresses, URLs that carry credentials, API keys, secrets
//! after a key-like word), with local copies of what it imports (`shannon_entropy` from
//! `_checks.py`, `keyword_windows` from `_numbers.py`).
//!
//! Python's `re` classes (`\w`, `\d`, `\s`, `\b`) and str predicates are reproduced from
//! tables generated from CPython (secrets_tables.rs), and `re.IGNORECASE` letters are spelled
//! out as the classes Python matches (`s` also matches 'ſ', `i` 'İ' and 'ı', `k` the Kelvin
//! sign), so that no Unicode detail of Rust's regex crate leaks into the results.

use once_cell::sync::Lazy;
use pyo3::prelude::*;
use regex::{Regex, RegexBuilder};

use crate::text::{to_py, PySpans, Side, Span, Text};

#[path = "secrets_json.rs"]
mod json;
use crate::pyunicode as tables;
#[path = "secrets_url.rs"]
mod url;

// ---------------------------------------------------------------------------------------
// Python's str predicates and regex classes

use crate::pyunicode::contains as in_table;

pub(crate) use crate::text::py;

use crate::pyunicode::regex_class as ranges;

/// Python's classes as regex-crate class text (without the brackets where they combine).
struct Classes {
    /// `\w` inside brackets
    w: String,
    /// `[^\W_]` inside brackets
    an: String,
    /// `[^\W\d_]` as a whole class
    letter: String,
    /// `\d` as a whole class
    digit: String,
    /// `\s` inside brackets
    s: String,
}

static CLASSES: Lazy<Classes> = Lazy::new(|| {
    let an = ranges(tables::ALNUM);
    let decimal = ranges(tables::DECIMAL);
    Classes {
        w: format!("{}_", an),
        letter: format!("[[{}]--[{}]]", an, decimal),
        digit: format!("[{}]", decimal),
        an,
        s: "\\t-\\r\\x1c-\\x1f \\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\
            \\x{202f}\\x{205f}\\x{3000}"
            .to_string(),
    }
});

fn build(pattern: &str) -> Regex {
    RegexBuilder::new(pattern)
        .size_limit(1 << 26)
        .dfa_size_limit(1 << 24)
        .build()
        .unwrap()
}

/// A match of an `\A`-anchored pattern at `pos`, the text cut at `endpos`: the end, in code
/// points. (Python's `pattern.match(s, pos, endpos)` for patterns that do not look behind.)
fn match_end(side: &Side, re: &Regex, pos: usize, endpos: usize) -> Option<usize> {
    let endpos = endpos.min(side.len());
    if pos > endpos {
        return None;
    }
    let from = side.b(pos);
    re.find(&side.s[from..side.b(endpos)]).map(|m| side.c(from + m.end()))
}

/// Literal searches for the words the detectors look for (the regex crate searches a
/// literal with SIMD, `str::find` byte by byte): Python's `s.find(word, start)`.
static WORD_FINDERS: Lazy<std::collections::HashMap<&'static str, Regex>> = Lazy::new(|| {
    let words = FIRST_WORDS.iter().chain(SECRET_WORDS.iter()).chain(PASSWORD_WORDS.iter())
        .chain(TWILIO_WORDS.iter()).chain(["@", "://"].iter());
    words.map(|&w| (w, build(&regex::escape(w)))).collect()
});

fn find_word(side: &Side, word: &str, start: usize) -> Option<usize> {
    match WORD_FINDERS.get(word) {
        Some(re) => {
            if start > side.len() {
                return None;
            }
            re.find_at(side.s, side.b(start)).map(|m| side.c(m.start()))
        }
        None => side.find(word, start),
    }
}

fn chars_str(chars: &[char]) -> String {
    chars.iter().collect()
}

fn lower_str(chars: &[char]) -> String {
    chars.iter().flat_map(|c| c.to_lowercase()).collect()
}

fn lstrip<'a>(chars: &'a [char], set: &str) -> &'a [char] {
    let n = chars.iter().take_while(|c| set.contains(**c)).count();
    &chars[n..]
}

fn rstrip<'a>(chars: &'a [char], set: &str) -> &'a [char] {
    let n = chars.iter().rev().take_while(|c| set.contains(**c)).count();
    &chars[..chars.len() - n]
}

// ---------------------------------------------------------------------------------------
// _checks.shannon_entropy

/// Bits per character, summed in the order of the characters' first occurrence as Python
/// does (3.11's sum: left to right, no compensation).
pub fn shannon_entropy(chars: &[char]) -> f64 {
    if chars.is_empty() {
        return 0.0;
    }
    let n = chars.len() as f64;
    let mut ascii = [usize::MAX; 128];
    let mut counts: Vec<(char, usize)> = Vec::new();
    for &c in chars {
        if c.is_ascii() {
            let slot = &mut ascii[c as usize];
            if *slot == usize::MAX {
                *slot = counts.len();
                counts.push((c, 0));
            }
            counts[*slot].1 += 1;
        } else {
            match counts.iter().position(|&(d, _)| d == c) {
                Some(i) => counts[i].1 += 1,
                None => counts.push((c, 1)),
            }
        }
    }
    let mut total = 0.0f64;
    for (i, &(_, count)) in counts.iter().enumerate() {
        let p = count as f64 / n;
        let term = p * p.log2();
        total = if i == 0 { term } else { total + term };
    }
    -total
}

// ---------------------------------------------------------------------------------------
// E-mail addresses

fn email_body() -> String {
    let c = &*CLASSES;
    let (w, an) = (&c.w, &c.an);
    format!(
        "[{w}%+\\-]+(?:\\.[{w}%+\\-]+)*@[{an}](?:[{w}\\-]*[{an}])?\
         (?:\\.[{an}](?:[{w}\\-]*[{an}])?)*\\.{letter}{{2,24}}",
        w = w, an = an, letter = c.letter)
}

/// `_EMAIL` after its look-behind, its final `\b` as the character it looks at.
static EMAIL_AT: Lazy<Regex> =
    Lazy::new(|| build(&format!("\\A(?:{})(?:[^{}]|\\z)", email_body(), CLASSES.w)));
/// `_EMAIL.fullmatch`
static EMAIL_FULL: Lazy<Regex> = Lazy::new(|| build(&format!("\\A(?:{})\\z", email_body())));

fn email_fullmatch(value: &str) -> bool {
    EMAIL_FULL.is_match(value)
}

fn local_char(c: char) -> bool {
    py::isword(c) || matches!(c, '.' | '%' | '+' | '-')
}

/// `_windows`: merged windows around each occurrence of `marker`.
fn windows(side: &Side, marker: &str, before: usize, after: usize)
           -> Vec<(usize, usize, Vec<usize>)> {
    let mut out: Vec<(usize, usize, Vec<usize>)> = Vec::new();
    let n = side.len();
    let mut position = find_word(side, marker, 0);
    while let Some(p) = position {
        let (start, end) = (p.saturating_sub(before), (p + after).min(n));
        match out.last_mut() {
            Some(last) if start <= last.1 => {
                last.1 = end;
                last.2.push(p);
            }
            _ => out.push((start, end, vec![p])),
        }
        position = find_word(side, marker, p + 1);
    }
    out
}

pub fn detect_emails(t: &Text) -> Vec<Span> {
    let text = &t.text;
    let mut spans = Vec::new();
    if !text.s.contains('@') {
        return spans;
    }
    for (start, end, markers) in windows(text, "@", 64, 256) {
        let mut last_end = start;
        for at in markers {
            let mut from = at;
            while from > last_end && local_char(text.chars[from - 1]) {
                from -= 1;
            }
            last_end = last_end.max(at + 1);
            if from == at {
                continue;
            }
            if from > 0 && local_char(text.chars[from - 1]) {
                continue; // the look-behind
            }
            if let Some(mut stop) = match_end(text, &EMAIL_AT, from, end) {
                // the character the final \b looked at was consumed, unless at the end
                if !py::isword(text.chars[stop - 1]) {
                    stop -= 1;
                }
                last_end = stop;
                spans.push(Span::new(from, stop, "EMAIL", 0.95));
            }
        }
    }
    spans
}

// ---------------------------------------------------------------------------------------
// URLs with credentials

static SCHEME: Lazy<Regex> = Lazy::new(|| build("[a-zA-Z][a-zA-Z0-9+.\\-]{1,15}://"));
static URL_AT: Lazy<Regex> = Lazy::new(|| {
    build(&format!("\\A[a-zA-Z][a-zA-Z0-9+.\\-]{{1,15}}://[^{}<>\"'`]+", CLASSES.s))
});
const SCHEME_BEFORE: usize = 16;
static URL_MARKER: Lazy<Regex> = Lazy::new(|| build("://"));

/// `_SCHEME.search(text, pos, endpos)`: its start. The leading `\b` is checked here: where
/// it fails, the search goes on from the next position, as Python's does.
fn scheme_search(side: &Side, pos: usize, endpos: usize) -> Option<usize> {
    let endpos = endpos.min(side.len());
    let mut pos = pos;
    while pos <= endpos {
        let hay = &side.s[..side.b(endpos)];
        let m = SCHEME.find_at(hay, side.b(pos))?;
        let start = side.c(m.start());
        if start == 0 || !py::isword(side.chars[start - 1]) {
            return Some(start);
        }
        pos = start + 1;
    }
    None
}

pub fn detect_credential_urls(t: &Text) -> Vec<Span> {
    let text = &t.text;
    let mut spans = Vec::new();
    if !URL_MARKER.is_match(text.s) {
        return spans;
    }
    for (start, end, markers) in windows(text, "://", 20, 4096) {
        let mut last_end = start;
        for colon in markers {
            if colon < last_end {
                continue;
            }
            let mut position = last_end.max(colon.saturating_sub(SCHEME_BEFORE));
            while let Some(scheme) = scheme_search(text, position, colon + 3) {
                let stop = match match_end(text, &URL_AT, scheme, end) {
                    Some(stop) => stop,
                    None => {
                        position = scheme + 1;
                        continue;
                    }
                };
                last_end = stop;
                let url = rstrip(&text.chars[scheme..stop], ".,;:!?)]}'\"");
                if url::carries_credentials(&chars_str(url)) {
                    spans.push(Span::new(scheme, scheme + url.len(), "URL_CREDENTIALS", 0.97));
                }
                break;
            }
        }
    }
    spans
}

const MIN_TOKEN: usize = 16;

static CAMEL: Lazy<Regex> = Lazy::new(|| build("\\A[A-Z]?[a-z]{2,}(?:[A-Z][a-z]{2,})+\\z"));

/// `_looks_like_token`
pub(crate) fn looks_like_token(value: &[char]) -> bool {
    if value.len() < MIN_TOKEN {
        return false;
    }
    if !value.iter().any(|&c| py::isdecimal(c)) {
        return random_case(value)
            && value.iter().all(|&c| py::isalnum(c) || "-_.~=+".contains(c))
            && shannon_entropy(value) >= 3.5;
    }
    if value[0] == '/' || !value.iter().all(|&c| py::isalnum(c) || "-_.~=+/".contains(c)) {
        return false;
    }
    value.iter().filter(|&&c| py::isalpha(c)).count() >= 4 && shannon_entropy(value) >= 3.0
}

/// `_random_case`
fn random_case(value: &[char]) -> bool {
    !CAMEL.is_match(&chars_str(value))
        && value.windows(2).filter(|w| py::islower(w[0]) != py::islower(w[1])).count() >= 4
}

// ---------------------------------------------------------------------------------------
// API keys

static KEY: Lazy<Regex> = Lazy::new(|| {
    let d = &CLASSES.digit;
    build(&format!(
        "sk-(?:proj-|ant-(?:api{d}{d}-|admin{d}{d}-)?)?[A-Za-z0-9_\\-]{{20,200}}\
         |AKIA[0-9A-Z]{{16}}|ASIA[0-9A-Z]{{16}}\
         |gh[pousr]_[A-Za-z0-9]{{36,255}}|github_pat_[A-Za-z0-9_]{{22,255}}\
         |xox[baprse]-[A-Za-z0-9\\-]{{10,200}}|xapp-[A-Za-z0-9\\-]{{10,200}}\
         |AIza[0-9A-Za-z_\\-]{{35}}\
         |sk_(?:live|test)_[0-9A-Za-z]{{16,200}}|pk_(?:live|test)_[0-9A-Za-z]{{16,200}}\
         |rk_(?:live|test)_[0-9A-Za-z]{{16,200}}|whsec_[0-9A-Za-z+/=]{{24,200}}\
         |SG\\.[A-Za-z0-9_\\-]{{16,32}}\\.[A-Za-z0-9_\\-]{{20,64}}\
         |hf_[A-Za-z0-9]{{34,64}}|glpat-[A-Za-z0-9_\\-]{{20,64}}|npm_[A-Za-z0-9]{{36,64}}\
         |shp(?:at|ss|ca|pa)_[a-fA-F0-9]{{32}}\
         |eyJ[A-Za-z0-9_\\-]{{8,2000}}\\.[A-Za-z0-9_\\-]{{8,4000}}\\.[A-Za-z0-9_\\-]{{8,2000}}",
        d = d))
});
const KEY_MARKERS: [&str; 25] = [
    "sk-", "sk_live_", "sk_test_", "pk_live_", "pk_test_", "rk_live_", "rk_test_", "AKIA",
    "ASIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xox", "xapp-", "AIza",
    "whsec_", "SG.", "hf_", "glpat-", "npm_", "shp", "eyJ"];
static KEY_MARKER_ANY: Lazy<Regex> = Lazy::new(|| {
    build(&KEY_MARKERS.iter().map(|m| regex::escape(m)).collect::<Vec<_>>().join("|"))
});
static TWILIO_TEXT: Lazy<Regex> = Lazy::new(|| build("AC|SK"));
static TWILIO_LOW: Lazy<Regex> = Lazy::new(|| build("twilio| sid"));
static TWILIO: Lazy<Regex> = Lazy::new(|| build("(?:AC|SK)[0-9a-f]{32}"));
const TWILIO_WORDS: [&str; 4] = ["twilio", "sid", "account_sid", "auth_token"];
const TWILIO_CONTEXT: usize = 60;

fn key_edge(c: char) -> bool {
    py::isalnum(c) || c == '-' || c == '_'
}

/// `_is_jwt`
fn is_jwt(value: &str) -> bool {
    let header = value.split('.').next().unwrap_or("");
    match json::urlsafe_b64decode_padded(header) {
        Some(decoded) => json::is_object_with_alg(&decoded),
        None => false,
    }
}

/// `keyword_windows` of _numbers.py
fn keyword_windows(low: &Side, words: &[&str], before: usize, after: usize)
                   -> Vec<(usize, usize)> {
    let mut hits = Vec::new();
    for word in words {
        let mut position = find_word(low, word, 0);
        while let Some(p) = position {
            hits.push(p);
            position = find_word(low, word, p + 1);
        }
    }
    hits.sort_unstable();
    let n = low.len();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for p in hits {
        let (start, end) = (p.saturating_sub(before), (p + after).min(n));
        match out.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

pub fn detect_api_keys(t: &Text) -> Vec<Span> {
    let text = &t.text;
    let mut spans = Vec::new();
    if KEY_MARKER_ANY.is_match(text.s) {
        for (start, end) in text.find_iter(&KEY, 0, text.len()) {
            if (start > 0 && key_edge(text.chars[start - 1]))
                || (end < text.len() && key_edge(text.chars[end])) {
                continue;
            }
            let value = text.slice(start, end);
            if value.starts_with("eyJ") && !is_jwt(value) {
                continue;
            }
            spans.push(Span::new(start, end, "API_KEY", 0.95));
        }
    }
    let low = &t.low;
    if TWILIO_TEXT.is_match(text.s) && TWILIO_LOW.is_match(low.s) {
        let twilio_edge = |c: char| py::isword(c) || c == '-';
        for (start, end) in keyword_windows(low, &TWILIO_WORDS, 0, TWILIO_CONTEXT + 36) {
            let hay = &text.s[..text.b(end)];
            let mut at = text.b(start);
            while let Some(m) = TWILIO.find_at(hay, at) {
                let (s, e) = (text.c(m.start()), text.c(m.end()));
                if (s > 0 && twilio_edge(text.chars[s - 1]))
                    || (e < end && twilio_edge(text.chars[e])) {
                    at = text.b(s + 1); // the look-arounds failed: try the next position
                    continue;
                }
                at = m.end();
                let before = low.slice(s.saturating_sub(TWILIO_CONTEXT), s);
                if TWILIO_WORDS.iter().any(|w| before.contains(w)) {
                    spans.push(Span::new(s, e, "API_KEY", 0.9));
                }
            }
        }
    }
    spans
}

// ---------------------------------------------------------------------------------------
// Secrets after a key-like word

/// What `re.IGNORECASE` lets each letter of these patterns match.
fn ci(word: &str) -> String {
    word.chars()
        .map(|c| match c {
            's' => "[sS\\x{17F}]".to_string(),
            'i' => "[iI\\x{130}\\x{131}]".to_string(),
            'k' => "[kK\\x{212A}]".to_string(),
            c => format!("[{}{}]", c, c.to_uppercase()),
        })
        .collect()
}

/// The value characters of `_AFTER_SECRET_WORD` under IGNORECASE.
const VALUE_CI: &str = "[A-Za-z0-9_\\-+/=.~\\x{130}\\x{131}\\x{17F}\\x{212A}]";

/// `_AFTER_SECRET_WORD` without look-aheads, for the regex crate. The final `(?!V)` becomes
/// the character it looks at (or the end); the `\b` after "is"/"was" holds exactly when the
/// next character consumed is not a word character, so that branch is written out with its
/// continuations that start so. The optional separator group is distributed over what
/// follows it, which keeps the order a backtracking engine tries the paths in. The value
/// is whichever of the six groups took part.
fn after_secret_word(value: &str, short_value: &str, end: &str) -> String {
    let sp = format!("[{}]", CLASSES.s);
    let prefix = format!("(?:{b}{sp}+|{a}{sp}+|{t}{sp}+)", b = ci("bearer"), a = ci("basic"),
                         t = ci("token"), sp = sp);
    let rest = format!("{sp}{{0,3}}[\"']?{p}?({v}){e}", sp = sp, p = prefix, v = value, e = end);
    let rest_after_word = format!(
        "(?:{sp}{{1,3}}[\"']?{p}?({v}){e}|[\"']{p}?({v}){e}|([\\-+/=.~]{sv}){e})",
        sp = sp, p = prefix, v = value, sv = short_value, e = end);
    format!(
        "\\A(?:{ord}|{d})?{s1}?[\"']?{sp}{{0,3}}\
         (?:[:=]{rest}|=>{rest}|{sp}(?:{is}|{was}){rest2}|{rest})",
        ord = ci("ord"), d = ci("d"), s1 = ci("s"), sp = sp, is = ci("is"), was = ci("was"),
        rest = rest, rest2 = rest_after_word)
}

/// The whole pattern: whether it matches, and where (the DFA, no groups).
static AFTER_SECRET_WORD: Lazy<Regex> = Lazy::new(|| {
    let end = format!("(?:[^{}]|\\z)", &VALUE_CI[1..VALUE_CI.len() - 1]);
    build(&after_secret_word(&format!("{}{{20,512}}", VALUE_CI),
                             &format!("{}{{19,511}}", VALUE_CI), &end))
});
/// The groups, on the text up to the value's end: the same paths in the same order, with
/// the value's length unbounded (small enough for the regex crate's backtracker). Its
/// first path is the whole pattern's whenever its value has a length the pattern allows.
static AFTER_SECRET_WORD_GROUPS: Lazy<Regex> = Lazy::new(|| {
    build(&after_secret_word(&format!("{}+", VALUE_CI), &format!("{}*", VALUE_CI), "\\z"))
});
fn value_ci(c: char) -> bool {
    value_char(c) || matches!(c, '\u{130}' | '\u{131}' | '\u{17F}' | '\u{212A}')
}

/// The value group of `_AFTER_SECRET_WORD.match(text, after)`, in code points.
fn after_secret_word_value(text: &Side, after: usize) -> Option<(usize, usize)> {
    let from = text.b(after);
    let hay = &text.s[from..];
    let m = AFTER_SECRET_WORD.find(hay)?;
    // the value ends where the run of value characters does: the match's end, or before the
    // character the final look-ahead was turned into
    let mut value_end = text.c(from + m.end());
    if !value_ci(text.chars[value_end - 1]) {
        value_end -= 1;
    }
    let group = |re: &Regex, hay: &str| -> Option<(usize, usize)> {
        let mut locations = re.capture_locations();
        re.captures_read(&mut locations, hay)?;
        (1..locations.len()).find_map(|g| locations.get(g))
            .map(|(a, b)| (text.c(from + a), text.c(from + b)))
    };
    match group(&AFTER_SECRET_WORD_GROUPS, &text.s[from..text.b(value_end)]) {
        Some((a, b)) if (20..=512).contains(&(b - a)) => Some((a, b)),
        _ => group(&AFTER_SECRET_WORD, hay),
    }
}
static LINK_AHEAD: Lazy<Regex> = Lazy::new(|| {
    let links = ["is", "was", "ist", "war", "est", "es", "era", "er", "var", "är", "è", "é"]
        .iter()
        .map(|w| ci(w))
        .collect::<Vec<_>>()
        .join("|");
    build(&format!("\\A(?:{s}|'{s})?[\"']?[ \\t]{{0,3}}(?:[:=]|(?:{links})[ \\t])",
                   s = ci("s"), links = links))
});
static HOST: Lazy<Regex> = Lazy::new(|| {
    build(&format!("\\A(?:[{w}\\-]+\\.)+[a-z]{{2,}}(?:/[^{s}]*)?\\z", w = CLASSES.w,
                   s = CLASSES.s))
});
static PLACEHOLDER: Lazy<Regex> = Lazy::new(|| {
    build(&format!("\\A[A-Z][A-Z_]*[A-Z](?:_{d}+|:[0-9a-f]{{8}})?\\z", d = CLASSES.digit))
});

fn value_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_-+/=.~".contains(c)
}

const LONGEST_VALUE: usize = 512 + 8;
const SECRET_WORDS: [&str; 8] =
    ["key", "token", "secret", "passw", "pwd", "bearer", "authorization", "credential"];
const FIRST_WORDS: [&str; 12] = ["key", "token", "secret", "pass", "pw", "bearer",
    "authorization", "credential", "kennwort", "wachtwoord", "senha", "salasana"];
const MIN_ENTROPY: f64 = 3.3;
const PASSWORD_WORDS: [&str; 13] = ["passw", "pw", "passcode", "passphrase", "passord",
    "mot de passe", "kennwort", "wachtwoord", "contraseña", "senha", "lösenord", "salasana",
    "hasło"];
const PASS_WORDS: [&str; 3] = ["passcode", "passphrase", "passord"];
const ASCII_PASSWORD_WORDS: [&str; 5] = ["pw", "kennwort", "wachtwoord", "senha", "salasana"];
const OTHER_PASSWORD_WORDS: [&str; 3] = ["contraseña", "lösenord", "hasło"];
const LINKS: [&str; 17] = [":", "=", "=>", "-", "–", "is", "was", "ist", "war", "est", "es",
    "era", "er", "var", "är", "è", "é"];
const OPENERS: &str = "\"'`([{<";
const CLOSERS: &str = "\"'`)]}>.,;:";
const SEPARATORS: &str = ":=";
const FILLER_WORDS: usize = 3;

fn word_len(word: &str) -> usize {
    word.chars().count()
}

pub fn detect_context_secrets(t: &Text) -> Vec<Span> {
    let (text, low) = (&t.text, &t.low);
    let mut spans = Vec::new();
    let find = |word: &str, start: usize| find_word(low, word, start);
    let mut firsts: Vec<(&str, Option<usize>)> =
        FIRST_WORDS.iter().map(|&w| (w, find(w, 0))).collect();
    let extra = !low.s.is_ascii();
    if !extra && firsts.iter().all(|&(_, p)| p.is_none()) {
        return spans;
    }
    let first = |firsts: &Vec<(&str, Option<usize>)>, word: &str| {
        firsts.iter().find(|&&(w, _)| w == word).and_then(|&(_, p)| p)
    };
    let (first_pass, first_pw) = (first(&firsts, "pass"), first(&firsts, "pw"));
    firsts.push(("passw", first_pass.and_then(|p| find("passw", p))));
    firsts.push(("pwd", first_pw.and_then(|p| find("pwd", p))));
    let (mut run_start, mut run_end) = (0usize, 0usize);
    let n = text.len();
    for word in SECRET_WORDS {
        let mut position = first(&firsts, word);
        while let Some(p) = position {
            let after = p + word_len(word);
            if !(run_start <= after && after < run_end) {
                run_start = after;
                run_end = after;
                while run_end < n && value_char(text.chars[run_end]) {
                    run_end += 1;
                }
            }
            let mut found_random = false;
            if run_end - after <= LONGEST_VALUE {
                if let Some((start, stop)) = after_secret_word_value(text, after) {
                    let value = rstrip(&text.chars[start..stop], ".");
                    if looks_random(value) {
                        spans.push(Span::new(start, start + value.len(), "SECRET", 0.8));
                        found_random = true;
                    }
                }
            }
            if !found_random {
                if let Some(span) = assigned_value(text, p as isize, word) {
                    spans.push(span);
                }
            }
            position = find(word, p + 1);
        }
    }
    for (position, word) in password_words(low, &firsts, extra) {
        if let Some(span) = assigned_value(text, position, word) {
            spans.push(span);
        }
    }
    spans
}

/// Python's `s.startswith(prefix, start)` with a start that may be negative.
fn py_startswith(side: &Side, prefix: &str, start: isize) -> bool {
    let n = side.len() as isize;
    let mut start = start;
    if start < 0 {
        start = (start + n).max(0);
    }
    start <= n && side.startswith_at(prefix, start as usize)
}

fn password_words(low: &Side, firsts: &[(&str, Option<usize>)], extra: bool)
                  -> Vec<(isize, &'static str)> {
    let mut out = Vec::new();
    let first = |word: &str| firsts.iter().find(|&&(w, _)| w == word).and_then(|&(_, p)| p);
    for word in ASCII_PASSWORD_WORDS {
        let mut position = first(word);
        while let Some(p) = position {
            out.push((p as isize, word));
            position = find_word(low, word, p + 1);
        }
    }
    let mut position = first("pass");
    while let Some(p) = position {
        if let Some(word) = PASS_WORDS.iter().find(|w| low.startswith_at(w, p)) {
            out.push((p as isize, *word));
        } else if py_startswith(low, "mot de ", p as isize - 7) {
            out.push((p as isize - 7, "mot de passe"));
        }
        position = find_word(low, "pass", p + 1);
    }
    if extra {
        for word in OTHER_PASSWORD_WORDS {
            let mut position = find_word(low, word, 0);
            while let Some(p) = position {
                out.push((p as isize, word));
                position = find_word(low, word, p + 1);
            }
        }
    }
    out
}

/// Python's index for a possibly negative position.
fn py_index(len: usize, i: isize) -> Option<usize> {
    let i = if i < 0 { i + len as isize } else { i };
    if i < 0 || i as usize >= len { None } else { Some(i as usize) }
}

/// `_assigned_value`
fn assigned_value(text: &Side, position: isize, word: &str) -> Option<Span> {
    let chars = &text.chars;
    if position != 0 && matches!(word, "pw" | "key" | "senha") {
        if let Some(i) = py_index(chars.len(), position - 1) {
            if py::isalnum(chars[i]) {
                return None; // "mypw", "monkey", "resenha"
            }
        }
    }
    let password = PASSWORD_WORDS.contains(&word);
    let end = (position + word_len(word) as isize) as usize;
    if !password && match_end(text, &LINK_AHEAD, end, text.len()).is_none() {
        return None;
    }
    let limit = text.len().min(end + 96);
    let mut linked = false;
    let mut skipped = 0usize;
    // the tokens (\S+) of text[end:limit]
    let mut tokens = Vec::new();
    let mut i = end;
    while i < limit {
        if py::isspace(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < limit && !py::isspace(chars[i]) {
            i += 1;
        }
        tokens.push((start, i));
    }
    for (index, &(token_start, stop)) in tokens.iter().enumerate() {
        let mut start = token_start;
        let mut raw: &[char] = &chars[token_start..stop];
        if index == 0 && start == end {
            let letters = raw.iter().take_while(|c| c.is_ascii_alphabetic()).count();
            let completion: String = raw[..letters].iter().map(|c| c.to_ascii_lowercase()).collect();
            let ok = match word {
                "passw" => true,
                "pw" => matches!(completion.as_str(), "" | "d" | "s" | "ds"),
                _ => matches!(completion.as_str(), "" | "s"),
            };
            if !ok {
                return None;
            }
            if let Some(&next) = raw.get(letters) {
                if matches!(next, '_' | '-' | '/') || py::isdigit(next) {
                    return None; // part of an identifier or a path
                }
            }
            raw = lstrip(&raw[letters..], "\"'");
            start = stop - raw.len();
            if !raw.is_empty() && SEPARATORS.contains(raw[0]) {
                linked = true;
                raw = lstrip(raw, ":=>");
                start = stop - raw.len();
            }
            if raw.is_empty() {
                continue;
            }
        } else if skipped > 0 && chars[end..start].contains(&'\n') {
            return None; // the filler words ended with the line
        } else if LINKS.contains(&lower_str(raw).as_str()) {
            linked = true;
            continue;
        }
        let opened = lstrip(raw, OPENERS);
        let value_start = start + (raw.len() - opened.len());
        let quote = opened.iter().position(|&c| c == '"').unwrap_or(opened.len());
        let value = rstrip(&opened[..quote], CLOSERS);
        let value_end = value_start + value.len();
        let value_str = chars_str(value);
        if PLACEHOLDER.is_match(&value_str) {
            return None; // already redacted
        }
        if !value.is_empty()
            && (if linked && password { password_like(value, &value_str) }
                else { strong_value(value, &value_str) }) {
            return Some(Span::new(value_start, value_end, "SECRET",
                                  if linked { 0.8 } else { 0.75 }));
        }
        let last = *raw.last().unwrap();
        if !password || skipped >= FILLER_WORDS || !isalpha_str(value)
            || ".,;!?".contains(last) {
            return None;
        }
        skipped += 1;
        linked = SEPARATORS.contains(last);
    }
    None
}

fn isalpha_str(value: &[char]) -> bool {
    !value.is_empty() && value.iter().all(|&c| py::isalpha(c))
}

fn has_digit(value: &[char]) -> bool {
    value.iter().any(|&c| py::isdecimal(c))
}

fn has_letter(value: &[char]) -> bool {
    value.iter().any(|&c| py::isletter(c))
}

/// `_SYMBOL.search`: `[^\w.\-]`
fn has_symbol(value: &[char]) -> bool {
    value.iter().any(|&c| !(py::isword(c) || c == '.' || c == '-'))
}

/// value != value.upper(), value != value.lower()
fn not_upper(value: &[char]) -> bool {
    value.iter().any(|&c| py::upper_changes(c))
}

fn not_lower(value: &[char]) -> bool {
    value.iter().any(|&c| py::lower_changes(c))
}

/// `_classes`
fn classes(value: &[char]) -> usize {
    not_upper(value) as usize + not_lower(value) as usize + has_digit(value) as usize
        + has_symbol(value) as usize
}

fn case_changes(value: &[char]) -> usize {
    value.windows(2).filter(|w| py::islower(w[0]) && py::isupper(w[1])).count()
}

fn password_like(value: &[char], value_str: &str) -> bool {
    if value.len() < 6 || value.len() > 128 || value_str.contains("://")
        || email_fullmatch(value_str) || HOST.is_match(value_str) {
        return false;
    }
    if value.iter().all(|&c| py::isdigit(c)) {
        return true;
    }
    if isalpha_str(value) {
        return value.len() >= 8 && case_changes(value) >= 2;
    }
    classes(value) >= 2 && has_letter(value) && (has_digit(value) || has_symbol(value))
}

fn strong_value(value: &[char], value_str: &str) -> bool {
    if value.len() < 8 || value.len() > 512 || value_str.contains("://")
        || email_fullmatch(value_str) || HOST.is_match(value_str) {
        return false;
    }
    if classes(value) >= 3 || looks_random(value) {
        return true;
    }
    if isalpha_str(value) {
        return value.len() >= 12 && random_case(value);
    }
    value.len() >= 16 && value.iter().all(|c| c.is_ascii_hexdigit()) && has_digit(value)
        && has_letter(value)
}

fn looks_random(value: &[char]) -> bool {
    if value.len() < 20 {
        return false;
    }
    let entropy = shannon_entropy(value);
    if has_digit(value) && has_letter(value) {
        return entropy >= MIN_ENTROPY;
    }
    not_upper(value) && not_lower(value) && entropy >= 3.9
}

// ---------------------------------------------------------------------------------------
// Python

// The wrappers skip building a `Text` (a table of the whole text's code points, most of
// what a text without the marker would cost) where the detector's own first check fails,
// and give the detectors that read only the text an empty lower-cased side.

static FIRST_WORD_ANY: Lazy<Regex> = Lazy::new(|| build(&FIRST_WORDS.join("|")));

fn text_only(text: &str) -> Text<'_> {
    Text { text: Side::new(text), low: Side::new("") }
}

#[pyfunction]
#[pyo3(name = "detect_emails")]
fn py_detect_emails(text: &str, _low: &str) -> PySpans {
    if !text.contains('@') {
        return Vec::new();
    }
    to_py(detect_emails(&text_only(text)))
}

#[pyfunction]
#[pyo3(name = "detect_credential_urls")]
fn py_detect_credential_urls(text: &str, _low: &str) -> PySpans {
    if !URL_MARKER.is_match(text) {
        return Vec::new();
    }
    to_py(detect_credential_urls(&text_only(text)))
}

#[pyfunction]
#[pyo3(name = "detect_api_keys")]
fn py_detect_api_keys(text: &str, low: &str) -> PySpans {
    if !KEY_MARKER_ANY.is_match(text)
        && !(TWILIO_TEXT.is_match(text) && TWILIO_LOW.is_match(low)) {
        return Vec::new();
    }
    to_py(detect_api_keys(&Text::new(text, low)))
}

#[pyfunction]
#[pyo3(name = "detect_context_secrets")]
fn py_detect_context_secrets(text: &str, low: &str) -> PySpans {
    if low.is_ascii() && !FIRST_WORD_ANY.is_match(low) {
        return Vec::new();
    }
    to_py(detect_context_secrets(&Text::new(text, low)))
}

pub fn register(m: &PyModule) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(py_detect_emails, m)?)?;
    m.add_function(wrap_pyfunction!(py_detect_credential_urls, m)?)?;
    m.add_function(wrap_pyfunction!(py_detect_api_keys, m)?)?;
    m.add_function(wrap_pyfunction!(py_detect_context_secrets, m)?)?;
    Ok(())
}
