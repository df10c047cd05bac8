//! The kernels' one error type.

use std::fmt;

use arrow_schema::DataType;

/// Why a kernel refused its input. Each variant names the operation it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KernelError {
    /// The input array's type is not a string type this kernel reads.
    UnsupportedType {
        /// The kernel, by its pandas name (`lower`, `contains`, ...).
        op: &'static str,
        /// The type it was given.
        data_type: DataType,
    },
    /// A regular expression did not compile.
    Regex {
        /// The pattern as the user wrote it.
        pattern: String,
        /// The regex engine's message.
        message: String,
    },
    /// An argument is out of its domain (an escape character of two letters, ...).
    InvalidArgument {
        /// The kernel that refused it.
        op: &'static str,
        /// What is wrong.
        message: String,
    },
    /// `index` / `rindex` found no occurrence (Python raises `ValueError`).
    NotFound {
        /// The kernel.
        op: &'static str,
        /// What was searched for.
        needle: String,
        /// The start of the value it was not found in.
        value: String,
    },
    /// A size argument (`repeat`, a `pad` width) would make the output larger than a
    /// kernel may produce; refused before allocating.
    OutputTooLarge {
        /// The kernel.
        op: &'static str,
        /// The computed size (`None` when it overflows `usize`).
        bytes: Option<usize>,
        /// The limit it passes.
        limit: usize,
    },
    /// The output would not fit the input's offset width (more than 2 GiB of string
    /// bytes in one `Utf8` array).
    OffsetOverflow {
        /// The kernel that overflowed.
        op: &'static str,
    },
}

/// The kernels' result type.
pub type Result<T, E = KernelError> = std::result::Result<T, E>;

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KernelError::UnsupportedType { op, data_type } => {
                write!(f, "{op} expects a string column, got {data_type}")
            }
            KernelError::Regex { pattern, message } => {
                // The regex crate's messages span several lines; keep errors on one line.
                let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
                write!(f, "invalid regular expression {pattern:?}: {message}")
            }
            KernelError::InvalidArgument { op, message } => write!(f, "{op}: {message}"),
            KernelError::OutputTooLarge { op, bytes, limit } => match bytes {
                Some(b) => write!(
                    f,
                    "{op}: the result would take {b} bytes, more than the limit of {limit}"
                ),
                None => write!(
                    f,
                    "{op}: the result would overflow memory (more than {limit} bytes)"
                ),
            },
            KernelError::NotFound { op, needle, value } => {
                write!(f, "{op}: substring {needle:?} not found in {value:?}")
            }
            KernelError::OffsetOverflow { op } => write!(
                f,
                "{op}: output exceeds 2 GiB in one Utf8 array; use LargeUtf8 or smaller partitions"
            ),
        }
    }
}

impl std::error::Error for KernelError {}
