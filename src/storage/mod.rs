//! Storage: tables whose columns are lists of Arrow arrays (one per record batch).
//!
//! A [`Table`] opened from an IPC file holds the mapped file and decodes each column the
//! first time a query asks for it, validating it then, once; afterwards the column's
//! arrays are cached. A table built from record batches already holds its columns.
//! Storage knows nothing of queries: the executor asks it for columns by index.
//!
//! Owns: files in (IPC mapped, Parquet, CSV), their validation, and files out ([`write`](mod@write),
//! [`convert`]), written atomically. May import no other module of the engine but
//! `error`.

pub mod convert;
pub mod csv;
mod ipc;
mod layout;
mod parquet;
pub mod write;

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_data::ArrayData;
use arrow_schema::SchemaRef;
use rayon::prelude::*;

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
    source: Option<Source>,
}

/// Where a table's undecoded columns come from.
#[derive(Debug)]
enum Source {
    Ipc(ipc::IpcFile),
    Parquet(parquet::ParquetFile),
}

/// The formats spindle reads and writes, told by a path's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Arrow IPC file or stream: `.arrow`, `.feather`, `.ipc`, `.arrows`.
    Arrow,
    /// Parquet: `.parquet`, `.pq`.
    Parquet,
    /// CSV: `.csv`, `.tsv` (tab-separated), `.txt`.
    Csv,
}

impl FileFormat {
    /// The format a path's extension names, if it names one.
    pub fn from_extension(path: &Path) -> Option<FileFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "arrow" | "feather" | "ipc" | "arrows" => Some(FileFormat::Arrow),
            "parquet" | "pq" => Some(FileFormat::Parquet),
            "csv" | "tsv" | "txt" => Some(FileFormat::Csv),
            _ => None,
        }
    }

    /// The format an output path's extension names, or an error that asks for one.
    ///
    /// # Errors
    /// An extension that names no format.
    pub fn for_output(path: &Path) -> Result<FileFormat> {
        FileFormat::from_extension(path).ok_or_else(|| {
            Error::invalid(
                "output",
                format!(
                    "{}: name the format with an extension: .arrow, .feather, .ipc, .parquet or .csv",
                    path.display()
                ),
            )
        })
    }

    /// The format of an existing file: by extension, else by its first bytes (Parquet's
    /// `PAR1`; anything else is taken for Arrow IPC, whose reader names what it finds).
    pub fn detect(path: &Path) -> Result<FileFormat> {
        if let Some(format) = FileFormat::from_extension(path) {
            return Ok(format);
        }
        let mut head = [0u8; 4];
        let mut file = File::open(path).map_err(|e| Error::io(path, "open", e))?;
        let n =
            std::io::Read::read(&mut file, &mut head).map_err(|e| Error::io(path, "read", e))?;
        Ok(if &head[..n] == b"PAR1" {
            FileFormat::Parquet
        } else {
            FileFormat::Arrow
        })
    }
}

/// The files this process has mapped, by device and inode, with how many live mappings
/// each has. Writers consult it to refuse a target that a live table reads from.
static MAPPED: Mutex<Option<HashMap<(u64, u64), usize>>> = Mutex::new(None);

fn file_id(metadata: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (metadata.dev(), metadata.ino())
}

/// True when `path` is a file that this process has mapped and still reads from.
pub(crate) fn is_mapped(path: &Path) -> bool {
    let Ok(metadata) = std::fs::metadata(path) else {
        return false;
    };
    let registry = MAPPED.lock().unwrap_or_else(|e| e.into_inner());
    registry
        .as_ref()
        .is_some_and(|m| m.contains_key(&file_id(&metadata)))
}

/// A read-only mapping that stays in [`MAPPED`] while it lives.
struct Mapping {
    map: memmap2::Mmap,
    id: (u64, u64),
}

impl AsRef<[u8]> for Mapping {
    fn as_ref(&self) -> &[u8] {
        &self.map
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        let mut registry = MAPPED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(m) = registry.as_mut() {
            if let Some(n) = m.get_mut(&self.id) {
                *n -= 1;
                if *n == 0 {
                    m.remove(&self.id);
                }
            }
        }
    }
}

/// Maps `path` read-only (an empty file gives empty bytes).
pub(crate) fn map_bytes(path: &Path) -> Result<bytes::Bytes> {
    let file = File::open(path).map_err(|e| Error::io(path, "open", e))?;
    let metadata = file.metadata().map_err(|e| Error::io(path, "open", e))?;
    if metadata.is_dir() {
        return Err(Error::io(
            path,
            "open",
            std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a directory"),
        ));
    }
    if metadata.len() == 0 {
        return Ok(bytes::Bytes::new());
    }
    // SAFETY: the mapping is read-only and spindle never writes to a file it has mapped
    // (writers refuse such a target: see `is_mapped`). Another process that truncates or
    // rewrites the file while it is mapped makes reads fault (SIGBUS) or see new bytes;
    // that hazard is the price of zero-copy and is documented in the README ("Files that
    // change under a map").
    #[allow(unsafe_code)]
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::io(path, "map", e))?;
    let id = file_id(&metadata);
    *MAPPED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_or_insert_with(HashMap::new)
        .entry(id)
        .or_insert(0) += 1;
    Ok(bytes::Bytes::from_owner(Mapping { map, id }))
}

impl Table {
    /// Opens a file by its format ([`FileFormat::detect`]): an Arrow IPC file is mapped
    /// and a Parquet file's footer read (columns decode when a query touches them); an
    /// IPC stream is decoded whole, and a CSV file read with the default options.
    pub(crate) fn open(path: &Path) -> Result<Table> {
        Table::open_as(path, FileFormat::detect(path)?)
    }

    /// Opens a file as `format`, whatever its name; a CSV file with
    /// [`csv::CsvOptions::for_path`].
    pub(crate) fn open_as(path: &Path, format: FileFormat) -> Result<Table> {
        match format {
            FileFormat::Arrow => Table::open_ipc(path),
            FileFormat::Parquet => Table::open_parquet(path),
            FileFormat::Csv => {
                Table::read_csv(path, &csv::CsvOptions::for_path(path)).map(|(table, _)| table)
            }
        }
    }

    /// Reads a CSV file into memory, in parallel.
    pub(crate) fn read_csv(
        path: &Path,
        options: &csv::CsvOptions,
    ) -> Result<(Table, csv::CsvReport)> {
        let (schema, batches, report) = csv::read(path, options)?;
        let mut table = Table::from_batches(schema, batches);
        table.path = Some(path.to_path_buf());
        table.mode = StorageMode::Decoded("CSV".into());
        Ok((table, report))
    }

    /// Opens a Parquet file: reads its footer; columns decode on first use, their row
    /// groups in parallel.
    pub(crate) fn open_parquet(path: &Path) -> Result<Table> {
        let file = parquet::ParquetFile::open(path)?;
        let mode = StorageMode::Decoded(format!(
            "Parquet, {} row group{}",
            file.batch_rows.len(),
            if file.batch_rows.len() == 1 { "" } else { "s" }
        ));
        Ok(Table::over_source(path, mode, Source::Parquet(file)))
    }

    /// A table whose columns `source` decodes on first use.
    fn over_source(path: &Path, mode: StorageMode, source: Source) -> Table {
        let (schema, batch_rows, column_bytes) = match &source {
            Source::Ipc(f) => (&f.schema, &f.batch_rows, &f.column_bytes),
            Source::Parquet(f) => (&f.schema, &f.batch_rows, &f.column_bytes),
        };
        Table {
            path: Some(path.to_path_buf()),
            columns: (0..schema.fields().len())
                .map(|_| OnceLock::new())
                .collect(),
            schema: schema.clone(),
            batch_rows: batch_rows.clone(),
            column_bytes: column_bytes.clone(),
            mode,
            source: Some(source),
        }
    }

    /// Opens an Arrow IPC file (mapped) or stream (decoded). Reads metadata only.
    pub(crate) fn open_ipc(path: &Path) -> Result<Table> {
        match ipc::open(path)? {
            ipc::Opened::File(file) => {
                let mode = file.mode.clone();
                Ok(Table::over_source(path, mode, Source::Ipc(file)))
            }
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
            source: None,
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
        let arrays: Arc<[ArrayRef]> = match &self.source {
            Some(Source::Ipc(file)) => file.decode_column(index)?.into(),
            Some(Source::Parquet(file)) => file.decode_column(index)?.into(),
            None => unreachable!("a table without a source holds all its columns"),
        };
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
            .par_iter()
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
        let Some(Source::Ipc(file)) = &self.source else {
            return Ok(false);
        };
        let range = file.mapped_range();
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

/// Bytes of a batch's data, from its buffer lengths (sliced arrays count their slice).
pub(crate) fn batch_bytes(batch: &RecordBatch) -> usize {
    use arrow_array::cast::AsArray;
    batch
        .columns()
        .iter()
        .map(|c| {
            let span = |first: usize, last: usize, width: usize| last - first + width * c.len();
            if let Some(a) = c.as_string_opt::<i32>() {
                let o = a.value_offsets();
                span(o[0] as usize, o[a.len()] as usize, 4)
            } else if let Some(a) = c.as_string_opt::<i64>() {
                let o = a.value_offsets();
                span(o[0] as usize, o[a.len()] as usize, 8)
            } else if let Some(a) = c.as_string_view_opt() {
                16 * a.len() + a.lengths().map(|l| l as usize).sum::<usize>()
            } else {
                c.data_type().primitive_width().unwrap_or(16) * c.len()
            }
        })
        .sum()
}
