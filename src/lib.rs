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
//! One place to plan, one to optimize, one to execute; dependencies point one way:
//!
//! - [`sql`](mod@sql): parsing (sqlparser) and binding to a logical plan; the function registry.
//! - [`frame`]: the [`DataFrame`] / [`LazyFrame`] API, which builds logical plans.
//! - [`plan`]: the [`LogicalPlan`] tree, the optimizer's rules (one file
//!   each), EXPLAIN, and the lowering to a physical plan.
//! - [`exec`]: physical operators (scan, filter/project streams, hash aggregate, sort and
//!   top-k, hash join), partitions and the pool.
//! - [`expr`]: logical expressions, their types, the one list of string operations, and
//!   their compiled (physical) form.
//! - [`storage`]: files (Arrow IPC mapped, Parquet, CSV), validation, atomic writers.
//!
//! String kernels live in the `spindle-kernels` crate; the `spindle` command in the
//! `spindle-cli` crate. The library never prints.
#![deny(unsafe_code)]

pub mod error;
pub mod exec;
pub mod expr;
pub mod frame;
pub mod plan;
pub mod sql;
pub mod storage;

pub use error::{Error, Result};
pub use exec::{CancelFlag, Runtime};
pub use expr::{
    coalesce, col, len, lit, when, AggFunc, BinaryOp, Expr, Literal, StrNamespace, Then, When,
};
pub use frame::{
    open, open_as, read_csv, read_csv_with_report, read_parquet, DataFrame, GroupBy, JoinType,
    LazyFrame, SortOptions,
};
pub use plan::LogicalPlan;
pub use spindle_kernels::{
    flags, CaseMapping, CharClass, ContainsOptions, FindKind, Form, ReplaceOptions, Side, StrOp,
    TranslateTable,
};
pub use sql::functions::functions;
pub use sql::{sql, Session};
pub use storage::convert::{convert, ConvertOptions, ConvertReport};
pub use storage::csv::{BadRow, CsvOptions, CsvReader, CsvReport};
pub use storage::write::{self as write, Compression, WriteOptions};
pub use storage::{FileFormat, StorageMode};
