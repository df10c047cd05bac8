//! Storage: tables whose columns are lists of Arrow arrays (one per record batch).
//!
//! A [`Table`] opened from an IPC file holds the mapped file and decodes each column the
//! first time a query asks for it, validating it then, once; afterwards the column's
//! arrays are cached. A table built from record batches already holds its columns.
//! Storage knows nothing of queries: the executor asks it for columns by index.

mod ipc;
mod layout;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_data::ArrayData;
use arrow_schema::SchemaRef;

use crate::error::{Error, Result};

/// How a table's data reaches memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageMode {
    /// Arrays point into the memory-mapped file: nothing is copied.
    Mapped,
    /// The file is decoded into memory, for the reason given (compression, misaligned
    /// buffers, the stream format).
    Decoded(String),
    /// Built in memory (a query result).
    InMemory,
}

impl fmt::Display for StorageMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageMode::Mapped => f.write_str("mapped (zero-copy)"),
            StorageMode::Decoded(why) => write!(f, "read ({why})"),
            StorageMode::InMemory => f.write_str("in memory"),
        }
    }
}

/// A table: a schema and, per column, one array per batch.
#[derive(Debug)]
pub struct Table {
    path: Option<PathBuf>,
    schema: SchemaRef,
    batch_rows: Vec<usize>,
    columns: Vec<OnceLock<Arc<[ArrayRef]>>>,
    column_bytes: Vec<u64>,
    mode: StorageMode,
    file: Option<ipc::IpcFile>,
}

impl Table {
    /// Opens an Arrow IPC file (mapped) or stream (decoded). Reads metadata only.
    pub(crate) fn open(path: &Path) -> Result<Table> {
        match ipc::open(path)? {
            ipc::Opened::File(file) => Ok(Table {
                path: Some(path.to_path_buf()),
                schema: file.schema.clone(),
                batch_rows: file.batch_rows.clone(),
                columns: (0..file.schema.fields().len())
                    .map(|_| OnceLock::new())
                    .collect(),
                column_bytes: file.column_bytes.clone(),
                mode: file.mode.clone(),
                file: Some(file),
            }),
            ipc::Opened::Stream { schema, batches } => {
                let mut table = Table::from_batches(schema, batches);
                table.path = Some(path.to_path_buf());
                table.mode = StorageMode::Decoded("Arrow IPC stream format".into());
                Ok(table)
            }
        }
    }

    /// A table over record batches that share `schema`.
    pub(crate) fn from_batches(schema: SchemaRef, batches: Vec<RecordBatch>) -> Table {
        let batches: Vec<RecordBatch> = batches.into_iter().filter(|b| b.num_rows() > 0).collect();
        let columns: Vec<OnceLock<Arc<[ArrayRef]>>> = (0..schema.fields().len())
            .map(|c| {
                OnceLock::from(
                    batches
                        .iter()
                        .map(|b| b.column(c).clone())
                        .collect::<Arc<[_]>>(),
                )
            })
            .collect();
        let column_bytes = (0..schema.fields().len())
            .map(|c| {
                batches
                    .iter()
                    .map(|b| b.column(c).get_buffer_memory_size() as u64)
                    .sum()
            })
            .collect();
        Table {
            path: None,
            batch_rows: batches.iter().map(|b| b.num_rows()).collect(),
            schema,
            columns,
            column_bytes,
            mode: StorageMode::InMemory,
            file: None,
        }
    }

    /// The schema.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// The file this table was opened from, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Rows in every batch.
    pub fn batch_rows(&self) -> &[usize] {
        &self.batch_rows
    }

    /// Total rows.
    pub fn num_rows(&self) -> usize {
        self.batch_rows.iter().sum()
    }

    /// How the data reaches memory.
    pub fn mode(&self) -> &StorageMode {
        &self.mode
    }

    /// Bytes of each column's buffers, from metadata (nothing is read).
    pub fn column_bytes(&self) -> &[u64] {
        &self.column_bytes
    }

    /// True when the column has been decoded (and validated), i.e. some query touched it.
    pub fn is_decoded(&self, column: usize) -> bool {
        self.columns[column].get().is_some()
    }

    /// One column's arrays, one per batch; decoded and validated on first use.
    pub(crate) fn column(&self, index: usize) -> Result<Arc<[ArrayRef]>> {
        if let Some(arrays) = self.columns[index].get() {
            return Ok(arrays.clone());
        }
        let file = self
            .file
            .as_ref()
            .expect("a table without a file holds all its columns");
        let arrays: Arc<[ArrayRef]> = file.decode_column(index)?.into();
        // Two queries may decode the same column at once; the first to finish wins and
        // both see its arrays.
        let _ = self.columns[index].set(arrays);
        Ok(self.columns[index].get().expect("set above").clone())
    }

    /// The batches restricted to `projection` (column indices, in that order).
    pub(crate) fn batches(&self, projection: &[usize]) -> Result<Vec<RecordBatch>> {
        let schema: SchemaRef = Arc::new(
            self.schema
                .project(projection)
                .map_err(|e| Error::arrow("projection", e))?,
        );
        let columns = projection
            .iter()
            .map(|&c| self.column(c))
            .collect::<Result<Vec<_>>>()?;
        self.batch_rows
            .iter()
            .enumerate()
            .map(|(b, &rows)| {
                let arrays = columns.iter().map(|c| c[b].clone()).collect();
                let options = RecordBatchOptions::new().with_row_count(Some(rows));
                RecordBatch::try_new_with_options(schema.clone(), arrays, &options)
                    .map_err(|e| Error::arrow(format!("batch {b}"), e))
            })
            .collect()
    }

    /// True when every buffer of the column lies inside the file's mapping, i.e. the
    /// column was not copied. Decodes the column if no query has yet.
    pub(crate) fn column_is_mapped(&self, index: usize) -> Result<bool> {
        let Some(range) = self.file.as_ref().map(ipc::IpcFile::mapped_range) else {
            return Ok(false);
        };
        fn inside(data: &ArrayData, range: &std::ops::Range<usize>) -> bool {
            data.buffers()
                .iter()
                .all(|b| b.is_empty() || range.contains(&(b.as_ptr() as usize)))
                && data
                    .nulls()
                    .is_none_or(|n| range.contains(&(n.buffer().as_ptr() as usize)))
                && data.child_data().iter().all(|c| inside(c, range))
        }
        Ok(self
            .column(index)?
            .iter()
            .all(|a| inside(&a.to_data(), &range)))
    }
}
