//! All built-in detectors over one text, as `_builtin.detect_builtin` runs them, and the
//! overlap rule of `_span.resolve_overlaps`: one call from Python per text, one `Text`.

use pyo3::prelude::*;
use std::cmp::Ordering;

use crate::text::{to_py, PySpans, Span, Text};
use crate::{addresses, fields, numbers, people, secrets};

/// Python's `detect_builtin(text)`: every built-in detector's spans, overlapping.
pub fn detect_builtin(t: &Text) -> Vec<Span> {
    let text = t.text.s;
    let mut spans = numbers::numbers_in_clusters(t);
    // The same markers as the Python version decide which detectors run at all.
    if text.contains('@') {
        spans.extend(secrets::detect_emails(t));
    }
    if text.contains("://") {
        spans.extend(secrets::detect_credential_urls(t));
    }
    spans.extend(secrets::detect_api_keys(t));
    if text.contains("::") || text.matches(':').count() >= 7 {
        spans.extend(numbers::detect_ipv6(t));
    }
    spans.extend(numbers::detect_ibans(t));
    spans.extend(secrets::detect_context_secrets(t));
    spans.extend(fields::dates_of_birth(t));
    spans.extend(people::detect_people(t));
    spans.extend(addresses::detect_addresses(t));
    spans.extend(fields::detect_fields(t));
    spans
}

/// Python's `resolve_overlaps`: non-overlapping spans in text order; where candidates
/// overlap the highest score wins, then the longer span, then the earlier, then the entity
/// name. The sort is stable, as Python's.
pub fn resolve_overlaps(spans: Vec<Span>) -> Vec<Span> {
    let keys: Vec<(usize, usize, &str, f64)> =
        spans.iter().map(|s| (s.start, s.end, s.entity, s.score)).collect();
    let kept = kept_indexes(&keys);
    let mut slots: Vec<Option<Span>> = spans.into_iter().map(Some).collect();
    kept.into_iter().map(|i| slots[i].take().unwrap()).collect()
}

/// Which of the spans (start, end, entity, score) resolve_overlaps keeps, in text order.
fn kept_indexes(spans: &[(usize, usize, &str, f64)]) -> Vec<usize> {
    let mut ranked: Vec<usize> = (0..spans.len()).collect();
    ranked.sort_by(|&i, &j| {
        let (a, b) = (&spans[i], &spans[j]);
        b.3.partial_cmp(&a.3).unwrap_or(Ordering::Equal)
            .then((a.0 as i64 - a.1 as i64).cmp(&(b.0 as i64 - b.1 as i64)))
            .then(a.0.cmp(&b.0))
            .then(a.2.cmp(b.2))
    });
    let mut kept: Vec<usize> = Vec::new();
    for i in ranked {
        let (start, end) = (spans[i].0, spans[i].1);
        let index = kept.partition_point(|&k| spans[k].0 < start);
        if index > 0 && spans[kept[index - 1]].1 > start {
            continue;
        }
        if index < kept.len() && spans[kept[index]].0 < end {
            continue;
        }
        kept.insert(index, i);
    }
    kept
}

/// `detect_builtin`, optionally limited to `wanted` entity types, then resolved.
#[pyfunction]
#[pyo3(name = "detect")]
fn py_detect(text: &str, low: &str, wanted: Option<Vec<String>>) -> PySpans {
    let t = Text::new(text, low);
    let mut spans = detect_builtin(&t);
    if let Some(wanted) = wanted {
        spans.retain(|s| wanted.iter().any(|w| w == s.entity));
    }
    to_py(resolve_overlaps(spans))
}

/// `detect_builtin` alone (unresolved), for the comparison with the Python detectors.
#[pyfunction]
#[pyo3(name = "detect_builtin")]
fn py_detect_builtin(text: &str, low: &str) -> PySpans {
    to_py(detect_builtin(&Text::new(text, low)))
}

/// `resolve_overlaps` over (start, end, entity, score) tuples, for its own tests.
#[pyfunction]
#[pyo3(name = "resolve_overlaps")]
fn py_resolve_overlaps(spans: Vec<(usize, usize, String, f64)>) -> Vec<(usize, usize, String, f64)> {
    let keys: Vec<(usize, usize, &str, f64)> =
        spans.iter().map(|(s, e, entity, score)| (*s, *e, entity.as_str(), *score)).collect();
    kept_indexes(&keys).into_iter().map(|i| spans[i].clone()).collect()
}

pub fn register(m: &PyModule) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(py_detect, m)?)?;
    m.add_function(wrap_pyfunction!(py_detect_builtin, m)?)?;
    m.add_function(wrap_pyfunction!(py_resolve_overlaps, m)?)?;
    Ok(())
}
