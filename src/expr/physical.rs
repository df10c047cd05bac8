//! The planner and the physical expressions that partitions evaluate.
//!
//! [`compile`] checks a logical [`Expr`] against a schema (columns exist, types fit),
//! inserts the casts that make operand types agree, and compiles every pattern once (a
//! `LIKE` is classified into equality, prefix, suffix, substring or regex; a regex is
//! built once). The resulting [`PhysicalExpr`] is shared by all partitions.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{new_null_array, Array, ArrayRef, Datum, RecordBatch, Scalar, UInt32Array};
use arrow_schema::{DataType, Field, Schema};
use spindle_kernels::{self as kernels, CompiledStrOp, KernelError, Matcher, StrOp};

use crate::error::{Error, Result};
use crate::expr::{BinaryOp, Expr, Literal};

/// A compiled expression.
#[derive(Debug, Clone)]
pub(crate) enum PhysicalExpr {
    Column(usize),
    /// A one-row array.
    Literal(ArrayRef),
    /// A conversion the planner inserted: a value that does not convert is null.
    Cast(Box<PhysicalExpr>, DataType),
    /// The user's `CAST`: a value that does not convert is an error. Floats round to the
    /// nearest integer (as in DuckDB) in both kinds of user cast.
    UserCast {
        input: Box<PhysicalExpr>,
        to: DataType,
        strict: bool,
    },
    /// `CASE`: (condition, value) pairs in order, then the value when none holds; every
    /// value already cast to the result type.
    Case(Vec<(PhysicalExpr, PhysicalExpr)>, Box<PhysicalExpr>),
    /// `COALESCE`, the arguments cast to one type.
    Coalesce(Vec<PhysicalExpr>),
    /// A struct's field, by index (null where the struct is).
    Field(Box<PhysicalExpr>, usize),
    Binary(Box<PhysicalExpr>, BinaryOp, Box<PhysicalExpr>),
    Not(Box<PhysicalExpr>),
    Negative(Box<PhysicalExpr>),
    IsNull(Box<PhysicalExpr>),
    IsNotNull(Box<PhysicalExpr>),
    /// A `.str` operation, compiled once and shared by every partition.
    Str(Box<PhysicalExpr>, Arc<CompiledStrOp>),
    /// SQL `[NOT] LIKE`.
    Like {
        input: Box<PhysicalExpr>,
        matcher: Arc<Matcher>,
        negated: bool,
    },
    /// `str.cat`: the inputs as strings, joined row by row.
    Cat {
        inputs: Vec<PhysicalExpr>,
        sep: String,
        na_rep: Option<String>,
    },
}

/// The value of an expression over one batch: a column, or one value for every row.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Array(ArrayRef),
    Scalar(ArrayRef),
}

impl Value {
    /// The value as a column of `rows` rows.
    pub fn into_array(self, rows: usize) -> Result<ArrayRef> {
        match self {
            Value::Array(a) => Ok(a),
            Value::Scalar(s) if s.is_null(0) => Ok(new_null_array(s.data_type(), rows)),
            Value::Scalar(s) => {
                arrow_select::take::take(&s, &UInt32Array::from(vec![0u32; rows]), None)
                    .map_err(|e| Error::arrow("broadcast", e))
            }
        }
    }

    fn array(&self) -> &ArrayRef {
        match self {
            Value::Array(a) | Value::Scalar(a) => a,
        }
    }

    fn map(self, f: impl FnOnce(&dyn Array) -> Result<ArrayRef>) -> Result<Value> {
        Ok(match self {
            Value::Array(a) => Value::Array(f(&a)?),
            Value::Scalar(a) => Value::Scalar(f(&a)?),
        })
    }
}

/// True for the string types spindle's kernels read.
pub(crate) fn is_string(dt: &DataType) -> bool {
    match dt {
        DataType::Dictionary(_, v) => is_string(v),
        dt => is_plain_string(dt),
    }
}

/// True for the string types whose values are read in place (not a dictionary).
pub(crate) fn is_plain_string(dt: &DataType) -> bool {
    matches!(
        dt,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    )
}

fn is_numeric(dt: &DataType) -> bool {
    dt.is_numeric()
}

fn literal_array(value: &Literal) -> ArrayRef {
    use arrow_array::*;
    match value {
        Literal::Null => Arc::new(NullArray::new(1)),
        Literal::Boolean(v) => Arc::new(BooleanArray::from(vec![*v])),
        Literal::Int64(v) => Arc::new(Int64Array::from(vec![*v])),
        Literal::Float64(v) => Arc::new(Float64Array::from(vec![*v])),
        Literal::Utf8(v) => Arc::new(StringArray::from(vec![v.as_str()])),
        Literal::StrList(v) => {
            let values = StringArray::from(v.iter().map(String::as_str).collect::<Vec<_>>());
            Arc::new(ListArray::new(
                Arc::new(Field::new_list_field(DataType::Utf8, true)),
                arrow_buffer::OffsetBuffer::from_lengths([v.len()]),
                Arc::new(values),
                None,
            ))
        }
    }
}

/// Compiles `expr` against `schema`; returns the physical expression and its output field.
pub(crate) fn compile(expr: &Expr, schema: &Schema) -> Result<(PhysicalExpr, Field)> {
    let (physical, data_type, nullable) = compile_inner(expr, schema)?;
    Ok((
        physical,
        Field::new(expr.output_name(), data_type, nullable),
    ))
}

/// The index of column `name` (exact, else a unique case-insensitive match).
pub(crate) fn find_column(schema: &Schema, name: &str) -> Result<usize> {
    schema
        .index_of(name)
        .or_else(|_| {
            // Identifiers match case-insensitively when the match is unique (as in DuckDB).
            let hits: Vec<usize> = schema
                .fields()
                .iter()
                .enumerate()
                .filter(|(_, f)| f.name().eq_ignore_ascii_case(name))
                .map(|(i, _)| i)
                .collect();
            match hits[..] {
                [i] => Ok(i),
                _ => Err(()),
            }
        })
        .map_err(|_| Error::ColumnNotFound {
            name: name.to_string(),
            available: schema.fields().iter().map(|f| f.name().clone()).collect(),
        })
}

fn cast_to(e: PhysicalExpr, from: &DataType, to: &DataType) -> PhysicalExpr {
    if from == to {
        e
    } else {
        PhysicalExpr::Cast(Box::new(e), to.clone())
    }
}

/// Casts a literal at plan time (so that a bad literal is an error before any data is read).
fn cast_literal(e: &PhysicalExpr, to: &DataType, context: &str) -> Result<Option<PhysicalExpr>> {
    let PhysicalExpr::Literal(a) = e else {
        return Ok(None);
    };
    let options = arrow_cast::CastOptions {
        safe: false,
        ..Default::default()
    };
    let cast = arrow_cast::cast_with_options(a, to, &options)
        .map_err(|err| Error::invalid(context, format!("cannot use literal as {to}: {err}")))?;
    Ok(Some(PhysicalExpr::Literal(cast)))
}

/// A dictionary's value type; any other type itself.
fn value_type(t: &DataType) -> DataType {
    match t {
        DataType::Dictionary(_, v) => v.as_ref().clone(),
        t => t.clone(),
    }
}

/// The type both sides of a comparison are cast to.
fn comparison_type(l: &DataType, r: &DataType) -> Option<DataType> {
    match (l, r) {
        _ if l == r => Some(l.clone()),
        (DataType::Null, t) | (t, DataType::Null) => Some(t.clone()),
        _ if is_numeric(l) && is_numeric(r) => Some(numeric_type(l, r)),
        _ if is_string(l) && is_string(r) => {
            // A dictionary compares against its value type directly.
            if value_type(l) == value_type(r) {
                None
            } else {
                Some(DataType::LargeUtf8)
            }
        }
        _ => None,
    }
}

fn numeric_type(l: &DataType, r: &DataType) -> DataType {
    if l.is_floating()
        || r.is_floating()
        || matches!(l, DataType::Decimal128(..))
        || matches!(r, DataType::Decimal128(..))
    {
        DataType::Float64
    } else {
        DataType::Int64
    }
}

fn compile_inner(expr: &Expr, schema: &Schema) -> Result<(PhysicalExpr, DataType, bool)> {
    Ok(match expr {
        Expr::Agg { .. } => {
            return Err(Error::invalid(
                format!("{expr}"),
                "an aggregate belongs in group_by(...).agg(...) or a select of aggregates only",
            ))
        }
        Expr::Column(name) => {
            let i = find_column(schema, name)?;
            let f = schema.field(i);
            (
                PhysicalExpr::Column(i),
                f.data_type().clone(),
                f.is_nullable(),
            )
        }
        Expr::Literal(v) => {
            let a = literal_array(v);
            let dt = a.data_type().clone();
            (PhysicalExpr::Literal(a), dt, matches!(v, Literal::Null))
        }
        Expr::Alias(e, _) => compile_inner(e, schema)?,
        Expr::Cast {
            expr: e,
            to,
            strict,
        } => {
            let (p, dt, n) = compile_inner(e, schema)?;
            if !arrow_cast::can_cast_types(&dt, to) {
                return Err(Error::TypeMismatch {
                    context: format!("{expr}"),
                    expected: format!("a type that converts to {to}"),
                    found: dt,
                });
            }
            let p = if let (true, Some(lit)) = (*strict, cast_literal(&p, to, &expr.to_string())?) {
                lit
            } else {
                PhysicalExpr::UserCast {
                    input: Box::new(p),
                    to: to.clone(),
                    strict: *strict,
                }
            };
            (p, to.clone(), n || !strict)
        }
        Expr::Case {
            branches,
            otherwise,
        } => {
            let mut conditions = Vec::new();
            let mut values = Vec::new();
            for (c, v) in branches {
                let (p, dt, _) = compile_inner(c, schema)?;
                conditions.push(boolean_operand(p, &dt, &format!("CASE WHEN {c}"))?);
                values.push(compile_inner(v, schema)?);
            }
            let otherwise = match otherwise {
                Some(e) => compile_inner(e, schema)?,
                None => (
                    PhysicalExpr::Literal(literal_array(&Literal::Null)),
                    DataType::Null,
                    true,
                ),
            };
            values.push(otherwise);
            let (mut values, dt, n) = unify(values, &format!("{expr}"))?;
            let otherwise = values.pop().expect("the ELSE value");
            (
                PhysicalExpr::Case(
                    conditions.into_iter().zip(values).collect(),
                    Box::new(otherwise),
                ),
                dt,
                n,
            )
        }
        Expr::Subscript { expr: inner, key } => {
            let (p, dt, _) = compile_inner(inner, schema)?;
            let mismatch = |expected: &str| Error::TypeMismatch {
                context: format!("{expr}"),
                expected: expected.into(),
                found: dt.clone(),
            };
            match (&dt, key) {
                (DataType::Struct(fields), Literal::Utf8(name)) => {
                    let i = fields
                        .iter()
                        .position(|f| f.name() == name)
                        .or_else(|| {
                            fields
                                .iter()
                                .position(|f| f.name().eq_ignore_ascii_case(name))
                        })
                        .ok_or_else(|| Error::ColumnNotFound {
                            name: format!("{inner}.{name}"),
                            available: fields.iter().map(|f| f.name().clone()).collect(),
                        })?;
                    (
                        PhysicalExpr::Field(Box::new(p), i),
                        fields[i].data_type().clone(),
                        true,
                    )
                }
                (DataType::Struct(_), _) => {
                    return Err(mismatch("a field name (a string) as the key"))
                }
                (_, Literal::Int64(i)) if is_string(&dt) => compile_inner(
                    &Expr::Str(
                        inner.clone(),
                        StrOp::Substr {
                            start: *i,
                            length: Some(1),
                        },
                    ),
                    schema,
                )?,
                (DataType::List(_) | DataType::LargeList(_), Literal::Int64(i)) => {
                    // DuckDB's 1-based position (0 has no item); negative from the end.
                    let at = match *i {
                        0 => return compile_inner(&Expr::Literal(Literal::Null), schema),
                        i if i > 0 => i - 1,
                        i => i,
                    };
                    compile_inner(&Expr::Str(inner.clone(), StrOp::Get(at)), schema)?
                }
                _ => {
                    return Err(mismatch(
                        "a string or list with an integer, or a struct with a name",
                    ))
                }
            }
        }
        Expr::Coalesce(exprs) => {
            if exprs.is_empty() {
                return Err(Error::invalid("COALESCE", "needs at least one argument"));
            }
            let compiled = exprs
                .iter()
                .map(|e| compile_inner(e, schema))
                .collect::<Result<Vec<_>>>()?;
            let all_nullable = compiled.iter().all(|(_, _, n)| *n);
            let (values, dt, _) = unify(compiled, &format!("{expr}"))?;
            (PhysicalExpr::Coalesce(values), dt, all_nullable)
        }
        Expr::Not(e) => {
            let (p, dt, n) = compile_inner(e, schema)?;
            let p = boolean_operand(p, &dt, "NOT")?;
            (PhysicalExpr::Not(Box::new(p)), DataType::Boolean, n)
        }
        Expr::Negative(e) => {
            let (p, dt, n) = compile_inner(e, schema)?;
            if !is_numeric(&dt) {
                return Err(Error::TypeMismatch {
                    context: "unary -".into(),
                    expected: "a number".into(),
                    found: dt,
                });
            }
            (PhysicalExpr::Negative(Box::new(p)), dt, n)
        }
        Expr::IsNull(e) => (
            PhysicalExpr::IsNull(Box::new(compile_inner(e, schema)?.0)),
            DataType::Boolean,
            false,
        ),
        Expr::IsNotNull(e) => (
            PhysicalExpr::IsNotNull(Box::new(compile_inner(e, schema)?.0)),
            DataType::Boolean,
            false,
        ),
        Expr::Binary { left, op, right } => compile_binary(left, *op, right, schema)?,
        Expr::Like {
            expr: e,
            pattern,
            escape,
            caseless,
            negated,
        } => {
            let (p, dt, n) = compile_inner(e, schema)?;
            let op = if *caseless { "ILIKE" } else { "LIKE" };
            let p = string_operand(p, &dt, &format!("{e} {op}"))?;
            let matcher =
                Matcher::like(pattern, *escape, *caseless).map_err(|source| Error::Kernel {
                    function: op.into(),
                    source,
                })?;
            let like = PhysicalExpr::Like {
                input: Box::new(p),
                matcher: Arc::new(matcher),
                negated: *negated,
            };
            (like, DataType::Boolean, n)
        }
        Expr::Str(e, op) => {
            if let Some((inner, fused)) = fuse(e, op) {
                return compile_inner(&Expr::Str(Box::new(inner), fused), schema);
            }
            let (p, dt, n) = compile_inner(e, schema)?;
            let context = format!("{}({e})", op.name());
            // `join` and `get` also take list columns; everything else takes strings.
            let takes_lists = matches!(op, StrOp::Join(_) | StrOp::Get(_))
                && matches!(dt, DataType::List(_) | DataType::LargeList(_));
            let p = if takes_lists {
                p
            } else {
                string_operand(p, &dt, &context)?
            };
            let input_type = if dt == DataType::Null {
                DataType::Utf8
            } else {
                dt
            };
            let kernel_error = |source| Error::Kernel {
                function: op.name().into(),
                source,
            };
            let compiled = op.compile().map_err(kernel_error)?;
            let out = compiled.output_type(&input_type).map_err(|e| match e {
                KernelError::UnsupportedType { data_type, .. } => Error::TypeMismatch {
                    context: context.clone(),
                    expected: "a string".into(),
                    found: data_type,
                },
                other => kernel_error(other),
            })?;
            // Ops that can turn a value into a null (`get`, `extract`) make the column
            // nullable; the rest keep the input's nullability. Saying nullable is safe.
            let nullable = n || !matches!(out, DataType::Boolean | DataType::Int64);
            (
                PhysicalExpr::Str(Box::new(p), Arc::new(compiled)),
                out,
                nullable,
            )
        }
        Expr::Cat { exprs, sep, na_rep } => {
            let mut inputs = Vec::with_capacity(exprs.len());
            let mut nullable = false;
            for e in exprs {
                let (p, dt, n) = compile_inner(e, schema)?;
                nullable |= n;
                // Numbers and booleans are cast to text, as DuckDB's `||` does.
                let p = if is_string(&dt) {
                    p
                } else if dt.is_numeric() || matches!(dt, DataType::Boolean | DataType::Null) {
                    PhysicalExpr::Cast(Box::new(p), DataType::Utf8)
                } else {
                    return Err(Error::TypeMismatch {
                        context: format!("str_cat({e})"),
                        expected: "a string".into(),
                        found: dt,
                    });
                };
                inputs.push(p);
            }
            (
                PhysicalExpr::Cat {
                    inputs,
                    sep: sep.clone(),
                    na_rep: na_rep.clone(),
                },
                DataType::Utf8,
                nullable && na_rep.is_none(),
            )
        }
    })
}

/// Pairs of string ops that run as one: `split(..).get(i)` picks the piece without
/// building the lists, and a literal `split(sep).join(sep2)` is `replace(sep, sep2)`.
fn fuse(e: &Expr, op: &StrOp) -> Option<(Expr, StrOp)> {
    let Expr::Str(inner, StrOp::Split { pat, n, regex }) = e else {
        return None;
    };
    match op {
        StrOp::Get(i) => Some((
            inner.as_ref().clone(),
            StrOp::SplitGet {
                pat: pat.clone(),
                n: *n,
                regex: *regex,
                i: *i,
            },
        )),
        StrOp::Join(sep) => {
            let p = pat.as_deref()?;
            // pandas' rule: without `regex`, one character is a literal; a longer
            // pattern is a regex, which is a literal too when it has no regex syntax.
            let literal = match regex {
                Some(false) => true,
                Some(true) => kernels::is_plain_literal(p),
                None => p.chars().count() == 1 || kernels::is_plain_literal(p),
            };
            (literal && !p.is_empty() && *n <= 0).then(|| {
                (
                    inner.as_ref().clone(),
                    StrOp::Replace {
                        pat: p.to_string(),
                        repl: sep.clone(),
                        options: kernels::ReplaceOptions::default(),
                    },
                )
            })
        }
        _ => None,
    }
}

/// Casts the values of a `CASE` or `COALESCE` to one type: numbers to the widest
/// (`Int64` or `Float64`), strings of different layouts to `Utf8`, a null to the rest.
fn unify(
    values: Vec<(PhysicalExpr, DataType, bool)>,
    context: &str,
) -> Result<(Vec<PhysicalExpr>, DataType, bool)> {
    let mut common = DataType::Null;
    for (_, dt, _) in &values {
        common = match (&common, &value_type(dt)) {
            (DataType::Null, t) | (t, DataType::Null) => t.clone(),
            (a, b) if a == b => a.clone(),
            (a, b) if is_numeric(a) && is_numeric(b) => numeric_type(a, b),
            (a, b) if is_string(a) && is_string(b) => DataType::Utf8,
            (a, b) => {
                return Err(Error::TypeMismatch {
                    context: context.to_string(),
                    expected: format!("values of one type, the first is {a}"),
                    found: b.clone(),
                })
            }
        };
    }
    let nullable = values.iter().any(|(_, _, n)| *n);
    let out = values
        .into_iter()
        .map(|(p, dt, _)| cast_to(p, &dt, &common))
        .collect();
    Ok((out, common, nullable))
}

/// A boolean mask in which nulls are false (arrow's `prep_null_mask_filter` requires a
/// null buffer).
fn null_as_false(mask: &arrow_array::BooleanArray) -> arrow_array::BooleanArray {
    match mask.nulls() {
        Some(nulls) if nulls.null_count() > 0 => {
            arrow_array::BooleanArray::new(mask.values() & nulls.inner(), None)
        }
        _ => mask.clone(),
    }
}

/// The user's `CAST` and `TRY_CAST`, with DuckDB's rounding of floats to integers.
fn user_cast(a: &dyn Array, to: &DataType, strict: bool) -> Result<ArrayRef> {
    let context = || format!("CAST to {to}");
    let rounded;
    let a = if a.data_type().is_floating() && to.is_integer() {
        let f = arrow_cast::cast(a, &DataType::Float64).map_err(|e| Error::arrow(context(), e))?;
        rounded = arrow_array::Float64Array::from_unary(
            f.as_primitive::<arrow_array::types::Float64Type>(),
            f64::round_ties_even,
        );
        &rounded as &dyn Array
    } else {
        a
    };
    let options = arrow_cast::CastOptions {
        safe: !strict,
        ..Default::default()
    };
    arrow_cast::cast_with_options(a, to, &options)
        .map_err(|e| Error::invalid(context(), e.to_string()))
}

fn string_operand(p: PhysicalExpr, dt: &DataType, context: &str) -> Result<PhysicalExpr> {
    if is_string(dt) {
        return Ok(p);
    }
    if *dt == DataType::Null {
        return Ok(PhysicalExpr::Cast(Box::new(p), DataType::Utf8));
    }
    Err(Error::TypeMismatch {
        context: context.to_string(),
        expected: "a string".into(),
        found: dt.clone(),
    })
}

fn boolean_operand(p: PhysicalExpr, dt: &DataType, context: &str) -> Result<PhysicalExpr> {
    match dt {
        DataType::Boolean => Ok(p),
        DataType::Null => Ok(PhysicalExpr::Cast(Box::new(p), DataType::Boolean)),
        other => Err(Error::TypeMismatch {
            context: context.to_string(),
            expected: "a boolean".into(),
            found: other.clone(),
        }),
    }
}

fn compile_binary(
    left: &Expr,
    op: BinaryOp,
    right: &Expr,
    schema: &Schema,
) -> Result<(PhysicalExpr, DataType, bool)> {
    let (l, lt, ln) = compile_inner(left, schema)?;
    let (r, rt, rn) = compile_inner(right, schema)?;
    let nullable = ln || rn;
    let context = format!("{left} {} {right}", op.symbol());
    let mismatch = |expected: &str, found: &DataType| Error::TypeMismatch {
        context: context.clone(),
        expected: expected.into(),
        found: found.clone(),
    };
    match op {
        BinaryOp::And | BinaryOp::Or => {
            let l = boolean_operand(l, &lt, &context)?;
            let r = boolean_operand(r, &rt, &context)?;
            Ok((
                PhysicalExpr::Binary(Box::new(l), op, Box::new(r)),
                DataType::Boolean,
                nullable,
            ))
        }
        BinaryOp::Eq
        | BinaryOp::NotEq
        | BinaryOp::Lt
        | BinaryOp::LtEq
        | BinaryOp::Gt
        | BinaryOp::GtEq => {
            // A boolean does not compare with a number (`1 < 2 < 3`), as in DuckDB.
            let boolean_and_number =
                |a: &DataType, b: &DataType| *a == DataType::Boolean && is_numeric(b);
            if boolean_and_number(&lt, &rt) || boolean_and_number(&rt, &lt) {
                return Err(mismatch(
                    &format!("operands of one type, left is {lt}"),
                    &rt,
                ));
            }
            // A string against a number is converted to the number's type, as DuckDB binds
            // it: `id = '42'` is `id = 42`, and `'abc' > 10` is a conversion error (at plan
            // time for a literal, when the value is read for a column).
            let to_number = |p: PhysicalExpr, to: &DataType| -> Result<PhysicalExpr> {
                Ok(match cast_literal(&p, to, &context)? {
                    Some(literal) => literal,
                    None => PhysicalExpr::UserCast {
                        input: Box::new(p),
                        to: to.clone(),
                        strict: true,
                    },
                })
            };
            let (l, r, lt, rt) = if is_string(&lt) && is_numeric(&rt) {
                (to_number(l, &rt)?, r, rt.clone(), rt)
            } else if is_numeric(&lt) && is_string(&rt) {
                (l, to_number(r, &lt)?, lt.clone(), lt)
            } else {
                (l, r, lt, rt)
            };
            // A string literal against another type (a date) is cast to that type.
            let (l, r, lt, rt) = match (
                cast_literal(&l, &rt, &context),
                cast_literal(&r, &lt, &context),
            ) {
                _ if comparison_type(&lt, &rt).is_some()
                    || lt == rt
                    || (is_string(&lt) && is_string(&rt)) =>
                {
                    (l, r, lt, rt)
                }
                (Ok(Some(l2)), _) => (l2, r, rt.clone(), rt),
                (_, Ok(Some(r2))) => (l, r2, lt.clone(), lt),
                (Err(e), _) | (_, Err(e)) => return Err(e),
                _ => {
                    return Err(mismatch(
                        &format!("operands of one type, left is {lt}"),
                        &rt,
                    ))
                }
            };
            let (l, r) = match comparison_type(&lt, &rt) {
                Some(common) => (cast_to(l, &lt, &common), cast_to(r, &rt, &common)),
                None if is_string(&lt) && is_string(&rt) => (l, r),
                None => {
                    return Err(mismatch(
                        &format!("operands of one type, left is {lt}"),
                        &rt,
                    ))
                }
            };
            Ok((
                PhysicalExpr::Binary(Box::new(l), op, Box::new(r)),
                DataType::Boolean,
                nullable,
            ))
        }
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => {
            let numeric_or_null = |t: &DataType| is_numeric(t) || *t == DataType::Null;
            if !numeric_or_null(&lt) {
                return Err(mismatch("numbers", &lt));
            }
            if !numeric_or_null(&rt) {
                return Err(mismatch("numbers", &rt));
            }
            let common = if op == BinaryOp::Div {
                DataType::Float64
            } else {
                match (&lt, &rt) {
                    (DataType::Null, DataType::Null) => DataType::Int64,
                    (DataType::Null, t) | (t, DataType::Null) => numeric_type(t, t),
                    _ => numeric_type(&lt, &rt),
                }
            };
            let (l, r) = (cast_to(l, &lt, &common), cast_to(r, &rt, &common));
            Ok((
                PhysicalExpr::Binary(Box::new(l), op, Box::new(r)),
                common,
                true,
            ))
        }
    }
}

/// Evaluates a compiled expression over one batch.
pub(crate) fn evaluate(expr: &PhysicalExpr, batch: &RecordBatch) -> Result<Value> {
    match expr {
        PhysicalExpr::Column(i) => Ok(Value::Array(batch.column(*i).clone())),
        PhysicalExpr::Literal(a) => Ok(Value::Scalar(a.clone())),
        PhysicalExpr::Cast(e, to) => evaluate(e, batch)?.map(|a| {
            arrow_cast::cast(a, to).map_err(|err| Error::arrow(format!("cast to {to}"), err))
        }),
        PhysicalExpr::UserCast { input, to, strict } => {
            evaluate(input, batch)?.map(|a| user_cast(a, to, *strict))
        }
        PhysicalExpr::Case(branches, otherwise) => {
            let rows = batch.num_rows();
            let mut out = evaluate(otherwise, batch)?.into_array(rows)?;
            for (condition, value) in branches.iter().rev() {
                let mask = evaluate(condition, batch)?.into_array(rows)?;
                let mask = null_as_false(mask.as_boolean());
                let value = evaluate(value, batch)?.into_array(rows)?;
                out = arrow_select::zip::zip(&mask, &value, &out)
                    .map_err(|e| Error::arrow("CASE", e))?;
            }
            Ok(Value::Array(out))
        }
        PhysicalExpr::Field(input, i) => evaluate(input, batch)?.map(|a| {
            let s = a.as_struct();
            let child = s.column(*i);
            // A field of a null struct is null.
            let nulls = arrow_buffer::NullBuffer::union(s.nulls(), child.nulls());
            let data = child
                .to_data()
                .into_builder()
                .nulls(nulls)
                .build()
                .map_err(|e| Error::arrow("struct field", e))?;
            Ok(arrow_array::make_array(data))
        }),
        PhysicalExpr::Coalesce(values) => {
            let rows = batch.num_rows();
            let (last, rest) = values.split_last().expect("COALESCE has an argument");
            let mut out = evaluate(last, batch)?.into_array(rows)?;
            for value in rest.iter().rev() {
                let value = evaluate(value, batch)?.into_array(rows)?;
                let mask = arrow_arith::boolean::is_not_null(&value)
                    .map_err(|e| Error::arrow("COALESCE", e))?;
                out = arrow_select::zip::zip(&mask, &value, &out)
                    .map_err(|e| Error::arrow("COALESCE", e))?;
            }
            Ok(Value::Array(out))
        }
        PhysicalExpr::Not(e) => evaluate(e, batch)?.map(|a| {
            Ok(Arc::new(
                arrow_arith::boolean::not(a.as_boolean())
                    .map_err(|err| Error::arrow("NOT", err))?,
            ) as ArrayRef)
        }),
        PhysicalExpr::Negative(e) => evaluate(e, batch)?
            .map(|a| arrow_arith::numeric::neg(a).map_err(|err| Error::arrow("unary -", err))),
        PhysicalExpr::IsNull(e) => evaluate(e, batch)?.map(|a| {
            Ok(Arc::new(
                arrow_arith::boolean::is_null(a).map_err(|err| Error::arrow("IS NULL", err))?,
            ) as ArrayRef)
        }),
        PhysicalExpr::IsNotNull(e) => evaluate(e, batch)?.map(|a| {
            Ok(Arc::new(
                arrow_arith::boolean::is_not_null(a)
                    .map_err(|err| Error::arrow("IS NOT NULL", err))?,
            ) as ArrayRef)
        }),
        PhysicalExpr::Str(e, op) => evaluate(e, batch)?.map(|a| {
            op.apply(a).map_err(|source| Error::Kernel {
                function: op.op().name().into(),
                source,
            })
        }),
        PhysicalExpr::Like {
            input,
            matcher,
            negated,
        } => evaluate(input, batch)?.map(|a| {
            let err = |source| Error::Kernel {
                function: "LIKE".into(),
                source,
            };
            let mut out = kernels::matches(a, matcher).map_err(err)?;
            if *negated {
                out = arrow_arith::boolean::not(&out).map_err(|e| Error::arrow("NOT LIKE", e))?;
            }
            Ok(Arc::new(out) as ArrayRef)
        }),
        PhysicalExpr::Cat {
            inputs,
            sep,
            na_rep,
        } => {
            let rows = batch.num_rows();
            let values: Vec<Value> = inputs
                .iter()
                .map(|e| evaluate(e, batch))
                .collect::<Result<_>>()?;
            let all_scalar = values.iter().all(|v| matches!(v, Value::Scalar(_)));
            let n = if all_scalar { 1 } else { rows };
            let arrays: Vec<ArrayRef> = values
                .into_iter()
                .map(|v| v.into_array(n))
                .collect::<Result<_>>()?;
            let refs: Vec<&dyn Array> = arrays.iter().map(AsRef::as_ref).collect();
            let out =
                kernels::cat(&refs, sep, na_rep.as_deref()).map_err(|source| Error::Kernel {
                    function: "cat".into(),
                    source,
                })?;
            Ok(if all_scalar {
                Value::Scalar(out)
            } else {
                Value::Array(out)
            })
        }
        PhysicalExpr::Binary(l, op, r) => {
            let (l, r) = (evaluate(l, batch)?, evaluate(r, batch)?);
            binary(&l, *op, &r, batch.num_rows())
        }
    }
}

fn binary(l: &Value, op: BinaryOp, r: &Value, rows: usize) -> Result<Value> {
    let both_scalar = matches!((l, r), (Value::Scalar(_), Value::Scalar(_)));
    let wrap = |a: ArrayRef| {
        if both_scalar {
            Value::Scalar(a)
        } else {
            Value::Array(a)
        }
    };
    let (la, ra) = (l.array(), r.array());
    let ls;
    let rs;
    let ld: &dyn Datum = match l {
        Value::Scalar(a) if !both_scalar => {
            ls = Scalar::new(a.clone());
            &ls
        }
        _ => la,
    };
    let rd: &dyn Datum = match r {
        Value::Scalar(a) if !both_scalar => {
            rs = Scalar::new(a.clone());
            &rs
        }
        _ => ra,
    };
    let context = format!("operator {op:?}");
    let arrow = |e| Error::arrow(context.clone(), e);
    use arrow_ord::cmp;
    let out: ArrayRef = match op {
        BinaryOp::Eq => Arc::new(cmp::eq(ld, rd).map_err(arrow)?),
        BinaryOp::NotEq => Arc::new(cmp::neq(ld, rd).map_err(arrow)?),
        BinaryOp::Lt => Arc::new(cmp::lt(ld, rd).map_err(arrow)?),
        BinaryOp::LtEq => Arc::new(cmp::lt_eq(ld, rd).map_err(arrow)?),
        BinaryOp::Gt => Arc::new(cmp::gt(ld, rd).map_err(arrow)?),
        BinaryOp::GtEq => Arc::new(cmp::gt_eq(ld, rd).map_err(arrow)?),
        BinaryOp::Add => arrow_arith::numeric::add(ld, rd).map_err(arrow)?,
        BinaryOp::Sub => arrow_arith::numeric::sub(ld, rd).map_err(arrow)?,
        BinaryOp::Mul => arrow_arith::numeric::mul(ld, rd).map_err(arrow)?,
        // As in DuckDB 2: `/` is IEEE float division (1/0 is inf, 0/0 is NaN); an integer
        // `%` by zero is an error, a float one NaN.
        BinaryOp::Div => arrow_arith::numeric::div(ld, rd).map_err(arrow)?,
        BinaryOp::Mod => arrow_arith::numeric::rem(ld, rd).map_err(arrow)?,
        BinaryOp::And | BinaryOp::Or => {
            let n = if both_scalar { 1 } else { rows };
            let (la, ra) = (l.clone().into_array(n)?, r.clone().into_array(n)?);
            let (la, ra) = (la.as_boolean(), ra.as_boolean());
            Arc::new(
                if op == BinaryOp::And {
                    arrow_arith::boolean::and_kleene(la, ra)
                } else {
                    arrow_arith::boolean::or_kleene(la, ra)
                }
                .map_err(arrow)?,
            )
        }
    };
    Ok(wrap(out))
}
