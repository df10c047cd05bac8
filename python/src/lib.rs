//! `spindle._spindle`: the extension module behind the `spindle` Python package.
//!
//! Owns: the Python classes over the engine's frames and expressions, the Arrow PyCapsule
//! exchange (in `arrow`), running queries with the GIL released and Ctrl-C cancelling
//! them (in `run`), and the mapping of engine errors to Python exceptions (in
//! `errors`). Everything a user calls is in the pure-Python part `python/spindle/`,
//! which wraps these classes; the `.str` methods there are derived from the engine's one
//! list of operations (`str_methods`).

mod arrow;
mod errors;
mod expr;
mod frame;
mod run;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use spindle::expr::catalogue::{Dialect, ParamType, FUNCTIONS};

/// The allocator of everything Rust allocates in the extension (Python's own objects keep
/// Python's): arrays made by the engine are many and large, as in the CLI.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The pandas `.str` methods, from the engine's one list of operations: for each, its
/// name, its parameters as `(name, default or None when required, kind)`, whether it takes
/// more operands (`cat`), its family and its documentation line.
#[pyfunction]
fn str_methods(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let out = PyList::empty(py);
    for f in FUNCTIONS.iter().filter(|f| f.dialect == Dialect::Pandas) {
        let d = PyDict::new(py);
        d.set_item("name", f.name)?;
        let params = PyList::empty(py);
        for p in f.params {
            let kind = match p.ty {
                ParamType::Str => "str",
                ParamType::StrOrList => "str | tuple[str, ...]",
                ParamType::Int => "int",
                ParamType::Bool => "bool",
                ParamType::Flags => "int",
            };
            params.append((p.name, p.default, kind))?;
        }
        d.set_item("params", params)?;
        d.set_item("variadic", f.variadic)?;
        d.set_item("family", f.family.name())?;
        d.set_item("doc", f.doc)?;
        d.set_item("signature", f.signature())?;
        out.append(d)?;
    }
    Ok(out)
}

/// SQL's functions with a line each, as `spindle sql --help` lists them.
#[pyfunction]
fn sql_functions() -> Vec<(String, String)> {
    spindle::functions()
}

/// Writes `rows` rows of the seeded data set `kind` (`text`, `vaex` or `keys`, as
/// `spindle gen` makes them) to `path` as an Arrow IPC file, atomically.
#[pyfunction]
#[pyo3(signature = (path, rows, kind = "text", seed = 42))]
fn generate(
    py: Python<'_>,
    path: std::path::PathBuf,
    rows: u64,
    kind: &str,
    seed: u64,
) -> PyResult<()> {
    let kind: spindle_datasets::Kind = kind
        .parse()
        .map_err(pyo3::exceptions::PyValueError::new_err)?;
    run::run(py, move |_| {
        let batches: Vec<_> = spindle_datasets::batch_ranges(rows, 1 << 20)
            .map(|(start, len)| spindle_datasets::batch(kind, seed, rows, start, len))
            .collect();
        let frame = spindle::DataFrame::from_batches(spindle_datasets::schema(kind), batches)?;
        frame.write_ipc(&path)
    })
}

#[pymodule]
fn _spindle(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    m.add_class::<expr::PyExpr>()?;
    m.add_class::<frame::PyDataFrame>()?;
    m.add_class::<frame::PyLazyFrame>()?;
    m.add_class::<frame::PySession>()?;
    m.add_function(wrap_pyfunction!(str_methods, m)?)?;
    m.add_function(wrap_pyfunction!(sql_functions, m)?)?;
    m.add_function(wrap_pyfunction!(generate, m)?)?;
    m.add_function(wrap_pyfunction!(expr::col, m)?)?;
    m.add_function(wrap_pyfunction!(expr::lit, m)?)?;
    m.add_function(wrap_pyfunction!(expr::len, m)?)?;
    m.add_function(wrap_pyfunction!(expr::coalesce, m)?)?;
    m.add_function(wrap_pyfunction!(frame::open, m)?)?;
    m.add_function(wrap_pyfunction!(frame::read_csv, m)?)?;
    m.add_function(wrap_pyfunction!(frame::read_parquet, m)?)?;
    m.add_function(wrap_pyfunction!(frame::from_arrow, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
