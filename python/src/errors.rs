//! Engine errors as Python exceptions, in one place: `SpindleError` and one subclass per
//! kind, each carrying the engine's one-line message.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(
    _spindle,
    SpindleError,
    PyException,
    "Any error spindle reports."
);
create_exception!(
    _spindle,
    ColumnNotFoundError,
    SpindleError,
    "A column that the input does not have."
);
create_exception!(
    _spindle,
    SqlError,
    SpindleError,
    "SQL that does not parse, or that spindle does not run."
);
create_exception!(
    _spindle,
    ComputeError,
    SpindleError,
    "A type mismatch, a bad argument or pattern, or a failure while running."
);
create_exception!(
    _spindle,
    InvalidFileError,
    SpindleError,
    "A file that cannot be opened, or that is damaged or not what its name says."
);
create_exception!(
    _spindle,
    CancelledError,
    SpindleError,
    "A query stopped by Ctrl-C."
);

/// Adds the exception classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("SpindleError", py.get_type::<SpindleError>())?;
    m.add("ColumnNotFoundError", py.get_type::<ColumnNotFoundError>())?;
    m.add("SqlError", py.get_type::<SqlError>())?;
    m.add("ComputeError", py.get_type::<ComputeError>())?;
    m.add("InvalidFileError", py.get_type::<InvalidFileError>())?;
    m.add("CancelledError", py.get_type::<CancelledError>())?;
    Ok(())
}

/// The Python exception for an engine error.
pub(crate) fn to_py(e: spindle::Error) -> PyErr {
    use spindle::Error as E;
    let message = e.to_string();
    match e {
        E::ColumnNotFound { .. } => ColumnNotFoundError::new_err(message),
        E::Sql { .. } | E::UnknownFunction { .. } => SqlError::new_err(message),
        E::Io { .. } | E::Corrupt { .. } | E::BadFile { .. } => InvalidFileError::new_err(message),
        E::Cancelled => CancelledError::new_err(message),
        _ => ComputeError::new_err(message),
    }
}
