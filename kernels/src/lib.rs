//! String kernels over Arrow arrays, with Python's `str` semantics.
//!
//! `spindle-kernels` owns the per-element work of spindle's `.str` namespace and nothing
//! else: it knows no files, partitions or threads. Every kernel takes one Arrow array and
//! returns one Arrow array, runs serially, and allocates per call, never per row. The
//! engine above it splits columns into partitions and runs kernels on a rayon pool.
//!
//! # Kernel shape
//!
//! A kernel is a compiled matcher (built once per query: a [`Matcher`], a [`Pattern`], a
//! [`Replacer`] or a [`Splitter`] holds a prebuilt `memchr::memmem::Finder` or a compiled
//! regex), a per-element function, and an array driver (`driver.rs`, the only module with
//! `unsafe`) that dispatches on the data type once and walks the array. [`StrOp`] names
//! every operation with its pandas arguments; [`StrOp::compile`] builds its matchers once
//! and [`CompiledStrOp::apply`] runs it on any array, from any thread.
//!
//! # Modules
//!
//! | module | operations |
//! |---|---|
//! | `case` | `lower`, `upper`, `title`, `capitalize`, `swapcase`, `casefold` |
//! | `length` | `len`, `byte_length` |
//! | `search` | `contains`, `match`, `fullmatch`, `startswith`, `endswith`, `count`, `find`, `rfind`, `index`, `rindex`, SQL `LIKE` |
//! | `replace` | `replace`, `removeprefix`, `removesuffix`, `translate`, `repeat` |
//! | `slice` | `slice`, `slice_replace`, `get`, DuckDB's `substring` |
//! | `pad` | `strip`, `lstrip`, `rstrip`, `pad`, `ljust`, `rjust`, `center`, `zfill` |
//! | `split` | `split`, `rsplit`, `partition`, `rpartition`, `join`, `cat`, DuckDB's `split_part` |
//! | `extract` | `extract`, `extractall`, `findall`, DuckDB's `regexp_extract` |
//! | `predicates` | `isalnum` ... `isascii`, `normalize` |
//! | `pattern` | Python's regex syntax and iteration on the `regex` crate, `fancy-regex` for look-around and backreferences |
//! | `unicode` | Python's character classes, titlecase and case folding (tables from Python's `unicodedata`) |
//!
//! # Fast paths
//!
//! An all-ASCII array maps case byte-wise and reuses its offsets; an ASCII row of a mixed
//! array does too, in place. A literal `contains`, `count` or `find` scans the whole value
//! buffer once with memmem and attributes the hits to rows. A literal `replace` that
//! occurs nowhere returns the input array. A pattern with no regex syntax is searched as a
//! literal. Lengths of an ASCII array come from its offsets.
//!
//! # Supported data types
//!
//! `Utf8`, `LargeUtf8`, `Utf8View`, and dictionaries with any integer key over those.
//! Sliced arrays and any null pattern are fine. A dictionary is computed once on its
//! values and mapped through its keys: string results keep the keys, other results are
//! gathered by key.
//!
//! # Null handling
//!
//! A null in gives a null out, as pandas' object dtype does (`na=` options override it
//! where pandas has them).
//!
//! # Semantics
//!
//! Python's `str` and `re` as pandas' object dtype applies them. Positions and lengths
//! count code points. Case mapping is Unicode's full mapping as Python applies it
//! (`"ß".upper()` is `"SS"`, final sigma in `lower`), which is *not* what pandas 3's
//! Arrow-backed string dtype does (it maps case one code point at a time). The
//! [`CaseMapping::Simple`] variant is that per-code-point mapping, which DuckDB's `upper`
//! and `lower` use. The differences from Python kept on purpose are listed, with their
//! reasons, in `tests/python/known_differences.json`, and asserted.
#![deny(unsafe_code)]

mod case;
mod driver;
mod error;
mod extract;
mod length;
mod op;
mod pad;
mod pattern;
mod predicates;
mod replace;
mod search;
mod slice;
mod split;
pub mod unicode;

pub use case::{capitalize, casefold, lower, swapcase, title, upper, CaseMapping};
pub use error::{KernelError, Result};
pub use extract::{extract, extractall, findall, group_names, regexp_extract};
pub use length::{byte_length, len};
pub use op::{CompiledStrOp, StrOp};
pub use pad::{fillchar, pad, strip, zfill, Side};
pub use pattern::{Anchor, Pattern, Template, BACKTRACK_LIMIT};
pub use predicates::{is_class, normalize, CharClass, Form};
pub use replace::{
    removeprefix, removesuffix, repeat, replace, translate, ReplaceOptions, Replacer,
    TranslateTable, MAX_OUTPUT_BYTES,
};
pub use search::is_plain_literal;
pub use search::{
    contains, count, count_matches, endswith, fill_na, find, flags, fullmatch, match_, matches,
    startswith, ContainsOptions, FindKind, Matcher,
};
pub use slice::{get, slice, slice_replace, substr};
pub use split::{
    cat, cat_all, join, list_get, partition, rsplit, split, split_get, split_part, Splitter,
};
