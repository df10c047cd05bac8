//! SQL's function table, derived from the one list of string operations
//! ([`crate::expr::catalogue`]): `str_<name>` calls the pandas method `name` with pandas'
//! keyword arguments as SQL named arguments
//! (`str_contains(text, '\d+', regex => true, case => false)`); any other name is
//! DuckDB's function of that name (or alias), with DuckDB's meaning.

use crate::error::{Error, Result};
use crate::expr::catalogue::{lookup, Arg, Dialect, FUNCTIONS};
use crate::expr::Expr;

/// Every string function SQL knows, with a line on each, for help texts: DuckDB's first,
/// then pandas' as `str_<name>`.
pub fn functions() -> Vec<(String, String)> {
    let duckdb = FUNCTIONS.iter().filter(|f| f.dialect == Dialect::DuckDb);
    let pandas = FUNCTIONS.iter().filter(|f| f.dialect == Dialect::Pandas);
    let mut out: Vec<(String, String)> = duckdb
        .map(|f| {
            let mut names = f.signature();
            for alias in f.aliases {
                names.push_str(&format!(" / {alias}"));
            }
            (names, format!("DuckDB: {}", f.doc))
        })
        .collect();
    out.extend(pandas.map(|f| {
        let signature = f.signature();
        let args = &signature[f.name.len() + 1..];
        let sql = if args == ")" {
            format!("str_{}(s)", f.name)
        } else {
            format!("str_{}(s, {args}", f.name)
        };
        (sql, format!("pandas: {}", f.doc))
    }));
    out
}

/// Resolves a call by name: `str_<method>` to the pandas method, else DuckDB's function.
pub(crate) fn call(name: &str, args: Vec<Arg>) -> Result<Expr> {
    let lower = name.to_ascii_lowercase();
    let function = lower
        .strip_prefix("str_")
        .and_then(|method| lookup(Dialect::Pandas, method))
        .or_else(|| lookup(Dialect::DuckDb, &lower))
        .ok_or_else(|| Error::UnknownFunction {
            name: name.to_string(),
        })?;
    let mut args = args.into_iter();
    let operand = match args.next() {
        Some(Arg { name: None, value }) => value,
        _ => {
            return Err(Error::invalid(
                lower,
                "expects a string operand as its first argument",
            ))
        }
    };
    function.call_as(&lower, operand, args.collect())
}
