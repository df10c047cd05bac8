//! The function registry of the SQL front end, under spindle's naming rule:
//!
//! - a function DuckDB has keeps DuckDB's name and meaning (`lower`, `length`, `contains`,
//!   `starts_with`, `regexp_matches`, ...);
//! - every pandas `.str` method is also there as `str_<name>`, with pandas' meaning and
//!   pandas' keyword arguments as SQL named arguments:
//!   `str_contains(text, '\d+', regex => true, case => false)`.
//!
//! The difference matters: DuckDB's `upper('straße')` maps one code point at a time and
//! gives `STRAßE`; pandas' (Python's) `str_upper` gives `STRASSE`.

use spindle_kernels::{CaseMapping, ContainsOptions};

use crate::error::{Error, Result};
use crate::expr::{Expr, Literal, StrFunction};

/// One argument of a call, positional or named.
#[derive(Debug, Clone)]
pub(crate) struct Arg {
    pub name: Option<String>,
    pub value: Expr,
}

/// Every function name the registry knows, for help texts and tests.
pub const FUNCTIONS: &[(&str, &str)] = &[
    (
        "lower(s) / lcase(s)",
        "DuckDB: lowercase, one code point at a time",
    ),
    (
        "upper(s) / ucase(s)",
        "DuckDB: uppercase, one code point at a time",
    ),
    (
        "length(s) / len(s) / char_length(s)",
        "DuckDB: length in code points",
    ),
    ("strlen(s) / octet_length(s)", "DuckDB: length in bytes"),
    ("contains(s, t)", "DuckDB: literal substring test"),
    (
        "starts_with(s, t) / prefix(s, t)",
        "DuckDB: literal prefix test",
    ),
    (
        "ends_with(s, t) / suffix(s, t)",
        "DuckDB: literal suffix test",
    ),
    (
        "regexp_matches(s, pattern[, options])",
        "DuckDB: regex search; options 'i' (caseless), 'c', 's', 'm'/'n'/'p', 'l' (literal)",
    ),
    ("str_len(s)", "pandas: length in code points"),
    (
        "str_lower(s) / str_upper(s)",
        "pandas: Python's full case mapping (ß → SS)",
    ),
    (
        "str_contains(s, pat, case, flags, na, regex)",
        "pandas: regex (default) or literal search",
    ),
    (
        "str_startswith(s, pat, na) / str_endswith(s, pat, na)",
        "pandas: literal prefix / suffix test",
    ),
];

/// Binds positional and named arguments to `params` (after the first, the string operand);
/// returns the operand and one slot per parameter.
fn bind(
    function: &str,
    args: Vec<Arg>,
    params: &[&str],
    required: usize,
) -> Result<(Expr, Vec<Option<Expr>>)> {
    let mut slots: Vec<Option<Expr>> = vec![None; params.len()];
    let mut args = args.into_iter();
    let operand = match args.next() {
        Some(Arg { name: None, value }) => value,
        _ => {
            return Err(Error::invalid(
                function,
                "expects a string operand as its first argument",
            ))
        }
    };
    let (mut position, mut named) = (0, false);
    for arg in args {
        let slot = match &arg.name {
            None if named => {
                return Err(Error::invalid(
                    function,
                    "positional argument after a named one",
                ))
            }
            None => {
                position += 1;
                position - 1
            }
            Some(name) => {
                named = true;
                params
                    .iter()
                    .position(|p| p.eq_ignore_ascii_case(name))
                    .ok_or_else(|| {
                        Error::invalid(
                            function,
                            format!("unknown argument {name:?}; it takes {}", params.join(", ")),
                        )
                    })?
            }
        };
        if slot >= params.len() {
            return Err(Error::invalid(
                function,
                format!("takes at most {} arguments", params.len() + 1),
            ));
        }
        if slots[slot].is_some() {
            return Err(Error::invalid(
                function,
                format!("argument {} given twice", params[slot]),
            ));
        }
        slots[slot] = Some(arg.value);
    }
    if let Some(missing) = slots[..required].iter().position(Option::is_none) {
        return Err(Error::invalid(
            function,
            format!("missing argument {}", params[missing]),
        ));
    }
    Ok((operand, slots))
}

fn literal<'a>(function: &str, param: &str, e: &'a Option<Expr>) -> Result<Option<&'a Literal>> {
    match e {
        None => Ok(None),
        Some(Expr::Literal(l)) => Ok(Some(l)),
        Some(other) => Err(Error::invalid(
            function,
            format!("argument {param} must be a constant, got {other}"),
        )),
    }
}

fn string_arg(function: &str, param: &str, e: &Option<Expr>) -> Result<String> {
    match literal(function, param, e)? {
        Some(Literal::Utf8(s)) => Ok(s.clone()),
        Some(other) => Err(Error::invalid(
            function,
            format!("argument {param} must be a string, got {other:?}"),
        )),
        None => Err(Error::invalid(
            function,
            format!("missing argument {param}"),
        )),
    }
}

fn bool_arg(function: &str, param: &str, e: &Option<Expr>, default: bool) -> Result<bool> {
    match literal(function, param, e)? {
        None => Ok(default),
        Some(Literal::Boolean(b)) => Ok(*b),
        Some(other) => Err(Error::invalid(
            function,
            format!("argument {param} must be true or false, got {other:?}"),
        )),
    }
}

fn na_arg(function: &str, e: &Option<Expr>) -> Result<Option<bool>> {
    match literal(function, "na", e)? {
        None | Some(Literal::Null) => Ok(None),
        Some(Literal::Boolean(b)) => Ok(Some(*b)),
        Some(other) => Err(Error::invalid(
            function,
            format!("argument na must be true, false or NULL, got {other:?}"),
        )),
    }
}

fn str_fn(operand: Expr, f: StrFunction) -> Expr {
    Expr::Str(Box::new(operand), f)
}

/// Resolves a call by name.
pub(crate) fn call(name: &str, args: Vec<Arg>) -> Result<Expr> {
    let lower = name.to_ascii_lowercase();
    let f = lower.as_str();
    let unary = |args: Vec<Arg>, func: StrFunction| -> Result<Expr> {
        Ok(str_fn(bind(f, args, &[], 0)?.0, func))
    };
    match f {
        "lower" | "lcase" => unary(args, StrFunction::Lower(CaseMapping::Simple)),
        "upper" | "ucase" => unary(args, StrFunction::Upper(CaseMapping::Simple)),
        "length" | "len" | "char_length" | "character_length" | "str_len" => {
            unary(args, StrFunction::Len)
        }
        "strlen" | "octet_length" => unary(args, StrFunction::ByteLength),
        "str_lower" => unary(args, StrFunction::Lower(CaseMapping::Full)),
        "str_upper" => unary(args, StrFunction::Upper(CaseMapping::Full)),
        "contains" => {
            let (s, a) = bind(f, args, &["search_string"], 1)?;
            let pattern = string_arg(f, "search_string", &a[0])?;
            Ok(str_fn(
                s,
                StrFunction::Contains {
                    pattern,
                    options: ContainsOptions {
                        regex: false,
                        ..Default::default()
                    },
                },
            ))
        }
        "starts_with" | "prefix" | "ends_with" | "suffix" => {
            let (s, a) = bind(f, args, &["search_string"], 1)?;
            let pattern = string_arg(f, "search_string", &a[0])?;
            let function = if matches!(f, "starts_with" | "prefix") {
                StrFunction::StartsWith { pattern, na: None }
            } else {
                StrFunction::EndsWith { pattern, na: None }
            };
            Ok(str_fn(s, function))
        }
        "regexp_matches" => {
            let (s, a) = bind(f, args, &["pattern", "options"], 1)?;
            let pattern = string_arg(f, "pattern", &a[0])?;
            let opts = if a[1].is_some() {
                string_arg(f, "options", &a[1])?
            } else {
                String::new()
            };
            let mut options = ContainsOptions {
                flags: spindle_kernels::flags::DOTALL,
                ..Default::default()
            };
            for c in opts.chars() {
                match c {
                    'i' => options.case = false,
                    'c' => options.case = true,
                    'l' => options.regex = false,
                    's' => options.flags |= spindle_kernels::flags::DOTALL,
                    'm' | 'n' | 'p' => {
                        options.flags = (options.flags & !spindle_kernels::flags::DOTALL)
                            | spindle_kernels::flags::MULTILINE
                    }
                    other => {
                        return Err(Error::invalid(
                            f,
                            format!(
                                "unknown regex option {other:?} (expected c, i, l, s, m, n, p)"
                            ),
                        ))
                    }
                }
            }
            Ok(str_fn(s, StrFunction::Contains { pattern, options }))
        }
        "str_contains" => {
            let (s, a) = bind(f, args, &["pat", "case", "flags", "na", "regex"], 1)?;
            let pattern = string_arg(f, "pat", &a[0])?;
            let flags = match literal(f, "flags", &a[2])? {
                None => 0,
                Some(Literal::Int64(v)) => u32::try_from(*v).map_err(|_| {
                    Error::invalid(
                        f,
                        format!("flags must be a small non-negative integer, got {v}"),
                    )
                })?,
                Some(other) => {
                    return Err(Error::invalid(
                        f,
                        format!("argument flags must be an integer, got {other:?}"),
                    ))
                }
            };
            let options = ContainsOptions {
                case: bool_arg(f, "case", &a[1], true)?,
                flags,
                na: na_arg(f, &a[3])?,
                regex: bool_arg(f, "regex", &a[4], true)?,
            };
            Ok(str_fn(s, StrFunction::Contains { pattern, options }))
        }
        "str_startswith" | "str_endswith" => {
            let (s, a) = bind(f, args, &["pat", "na"], 1)?;
            let pattern = string_arg(f, "pat", &a[0])?;
            let na = na_arg(f, &a[1])?;
            Ok(str_fn(
                s,
                if f == "str_startswith" {
                    StrFunction::StartsWith { pattern, na }
                } else {
                    StrFunction::EndsWith { pattern, na }
                },
            ))
        }
        _ => Err(Error::UnknownFunction {
            name: name.to_string(),
        }),
    }
}
