//! # spindle
//!
//! A columnar dataframe engine whose strength is text. spindle memory-maps Arrow IPC
//! files, splits every column into partitions, runs vectorised string kernels (pandas'
//! `.str` catalogue, with Python's semantics) over those partitions on a rayon pool with no
//! global lock, and hands results back as Arrow.
//!
//! ```
//! use spindle::{col, lit};
//! # use std::sync::Arc;
//! # use arrow_array::{RecordBatch, StringArray, Int64Array};
//! # let dir = std::env::temp_dir().join(format!("spindle-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! # let path = dir.join("people.arrow");
//! # let batch = RecordBatch::try_from_iter([
//! #     ("name", Arc::new(StringArray::from(vec!["Ana", "Bo", "Çelik"])) as _),
//! #     ("age", Arc::new(Int64Array::from(vec![31, 17, 45])) as _),
//! # ]).unwrap();
//! # spindle::DataFrame::from_batches(batch.schema(), vec![batch]).unwrap().write_ipc(&path).unwrap();
//! // Map the file (reads metadata only), then run a lazy query on all cores.
//! let people = spindle::open(&path)?;
//! let adults = people
//!     .lazy()
//!     .filter(col("age").gt_eq(lit(18)) & col("name").str().contains_literal("a"))
//!     .select([col("name").str().upper().alias("shout"), col("name").str().len()])
//!     .collect()?;
//! let batches = adults.to_batches()?;
//! assert_eq!(adults.num_rows(), 1);
//! # let shout = arrow_array::cast::AsArray::as_string::<i32>(batches[0].column(0).as_ref());
//! # assert_eq!(shout.value(0), "ANA");
//!
//! // The same in SQL, with DuckDB's function names or pandas' as str_<name>.
//! let sql = format!("SELECT upper(name) AS shout FROM '{}' WHERE age >= 18 AND str_contains(name, 'a', regex => false)", path.display());
//! assert_eq!(spindle::sql(&sql)?.num_rows(), 1);
//! # Ok::<(), spindle::Error>(())
//! ```
//!
//! ## Layers
//!
//! `storage` (mapped tables) → `exec` (partitions, the pool) → `plan` and `expr`
//! (expressions, compiled once) → the breakers `agg` (hash group-by), `sort` (radix sort,
//! top-k) and `join` (hash joins), which share `keys` (rows' keys as bytes, and the
//! arena-backed hash set) → `frame` (the lazy API) → `sql` (SQL front end). String
//! kernels live in the `spindle-kernels` crate. The library never prints.
#![deny(unsafe_code)]

mod agg;
pub mod convert;
pub mod error;
pub mod exec;
pub mod expr;
pub mod frame;
mod functions;
mod join;
mod keys;
mod plan;
mod sort;
pub mod sql;
pub mod storage;
pub mod write;

pub use convert::{convert, ConvertOptions, ConvertReport};
pub use error::{Error, Result};
pub use exec::Runtime;
pub use expr::{
    coalesce, col, len, lit, when, AggFunc, BinaryOp, Expr, Literal, StrNamespace, Then, When,
};
pub use frame::{
    open, open_as, read_csv, read_csv_with_report, read_parquet, DataFrame, GroupBy, JoinType,
    LazyFrame, SortOptions,
};
pub use functions::functions;
pub use spindle_kernels::{
    flags, CaseMapping, CharClass, ContainsOptions, FindKind, Form, ReplaceOptions, Side, StrOp,
    TranslateTable,
};
pub use sql::sql;
pub use storage::csv::{BadRow, CsvOptions, CsvReader, CsvReport};
pub use storage::{FileFormat, StorageMode};
pub use write::{Compression, WriteOptions};
