//! spindle's one error type: every failure is a value that says where it happened.

use std::fmt;
use std::io;
use std::path::PathBuf;

use arrow_schema::{ArrowError, DataType};
use spindle_kernels::KernelError;

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in spindle, with its location: the file, the column, the
/// batch or byte offset, the SQL position.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    Io {
        /// The file.
        path: PathBuf,
        /// What the operation was ("open", "write", ...).
        action: &'static str,
        /// The system's error.
        source: io::Error,
    },
    /// The file is not an Arrow IPC file or stream, or its structure is damaged. Found at
    /// open, before any data is touched.
    Corrupt {
        /// The file.
        path: PathBuf,
        /// Where in the file: "footer", "batch 3 (byte 1024)", ...
        location: String,
        /// What is wrong.
        reason: String,
    },
    /// A CSV or Parquet file that cannot be read as asked: a ragged row, an unterminated
    /// quote, invalid UTF-8, a value that does not parse as its column's type, a damaged
    /// Parquet file, a type spindle does not read.
    BadFile {
        /// The file.
        path: PathBuf,
        /// "CSV" or "Parquet".
        format: &'static str,
        /// Where: "line 12, column \"age\"", "footer", "row group 3".
        location: String,
        /// What is wrong.
        reason: String,
    },
    /// A column's data failed validation (offsets, UTF-8) when a query first touched it.
    InvalidData {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
        /// The record batch (0-based) and its first row.
        batch: usize,
        /// The first row of that batch in the file.
        first_row: usize,
        /// The validator's message (it names the offset or string index).
        reason: String,
    },
    /// A name that is not a column of the input.
    ColumnNotFound {
        /// The name asked for.
        name: String,
        /// The columns there are.
        available: Vec<String>,
    },
    /// An expression applied to a type it does not take (`lower` of an integer).
    TypeMismatch {
        /// The function or operator.
        context: String,
        /// What was expected.
        expected: String,
        /// What it got.
        found: DataType,
    },
    /// A string kernel refused its arguments (a bad regex, a bad flag).
    Kernel {
        /// The function as the user called it.
        function: String,
        /// The kernel's error.
        source: KernelError,
    },
    /// SQL that does not parse or that spindle does not run.
    Sql {
        /// What is wrong.
        message: String,
        /// Line and column (1-based) where known.
        position: Option<(u64, u64)>,
    },
    /// A function name that neither spindle's DuckDB names nor its `str_` names know.
    UnknownFunction {
        /// The name as written.
        name: String,
    },
    /// A function called with arguments it does not take.
    InvalidArgument {
        /// The function or option.
        context: String,
        /// What is wrong.
        message: String,
    },
    /// A query stopped by its [`CancelFlag`](crate::CancelFlag) (Ctrl-C in Python).
    Cancelled,
    /// An error from an arrow kernel, with what spindle was doing.
    Arrow {
        /// What spindle was doing.
        context: String,
        /// Arrow's error.
        source: ArrowError,
    },
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, action: &'static str, source: io::Error) -> Error {
        Error::Io {
            path: path.into(),
            action,
            source,
        }
    }

    pub(crate) fn arrow(context: impl Into<String>, source: ArrowError) -> Error {
        Error::Arrow {
            context: context.into(),
            source,
        }
    }

    pub(crate) fn sql(message: impl Into<String>) -> Error {
        Error::Sql {
            message: message.into(),
            position: None,
        }
    }

    /// Puts what spindle was doing before an Arrow error's or an argument error's own
    /// context; other errors already name their file.
    pub(crate) fn context(self, outer: impl std::fmt::Display) -> Error {
        match self {
            Error::Arrow { context, source } => Error::Arrow {
                context: format!("{outer}: {context}"),
                source,
            },
            Error::InvalidArgument { context, message } => Error::InvalidArgument {
                context: format!("{outer}: {context}"),
                message,
            },
            other => other,
        }
    }

    pub(crate) fn invalid(context: impl Into<String>, message: impl Into<String>) -> Error {
        Error::InvalidArgument {
            context: context.into(),
            message: message.into(),
        }
    }
}

/// Arrow's messages sometimes span lines; an error is one line.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io {
                path,
                action,
                source,
            } => write!(f, "{}: cannot {action}: {source}", path.display()),
            Error::Corrupt {
                path,
                location,
                reason,
            } => write!(
                f,
                "{}: not a valid Arrow IPC file ({location}): {}",
                path.display(),
                one_line(reason)
            ),
            Error::BadFile {
                path,
                format,
                location,
                reason,
            } => write!(
                f,
                "{}: {format} {location}: {}",
                path.display(),
                one_line(reason)
            ),
            Error::InvalidData {
                path,
                column,
                batch,
                first_row,
                reason,
            } => write!(
                f,
                "{}: column {column:?}, batch {batch} (rows from {first_row}): invalid data: {}",
                path.display(),
                one_line(reason)
            ),
            Error::ColumnNotFound { name, available } => {
                write!(f, "column {name:?} not found; columns are: {}", available.join(", "))
            }
            Error::TypeMismatch {
                context,
                expected,
                found,
            } => write!(f, "{context} expects {expected}, got {found}"),
            Error::Kernel { function, source } => {
                // Most kernel messages already start with the kernel's name.
                let message = source.to_string();
                if message.starts_with(&format!("{function}:")) {
                    write!(f, "{message}")
                } else {
                    write!(f, "{function}: {message}")
                }
            }
            Error::Sql {
                message,
                position: Some((line, column)),
            } => write!(f, "SQL error at line {line}, column {column}: {}", one_line(message)),
            Error::Sql {
                message,
                position: None,
            } => write!(f, "SQL error: {}", one_line(message)),
            Error::UnknownFunction { name } => write!(
                f,
                "unknown function {name:?} (DuckDB names such as lower, or pandas names as str_<method>)"
            ),
            Error::InvalidArgument { context, message } => write!(f, "{context}: {message}"),
            Error::Cancelled => write!(f, "the query was cancelled"),
            Error::Arrow { context, source } => write!(f, "{context}: {}", one_line(&source.to_string())),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::Kernel { source, .. } => Some(source),
            Error::Arrow { source, .. } => Some(source),
            _ => None,
        }
    }
}
