//! Expressions: `col("x")`, `lit(1)`, operators, aggregates, casts, and the `.str`
//! methods called by name through the engine's one list of operations.

use arrow_schema::DataType;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PyString, PyTuple};

use spindle::expr::catalogue::Arg;
use spindle::{Expr, Literal};

use crate::errors::to_py;

/// A column expression, built lazily and run by `collect()`.
#[pyclass(name = "Expr", module = "spindle._spindle", frozen)]
#[derive(Clone)]
pub(crate) struct PyExpr {
    pub inner: Expr,
}

impl From<Expr> for PyExpr {
    fn from(inner: Expr) -> PyExpr {
        PyExpr { inner }
    }
}

/// A Python value as an expression: an `Expr` as it is; `None`, a bool, an int, a float,
/// a str, or a list or tuple of str as a constant. `what` names the argument in errors.
pub(crate) fn to_expr(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Expr> {
    if let Ok(e) = value.cast::<PyExpr>() {
        return Ok(e.get().inner.clone());
    }
    if value.is_none() {
        return Ok(Expr::Literal(Literal::Null));
    }
    // bool before int: a Python bool is an int.
    if value.is_instance_of::<PyBool>() {
        return Ok(spindle::lit(value.extract::<bool>()?));
    }
    if value.is_instance_of::<PyInt>() {
        let v: i64 = value.extract().map_err(|_| {
            PyValueError::new_err(format!("{what}: {value} does not fit in 64 bits"))
        })?;
        return Ok(spindle::lit(v));
    }
    if value.is_instance_of::<PyFloat>() {
        return Ok(spindle::lit(value.extract::<f64>()?));
    }
    if value.is_instance_of::<PyString>() {
        return Ok(spindle::lit(value.extract::<String>()?));
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let items: Vec<String> = value.extract().map_err(|_| {
            PyTypeError::new_err(format!("{what}: a list or tuple must hold strings"))
        })?;
        return Ok(Expr::Literal(Literal::StrList(items)));
    }
    Err(PyTypeError::new_err(format!(
        "{what}: expected an expression or a constant (None, bool, int, float, str, or a \
         tuple of str), got {}",
        value.get_type().name()?
    )))
}

/// A column by name or an expression: what `select`, `sort` and `group_by` take.
pub(crate) fn to_column(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Expr> {
    if let Ok(name) = value.extract::<String>() {
        return Ok(spindle::col(name));
    }
    if let Ok(e) = value.cast::<PyExpr>() {
        return Ok(e.get().inner.clone());
    }
    Err(PyTypeError::new_err(format!(
        "{what}: expected a column name or an expression, got {}",
        value.get_type().name()?
    )))
}

/// A type name as DuckDB, Polars or Arrow spell it (`VARCHAR`, `Int64`, `float64`, ...).
pub(crate) fn data_type(name: &str) -> PyResult<DataType> {
    spindle::storage::csv::parse_type(name).map_err(to_py)
}

fn binary(
    left: &PyExpr,
    other: &Bound<'_, PyAny>,
    f: impl FnOnce(Expr, Expr) -> Expr,
    reversed: bool,
) -> PyResult<PyExpr> {
    let other = to_expr(other, "operand")?;
    let (a, b) = if reversed {
        (other, left.inner.clone())
    } else {
        (left.inner.clone(), other)
    };
    Ok(f(a, b).into())
}

#[pymethods]
impl PyExpr {
    fn __repr__(&self) -> String {
        format!("<spindle.Expr {}>", self.inner)
    }

    /// The expression under another output name.
    fn alias(&self, name: String) -> PyExpr {
        self.inner.clone().alias(name).into()
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> PyResult<PyExpr> {
        let other = to_expr(other, "comparison")?;
        let a = self.inner.clone();
        Ok(match op {
            CompareOp::Eq => a.eq(other),
            CompareOp::Ne => a.neq(other),
            CompareOp::Lt => a.lt(other),
            CompareOp::Le => a.lt_eq(other),
            CompareOp::Gt => a.gt(other),
            CompareOp::Ge => a.gt_eq(other),
        }
        .into())
    }

    fn __and__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyExpr> {
        binary(self, o, Expr::and, false)
    }
    fn __rand__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyExpr> {
        binary(self, o, Expr::and, true)
    }
    fn __or__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyExpr> {
        binary(self, o, Expr::or, false)
    }
    fn __ror__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyExpr> {
        binary(self, o, Expr::or, true)
    }
    fn __invert__(&self) -> PyExpr {
        (!self.inner.clone()).into()
    }
    fn __neg__(&self) -> PyExpr {
        (-self.inner.clone()).into()
    }
    fn __add__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyExpr> {
        binary(self, o, |a, b| a + b, false)
    }
    fn __radd__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyExpr> {
        binary(self, o, |a, b| a + b, true)
    }
    fn __sub__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyExpr> {
        binary(self, o, |a, b| a - b, false)
    }
    fn __rsub__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyExpr> {
        binary(self, o, |a, b| a - b, true)
    }
    fn __mul__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyExpr> {
        binary(self, o, |a, b| a * b, false)
    }
    fn __rmul__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyExpr> {
        binary(self, o, |a, b| a * b, true)
    }
    fn __truediv__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyExpr> {
        binary(self, o, |a, b| a / b, false)
    }
    fn __rtruediv__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyExpr> {
        binary(self, o, |a, b| a / b, true)
    }
    fn __mod__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyExpr> {
        binary(self, o, |a, b| a % b, false)
    }
    fn __rmod__(&self, o: &Bound<'_, PyAny>) -> PyResult<PyExpr> {
        binary(self, o, |a, b| a % b, true)
    }
    fn __bool__(&self) -> PyResult<bool> {
        Err(PyTypeError::new_err(
            "an expression has no truth value; combine conditions with & and |, not and/or",
        ))
    }

    /// True where the value is null.
    fn is_null(&self) -> PyExpr {
        self.inner.clone().is_null().into()
    }
    /// True where the value is not null.
    fn is_not_null(&self) -> PyExpr {
        self.inner.clone().is_not_null().into()
    }
    /// The value converted to `dtype` (DuckDB's, Polars' or Arrow's type name); with
    /// `strict=False`, a value that does not convert is null.
    #[pyo3(signature = (dtype, strict = true))]
    fn cast(&self, dtype: &str, strict: bool) -> PyResult<PyExpr> {
        let to = data_type(dtype)?;
        Ok(if strict {
            self.inner.clone().cast(to)
        } else {
            self.inner.clone().try_cast(to)
        }
        .into())
    }
    /// SQL `LIKE` with `%` and `_`.
    fn like(&self, pattern: String) -> PyExpr {
        self.inner.clone().like(pattern).into()
    }

    /// The sum of the group's values.
    fn sum(&self) -> PyExpr {
        self.inner.clone().sum().into()
    }
    /// The mean of the group's values.
    fn mean(&self) -> PyExpr {
        self.inner.clone().mean().into()
    }
    /// The smallest value.
    fn min(&self) -> PyExpr {
        self.inner.clone().min().into()
    }
    /// The largest value.
    fn max(&self) -> PyExpr {
        self.inner.clone().max().into()
    }
    /// How many values are not null.
    fn count(&self) -> PyExpr {
        self.inner.clone().count().into()
    }
    /// How many distinct values (null counts as one).
    fn n_unique(&self) -> PyExpr {
        self.inner.clone().n_unique().into()
    }
    /// The first value.
    fn first(&self) -> PyExpr {
        self.inner.clone().first().into()
    }
    /// The last value.
    fn last(&self) -> PyExpr {
        self.inner.clone().last().into()
    }
    /// The sample standard deviation.
    fn std(&self) -> PyExpr {
        self.inner.clone().std().into()
    }
    /// The sample variance.
    fn var(&self) -> PyExpr {
        self.inner.clone().var().into()
    }

    /// Calls the pandas `.str` method `name` with positional `args` and keyword `kwargs`
    /// (the dispatch behind `expr.str.<name>(...)`).
    #[pyo3(signature = (name, *args, **kwargs))]
    fn _str_call(
        &self,
        name: &str,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, pyo3::types::PyDict>>,
    ) -> PyResult<PyExpr> {
        let mut bound = Vec::with_capacity(args.len());
        for a in args.iter() {
            bound.push(Arg::positional(to_expr(&a, &format!("str.{name}"))?));
        }
        if let Some(kwargs) = kwargs {
            for (k, v) in kwargs.iter() {
                let key: String = k.extract()?;
                let what = format!("str.{name}: argument {key}");
                bound.push(Arg::named(key, to_expr(&v, &what)?));
            }
        }
        self.inner
            .clone()
            .str()
            .call(name, bound)
            .map(PyExpr::from)
            .map_err(|e| match e {
                spindle::Error::InvalidArgument { .. } | spindle::Error::UnknownFunction { .. } => {
                    PyTypeError::new_err(e.to_string())
                }
                other => to_py(other),
            })
    }
}

/// The column `name`.
#[pyfunction]
pub(crate) fn col(name: String) -> PyExpr {
    spindle::col(name).into()
}

/// A constant.
#[pyfunction]
pub(crate) fn lit(value: &Bound<'_, PyAny>) -> PyResult<PyExpr> {
    to_expr(value, "lit").map(PyExpr::from)
}

/// The number of rows (of the group).
#[pyfunction]
pub(crate) fn len() -> PyExpr {
    spindle::len().into()
}

/// The first non-null value of `exprs`, row by row.
#[pyfunction]
#[pyo3(signature = (*exprs))]
pub(crate) fn coalesce(exprs: &Bound<'_, PyTuple>) -> PyResult<PyExpr> {
    let exprs = exprs
        .iter()
        .map(|e| to_expr(&e, "coalesce"))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(spindle::coalesce(exprs).into())
}
