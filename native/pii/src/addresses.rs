//! Port of the Python detectors (see lib.rs for which module).

use pyo3::prelude::*;

pub fn register(_m: &PyModule) -> PyResult<()> {
    Ok(())
}
