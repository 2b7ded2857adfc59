//! A text as the Python detectors see it: offsets count code points, not bytes, and the
//! lower-cased copy (`low`, made by Python's `lowered`, same length in code points) is read
//! for context words. Rust's regexes and `str::find` work in UTF-8 bytes; this converts.
//! For ASCII text (the usual case) both offsets are the same and no table is built.

use fancy_regex::Regex as FancyRegex;
use regex::Regex;

/// A detected entity, with code-point offsets into the text.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub entity: &'static str,
    pub score: f64,
}

impl Span {
    pub fn new(start: usize, end: usize, entity: &'static str, score: f64) -> Span {
        Span { start, end, entity, score }
    }
}

/// What a detector returns to Python: (start, end, entity, score) tuples.
pub type PySpans = Vec<(usize, usize, &'static str, f64)>;

pub fn to_py(spans: Vec<Span>) -> PySpans {
    spans.into_iter().map(|s| (s.start, s.end, s.entity, s.score)).collect()
}

/// One side of a text (the original or the lower-cased copy) with its offset tables.
pub struct Side<'a> {
    pub s: &'a str,
    pub chars: Vec<char>,
    /// byte offset of each code point, and one past the end (empty when ASCII)
    c2b: Vec<usize>,
    /// code-point index of each byte offset that starts a code point (empty when ASCII)
    b2c: Vec<usize>,
}

impl<'a> Side<'a> {
    pub fn new(s: &'a str) -> Side<'a> {
        let chars: Vec<char> = s.chars().collect();
        if s.len() == chars.len() {
            return Side { s, chars, c2b: Vec::new(), b2c: Vec::new() };
        }
        let mut c2b = Vec::with_capacity(chars.len() + 1);
        let mut b2c = vec![0usize; s.len() + 1];
        for (index, (byte, _)) in s.char_indices().enumerate() {
            c2b.push(byte);
            b2c[byte] = index;
        }
        c2b.push(s.len());
        b2c[s.len()] = chars.len();
        Side { s, chars, c2b, b2c }
    }

    /// Length in code points (Python's len()).
    pub fn len(&self) -> usize {
        self.chars.len()
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// Byte offset of code point `c` (c may be len()).
    #[inline]
    pub fn b(&self, c: usize) -> usize {
        if self.c2b.is_empty() { c } else { self.c2b[c] }
    }

    /// Code-point index of byte offset `b` (a code point boundary).
    #[inline]
    pub fn c(&self, b: usize) -> usize {
        if self.b2c.is_empty() { b } else { self.b2c[b] }
    }

    /// The code point at `i`, or None past the end (Python's s[i:i+1] being empty).
    #[inline]
    pub fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    /// s[start:end] by code points, clamped like a Python slice.
    pub fn slice(&self, start: usize, end: usize) -> &'a str {
        let n = self.len();
        let end = end.min(n);
        let start = start.min(end);
        &self.s[self.b(start)..self.b(end)]
    }

    /// s.find(needle, start) in code points.
    pub fn find(&self, needle: &str, start: usize) -> Option<usize> {
        if start > self.len() {
            return None;
        }
        let from = self.b(start);
        self.s[from..].find(needle).map(|i| self.c(from + i))
    }

    /// s.rfind(needle, start, end) in code points.
    pub fn rfind_in(&self, needle: &str, start: usize, end: usize) -> Option<usize> {
        let end = end.min(self.len());
        if start > end {
            return None;
        }
        let (from, to) = (self.b(start), self.b(end));
        self.s[from..to].rfind(needle).map(|i| self.c(from + i))
    }

    pub fn startswith_at(&self, needle: &str, at: usize) -> bool {
        at <= self.len() && self.s[self.b(at)..].starts_with(needle)
    }

    /// Every match of `re` in s[pos:endpos], as Python's pattern.finditer(s, pos, endpos):
    /// the text past endpos is not seen, the text before pos is (look-behinds, \b).
    pub fn find_iter(&self, re: &Regex, pos: usize, endpos: usize) -> Vec<(usize, usize)> {
        let endpos = endpos.min(self.len());
        if pos > endpos {
            return Vec::new();
        }
        let hay = &self.s[..self.b(endpos)];
        let mut out = Vec::new();
        let mut at = self.b(pos);
        while at <= hay.len() {
            let m = match re.find_at(hay, at) {
                Some(m) => m,
                None => break,
            };
            out.push((self.c(m.start()), self.c(m.end())));
            at = if m.end() == m.start() { next_boundary(hay, m.end()) } else { m.end() };
        }
        out
    }

    /// The first match of `re` in s[pos:endpos] (Python's pattern.search(s, pos, endpos)).
    pub fn search(&self, re: &Regex, pos: usize, endpos: usize) -> Option<(usize, usize)> {
        let endpos = endpos.min(self.len());
        if pos > endpos {
            return None;
        }
        let hay = &self.s[..self.b(endpos)];
        re.find_at(hay, self.b(pos)).map(|m| (self.c(m.start()), self.c(m.end())))
    }

    /// The first match of a fancy pattern in s[pos:endpos], with its groups.
    pub fn fancy_search(&self, re: &FancyRegex, pos: usize, endpos: usize)
                        -> Option<Vec<Option<(usize, usize)>>> {
        let endpos = endpos.min(self.len());
        if pos > endpos {
            return None;
        }
        let hay = &self.s[..self.b(endpos)];
        match re.captures_from_pos(hay, self.b(pos)) {
            Ok(Some(caps)) => Some((0..caps.len())
                .map(|g| caps.get(g).map(|m| (self.c(m.start()), self.c(m.end()))))
                .collect()),
            _ => None,
        }
    }
}

fn next_boundary(s: &str, b: usize) -> usize {
    // one code point further (an empty match must not repeat)
    let mut next = b + 1;
    while next < s.len() && !s.is_char_boundary(next) {
        next += 1;
    }
    next
}

/// The text a detector reads: the original and Python's `lowered(text)`.
pub struct Text<'a> {
    pub text: Side<'a>,
    pub low: Side<'a>,
}

impl<'a> Text<'a> {
    pub fn new(text: &'a str, low: &'a str) -> Text<'a> {
        let text = Side::new(text);
        let low = Side::new(low);
        debug_assert_eq!(text.len(), low.len());
        Text { text, low }
    }

    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// Python's str predicates on one code point, exactly (the tables are Python's own, see
/// pyunicode.rs), with ASCII answered without a look-up.
pub mod py {
    use crate::pyunicode::{
        contains, ALNUM, ALPHA, DECIMAL, DIGIT, LOWER, LOWER_CHANGES, SPACE, UPPER, UPPER_CHANGES,
        WORD,
    };

    #[inline]
    pub fn isalnum(c: char) -> bool {
        if c.is_ascii() { c.is_ascii_alphanumeric() } else { contains(ALNUM, c) }
    }
    #[inline]
    pub fn isalpha(c: char) -> bool {
        if c.is_ascii() { c.is_ascii_alphabetic() } else { contains(ALPHA, c) }
    }
    #[inline]
    pub fn isdigit(c: char) -> bool {
        if c.is_ascii() { c.is_ascii_digit() } else { contains(DIGIT, c) }
    }
    #[inline]
    pub fn isspace(c: char) -> bool {
        if c.is_ascii() {
            matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c' | '\x1c'..='\x1f')
        } else {
            contains(SPACE, c)
        }
    }
    #[inline]
    pub fn isupper(c: char) -> bool {
        if c.is_ascii() { c.is_ascii_uppercase() } else { contains(UPPER, c) }
    }
    #[inline]
    pub fn islower(c: char) -> bool {
        if c.is_ascii() { c.is_ascii_lowercase() } else { contains(LOWER, c) }
    }
    /// `\w` in a str pattern: isalnum() or '_'.
    #[inline]
    pub fn isword(c: char) -> bool {
        if c.is_ascii() { c.is_ascii_alphanumeric() || c == '_' } else { contains(WORD, c) }
    }
    /// `\d` in a str pattern: str.isdecimal().
    #[inline]
    pub fn isdecimal(c: char) -> bool {
        if c.is_ascii() { c.is_ascii_digit() } else { contains(DECIMAL, c) }
    }
    /// `[^\W\d_]` in a str pattern.
    #[inline]
    pub fn isletter(c: char) -> bool {
        isalnum(c) && !isdecimal(c)
    }
    /// `c.lower() != c`
    #[inline]
    pub fn lower_changes(c: char) -> bool {
        if c.is_ascii() { c.is_ascii_uppercase() } else { contains(LOWER_CHANGES, c) }
    }
    /// `c.upper() != c`
    #[inline]
    pub fn upper_changes(c: char) -> bool {
        if c.is_ascii() { c.is_ascii_lowercase() } else { contains(UPPER_CHANGES, c) }
    }
}

/// A pattern written for Python's `re` with its `\w` and `\W` spelled as Python's classes
/// (the regex crates' `\w` also takes combining marks, which Python's does not). Nested
/// classes keep `[^\W\d_]` meaning what it means in Python.
pub fn python_word_classes(pattern: &str) -> String {
    use crate::pyunicode::{regex_class, WORD};
    use once_cell::sync::Lazy;
    static WORD_CLASS: Lazy<String> = Lazy::new(|| regex_class(WORD));
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('w') => { out.push('['); out.push_str(&WORD_CLASS); out.push(']'); }
            Some('W') => { out.push_str("[^"); out.push_str(&WORD_CLASS); out.push(']'); }
            Some(other) => { out.push('\\'); out.push(other); }
            None => out.push('\\'),
        }
    }
    out
}
