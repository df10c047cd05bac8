//! FROM's table functions: DuckDB's `read_csv` and `read_parquet` with DuckDB's option
//! names, `range` and `generate_series`; and the constant arguments they and LIMIT read.

use sqlparser::ast::{self, BinaryOperator, FunctionArg, FunctionArgExpr, Spanned, UnaryOperator};

use super::at;
use crate::error::{Error, Result};
use crate::frame::DataFrame;

/// A one-part name as written, without its quotes (`"lower"` is `lower`); a dotted name as
/// SQL text.
pub(super) fn object_name(name: &ast::ObjectName) -> String {
    match &name.0[..] {
        [ast::ObjectNamePart::Identifier(id)] => id.value.clone(),
        _ => name.to_string(),
    }
}

/// DuckDB's `range(stop)`, `range(start, stop[, step])` (stop excluded) and
/// `generate_series` (stop included): one Int64 column named after the function.
fn series(name: &ast::ObjectName, func: &str, args: &[FunctionArg]) -> Result<DataFrame> {
    const MAX_ROWS: i128 = 1 << 32;
    let mut values = Vec::with_capacity(args.len());
    for arg in args {
        let v = match arg {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => match e {
                ast::Expr::Value(v) => match &v.value {
                    ast::Value::Number(n, _) => n.parse::<i64>().ok(),
                    _ => None,
                },
                ast::Expr::UnaryOp {
                    op: UnaryOperator::Minus,
                    expr,
                } => match expr.as_ref() {
                    ast::Expr::Value(v) => match &v.value {
                        ast::Value::Number(n, _) => n.parse::<i64>().ok().map(|n| -n),
                        _ => None,
                    },
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        };
        values.push(v.ok_or_else(|| {
            at(
                arg.span(),
                format!("{func} takes constant integers: {func}(start, stop, step)"),
            )
        })?);
    }
    let inclusive = func == "generate_series";
    let (start, stop, step) = match values[..] {
        [stop] => (0, stop, 1),
        [start, stop] => (start, stop, 1),
        [start, stop, step] => (start, stop, step),
        _ => {
            return Err(at(
                name.span(),
                format!("{func} takes one to three integers: {func}(start, stop, step)"),
            ))
        }
    };
    if step == 0 {
        return Err(at(name.span(), format!("{func}: the step must not be 0")));
    }
    let (start, stop, step) = (start as i128, stop as i128, step as i128);
    let end = if inclusive {
        stop + step.signum()
    } else {
        stop
    };
    let count = ((end - start) + step - step.signum()) / step;
    let count = count.max(0);
    if count > MAX_ROWS {
        return Err(at(
            name.span(),
            format!("{func} would make {count} rows, more than {MAX_ROWS}"),
        ));
    }
    let array =
        arrow_array::Int64Array::from_iter_values((0..count).map(|i| (start + i * step) as i64));
    let batch = arrow_array::RecordBatch::try_from_iter([(
        func,
        std::sync::Arc::new(array) as arrow_array::ArrayRef,
    )])
    .map_err(|e| Error::arrow(func.to_string(), e))?;
    DataFrame::from_batches(batch.schema(), vec![batch])
}

/// `read_csv('f.csv', delim = ';', header = false, ...)` and `read_parquet('f')`, with
/// DuckDB's names and option names.
pub(super) fn table_function(name: &ast::ObjectName, args: &[FunctionArg]) -> Result<DataFrame> {
    let func = object_name(name).to_ascii_lowercase();
    match func.as_str() {
        "read_csv" | "read_csv_auto" | "read_parquet" => {}
        "range" | "generate_series" => return series(name, &func, args),
        _ => {
            return Err(at(
                name.span(),
                format!(
                    "unknown table function {func}; read_csv, read_parquet, range and \
                     generate_series are known, or name a file: FROM 'data.arrow'"
                ),
            ))
        }
    }
    let mut path = None;
    let mut options: Vec<(String, &ast::Expr)> = Vec::new();
    for arg in args {
        match arg {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(ast::Expr::BinaryOp {
                left,
                op: BinaryOperator::Eq,
                right,
            })) if matches!(left.as_ref(), ast::Expr::Identifier(_)) => {
                let ast::Expr::Identifier(id) = left.as_ref() else {
                    unreachable!("matched above")
                };
                options.push((id.value.to_ascii_lowercase(), right));
            }
            FunctionArg::Named {
                name,
                arg: FunctionArgExpr::Expr(e),
                ..
            } => options.push((name.value.to_ascii_lowercase(), e)),
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) if path.is_none() => {
                path = Some(option_string(e, &func)?);
            }
            other => {
                return Err(at(
                    other.span(),
                    format!("{func} takes one file path and named options"),
                ))
            }
        }
    }
    let path = path.ok_or_else(|| at(name.span(), format!("{func} needs a file path")))?;
    match func.as_str() {
        "read_csv" | "read_csv_auto" => {
            let mut csv = crate::CsvOptions::default();
            for (option, value) in options {
                let what = format!("{func}'s {option}");
                match option.as_str() {
                    "delim" | "sep" | "delimiter" => csv.delimiter = option_byte(value, &what)?,
                    "quote" => csv.quote = option_byte(value, &what)?,
                    "escape" => csv.escape = Some(option_byte(value, &what)?),
                    "header" => csv.header = option_bool(value, &what)?,
                    "ignore_errors" => csv.skip_bad_rows = option_bool(value, &what)?,
                    "nullstr" | "null_values" => match value {
                        ast::Expr::Array(ast::Array { elem, .. }) => {
                            for e in elem {
                                csv.null_values.push(option_string(e, &what)?);
                            }
                        }
                        e => csv.null_values.push(option_string(e, &what)?),
                    },
                    "sample_size" => {
                        csv.infer_rows = count_value(value, &what)?.max(1);
                    }
                    "types" | "dtypes" | "column_types" => {
                        let ast::Expr::Dictionary(fields) = value else {
                            return Err(at(
                                value.span(),
                                format!("{what} is a struct of column types: {{'col': 'BIGINT'}}"),
                            ));
                        };
                        for field in fields {
                            let ty = option_string(&field.value, &what)?;
                            let ty = crate::storage::csv::parse_type(&ty)
                                .map_err(|e| at(field.value.span(), e.to_string()))?;
                            csv.schema_overrides.push((field.key.value.clone(), ty));
                        }
                    }
                    _ => {
                        return Err(at(
                            value.span(),
                            format!(
                                "{func} has no option {option}; it takes delim, header, quote, escape, nullstr, sample_size, ignore_errors and types"
                            ),
                        ))
                    }
                }
            }
            crate::frame::read_csv(&path, &csv)
        }
        "read_parquet" => match options.first() {
            Some((option, value)) => Err(at(
                value.span(),
                format!("read_parquet has no option {option}"),
            )),
            None => crate::frame::read_parquet(&path),
        },
        _ => Err(at(
            name.span(),
            format!("unknown table function {name}; read_csv and read_parquet are known, or name a file: FROM 'data.arrow'"),
        )),
    }
}

fn option_string(e: &ast::Expr, what: &str) -> Result<String> {
    match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::SingleQuotedString(s) | ast::Value::EscapedStringLiteral(s) => {
                Ok(s.clone())
            }
            _ => Err(at(e.span(), format!("{what} is a string"))),
        },
        _ => Err(at(e.span(), format!("{what} is a string"))),
    }
}

fn option_byte(e: &ast::Expr, what: &str) -> Result<u8> {
    let s = option_string(e, what)?;
    crate::storage::csv::parse_byte(&s).ok_or_else(|| {
        at(
            e.span(),
            format!("{what} is one ASCII character, not {s:?}"),
        )
    })
}

fn option_bool(e: &ast::Expr, what: &str) -> Result<bool> {
    match e {
        ast::Expr::Value(v) => match v.value {
            ast::Value::Boolean(b) => Ok(b),
            _ => Err(at(e.span(), format!("{what} is true or false"))),
        },
        _ => Err(at(e.span(), format!("{what} is true or false"))),
    }
}

pub(super) fn count_value(e: &ast::Expr, what: &str) -> Result<usize> {
    match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::Number(n, _) => n.parse::<usize>().map_err(|_| {
                at(
                    e.span(),
                    format!("{what} must be a non-negative integer that fits in 64 bits, got {n}"),
                )
            }),
            _ => Err(at(e.span(), format!("{what} must be a number"))),
        },
        ast::Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } if matches!(**expr, ast::Expr::Value(_)) => Err(at(
            e.span(),
            format!("{what} must be a non-negative integer, got {e}"),
        )),
        _ => Err(at(e.span(), format!("{what} must be a constant number"))),
    }
}
