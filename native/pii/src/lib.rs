//! The built-in PII detectors of `honing.datasets.pii`, compiled. Each module is a port of
//! the Python module(s) named beside it and must find exactly what they find: the Python
//! detectors are the reference the tests compare against (tests/test_pii_native*.py).

use pyo3::prelude::*;

pub mod text;
pub mod numbers; // _checks.py, _numbers.py, _phones.py
pub mod secrets; // _secrets.py
pub mod people; // _people.py
pub mod addresses; // _addresses.py
pub mod fields; // _fields.py, _dates.py
pub mod detect; // _builtin.py, _span.py

#[pymodule]
fn _core(_py: Python, m: &PyModule) -> PyResult<()> {
    numbers::register(m)?;
    secrets::register(m)?;
    people::register(m)?;
    addresses::register(m)?;
    fields::register(m)?;
    detect::register(m)?;
    Ok(())
}
