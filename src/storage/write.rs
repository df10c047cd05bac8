//! Writing results: Arrow IPC, Parquet and CSV files (atomically), JSON and a text table.
//!
//! Files are written atomically: into a temporary file beside the target, synced, then
//! renamed over it. On any error the temporary file is removed, so the target path holds
//! either its previous content or the whole new file, never a partial one. A process that
//! is killed cannot remove its temporary file; the next write to the same target does. Files that
//! spindle writes are uncompressed with 64-byte-aligned buffers unless asked otherwise, so
//! they map back with no copy. A target that this process has mapped (a table read from it
//! is alive) is refused.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use arrow_array::RecordBatch;
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{ArrowError, Schema, SchemaRef};

use crate::error::{Error, Result};
pub use crate::storage::FileFormat;

/// A temporary file that becomes `target` on [`AtomicFile::commit`] and disappears if
/// dropped before.
#[derive(Debug)]
pub struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    file: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Creates the temporary file in `target`'s directory.
    ///
    /// # Errors
    /// When the directory does not exist or is not writable, or `target` is a directory.
    pub fn create(target: &Path) -> Result<AtomicFile> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        if crate::storage::is_mapped(target) {
            return Err(Error::invalid(
                "output",
                format!(
                    "refusing to write over {}: this process has it mapped (a table read from it is still in use); write to another path",
                    target.display()
                ),
            ));
        }
        if target.is_dir() {
            return Err(Error::io(
                target,
                "write",
                io::Error::new(io::ErrorKind::IsADirectory, "is a directory"),
            ));
        }
        let name = target.file_name().ok_or_else(|| {
            Error::invalid("output", format!("{} is not a file name", target.display()))
        })?;
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let prefix = format!(".{}.spindle-", name.to_string_lossy());
        remove_stale_temps(&dir, &prefix);
        let temp = dir.join(format!(
            "{prefix}{}-{}.tmp",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let file = File::options()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|e| Error::io(target, "create", e))?;
        Ok(AtomicFile {
            target: target.to_path_buf(),
            temp,
            file: Some(BufWriter::with_capacity(1 << 20, file)),
        })
    }

    /// A handle that sends what has been written so far to disk in the background, so
    /// that [`AtomicFile::commit`]'s sync has little left to wait for.
    ///
    /// # Errors
    /// When the file's descriptor cannot be duplicated.
    pub fn background_sync(&mut self) -> Result<BackgroundSync> {
        let file = self
            .writer()
            .get_ref()
            .try_clone()
            .map_err(|e| Error::io(&self.target, "sync", e))?;
        Ok(BackgroundSync {
            file,
            pending: None,
        })
    }

    /// The writer for the content.
    pub fn writer(&mut self) -> &mut BufWriter<File> {
        self.file.as_mut().expect("not committed yet")
    }

    /// Flushes, syncs and renames the file into place.
    ///
    /// # Errors
    /// I/O errors; the target is then untouched.
    pub fn commit(mut self) -> Result<()> {
        let file = self.file.take().expect("commit once");
        let file = file
            .into_inner()
            .map_err(|e| Error::io(&self.target, "write", e.into_error()))?;
        file.sync_all()
            .map_err(|e| Error::io(&self.target, "sync", e))?;
        drop(file);
        fs::rename(&self.temp, &self.target)
            .map_err(|e| Error::io(&self.target, "rename into place", e))?;
        if let Some(dir) = self.target.parent().filter(|p| !p.as_os_str().is_empty()) {
            // Make the rename itself durable; not every filesystem lets a directory sync.
            let _ = File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(())
    }
}

/// Removes the temporary files that writers of the same target left behind when they were
/// killed: `<prefix><pid>-<n>.tmp` whose process no longer runs (Linux, where `/proc` says).
fn remove_stale_temps(dir: &Path, prefix: &str) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name
            .to_str()
            .and_then(|n| n.strip_prefix(prefix))
            .and_then(|n| n.strip_suffix(".tmp"))
        else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Syncs a file being written on a thread of its own: see [`AtomicFile::background_sync`].
#[derive(Debug)]
pub struct BackgroundSync {
    file: File,
    pending: Option<std::thread::JoinHandle<io::Result<()>>>,
}

impl BackgroundSync {
    /// Starts syncing the pages written so far, unless a sync is still under way. Its
    /// errors are not reported here: the final sync of [`AtomicFile::commit`] meets them.
    pub fn start(&mut self) {
        if self.pending.as_ref().is_some_and(|h| !h.is_finished()) {
            return;
        }
        if let Some(done) = self.pending.take() {
            let _ = done.join();
        }
        if let Ok(file) = self.file.try_clone() {
            self.pending = Some(std::thread::spawn(move || file.sync_data()));
        }
    }
}

impl Drop for BackgroundSync {
    fn drop(&mut self) {
        if let Some(pending) = self.pending.take() {
            let _ = pending.join();
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// Compression of a file spindle writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Uncompressed (Arrow IPC's default: such a file maps back with no copy).
    None,
    /// LZ4 (frame format in Arrow IPC; raw LZ4 in Parquet).
    Lz4,
    /// Zstandard.
    Zstd,
    /// Snappy (Parquet only; Parquet's default, as in pyarrow and DuckDB).
    Snappy,
}

impl std::str::FromStr for Compression {
    type Err = Error;
    fn from_str(s: &str) -> Result<Compression> {
        match s.to_ascii_lowercase().as_str() {
            "none" | "uncompressed" => Ok(Compression::None),
            "lz4" => Ok(Compression::Lz4),
            "zstd" => Ok(Compression::Zstd),
            "snappy" => Ok(Compression::Snappy),
            _ => Err(Error::invalid(
                "compression",
                format!("{s:?} is not one of none, lz4, zstd, snappy"),
            )),
        }
    }
}

/// How to write a file.
#[derive(Debug, Clone)]
pub struct WriteOptions {
    /// `None`: the format's default, uncompressed Arrow IPC and snappy Parquet.
    pub compression: Option<Compression>,
    /// Write string view columns as plain strings (Utf8), for readers that lack views.
    /// Otherwise every column keeps its type.
    pub plain_strings: bool,
    /// Parquet: rows per row group (default 1,048,576, as arrow-rs and pyarrow write).
    pub row_group_rows: usize,
    /// CSV: the field separator (default `,`).
    pub delimiter: u8,
    /// CSV: write a header row (default true).
    pub header: bool,
}

impl Default for WriteOptions {
    fn default() -> WriteOptions {
        WriteOptions {
            compression: None,
            plain_strings: false,
            row_group_rows: 1 << 20,
            delimiter: b',',
            header: true,
        }
    }
}

/// Writes `batches` to `path` in `format`, atomically.
///
/// # Errors
/// I/O errors, a compression the format lacks, a type the format cannot hold (nested
/// columns in CSV), a target this process has mapped; nothing is left at `path` then and
/// a file already there is untouched.
pub fn write_file(
    path: &Path,
    format: FileFormat,
    schema: &Schema,
    batches: &[RecordBatch],
    options: &WriteOptions,
) -> Result<()> {
    let mut out = AtomicFile::create(path)?;
    write_to(out.writer(), format, schema, batches, options)
        .map_err(|e| e.context(format!("writing {}", path.display())))?;
    out.commit()
}

/// Writes `batches` in `format` to any writer (not atomically: see [`write_file`]).
///
/// # Errors
/// As [`write_file`], without the file's.
pub fn write_to(
    w: impl Write + Send,
    format: FileFormat,
    schema: &Schema,
    batches: &[RecordBatch],
    options: &WriteOptions,
) -> Result<()> {
    // The IPC file format holds one dictionary per column: merge the batches' first.
    let unified;
    let batches = if format == FileFormat::Arrow {
        unified = unify_dictionaries(batches).map_err(|e| Error::arrow("writing Arrow", e))?;
        &unified[..]
    } else {
        batches
    };
    let schema = batches
        .first()
        .map_or_else(|| std::sync::Arc::new(schema.clone()), RecordBatch::schema);
    let mut writer = FormatWriter::new(w, format, &schema, options)?;
    writer.write(batches)?;
    writer.finish()
}

/// A file being written batch by batch in one format: what [`write_to`] and streaming
/// conversions share.
pub(crate) struct FormatWriter<W: Write + Send> {
    inner: Inner<W>,
    plain_strings: Option<SchemaRef>,
}

enum Inner<W: Write + Send> {
    Arrow(arrow_ipc::writer::FileWriter<W>),
    Parquet(ParquetWriter<W>),
    Csv {
        w: W,
        /// The header row is still to be written.
        header: bool,
        delimiter: u8,
        schema: SchemaRef,
    },
}

impl<W: Write + Send> FormatWriter<W> {
    /// Starts a file of `schema` (the schema of the batches to come).
    pub(crate) fn new(
        w: W,
        format: FileFormat,
        schema: &SchemaRef,
        options: &WriteOptions,
    ) -> Result<FormatWriter<W>> {
        let plain_strings = options.plain_strings.then(|| plain_schema(schema));
        let schema = plain_strings.as_ref().unwrap_or(schema);
        let arrow = |e| Error::arrow(format!("writing {format:?}"), e);
        let parquet =
            |e: parquet::errors::ParquetError| Error::invalid("writing Parquet", e.to_string());
        let inner = match format {
            FileFormat::Arrow => {
                let compression = match options.compression.unwrap_or(Compression::None) {
                    Compression::None => None,
                    Compression::Lz4 => Some(arrow_ipc::CompressionType::LZ4_FRAME),
                    Compression::Zstd => Some(arrow_ipc::CompressionType::ZSTD),
                    Compression::Snappy => {
                        return Err(Error::invalid(
                            "compression",
                            "Arrow IPC compresses with lz4 or zstd, not snappy",
                        ))
                    }
                };
                let ipc = arrow_ipc::writer::IpcWriteOptions::default()
                    .try_with_compression(compression)
                    .map_err(arrow)?;
                Inner::Arrow(
                    arrow_ipc::writer::FileWriter::try_new_with_options(w, schema, ipc)
                        .map_err(arrow)?,
                )
            }
            FileFormat::Parquet => {
                use parquet::basic::{Compression as Codec, ZstdLevel};
                let codec = match options.compression.unwrap_or(Compression::Snappy) {
                    Compression::None => Codec::UNCOMPRESSED,
                    Compression::Lz4 => Codec::LZ4_RAW,
                    Compression::Zstd => Codec::ZSTD(ZstdLevel::default()),
                    Compression::Snappy => Codec::SNAPPY,
                };
                let properties = parquet::file::properties::WriterProperties::builder()
                    .set_compression(codec)
                    .build();
                Inner::Parquet(
                    ParquetWriter::new(w, schema, properties, options.row_group_rows)
                        .map_err(parquet)?,
                )
            }
            FileFormat::Csv => {
                if options.compression.is_some_and(|c| c != Compression::None) {
                    return Err(Error::invalid("compression", "CSV is written uncompressed"));
                }
                for field in schema.fields() {
                    if field.data_type().is_nested() {
                        return Err(Error::TypeMismatch {
                            context: format!("CSV column {:?}", field.name()),
                            expected: "a type CSV can hold (not a list, struct or map)".into(),
                            found: field.data_type().clone(),
                        });
                    }
                }
                Inner::Csv {
                    w,
                    header: options.header,
                    delimiter: options.delimiter,
                    schema: schema.clone(),
                }
            }
        };
        Ok(FormatWriter {
            inner,
            plain_strings,
        })
    }

    /// Appends `batches`.
    pub(crate) fn write(&mut self, batches: &[RecordBatch]) -> Result<()> {
        let converted;
        let batches = match &self.plain_strings {
            Some(schema) => {
                converted = batches
                    .iter()
                    .map(|b| plain_batch(schema, b))
                    .collect::<Result<Vec<_>>>()?;
                &converted[..]
            }
            None => batches,
        };
        match &mut self.inner {
            Inner::Arrow(w) => {
                for b in batches {
                    w.write(b).map_err(|e| Error::arrow("writing Arrow", e))?;
                }
            }
            Inner::Parquet(w) => {
                for b in batches {
                    w.write(b)
                        .map_err(|e| Error::invalid("writing Parquet", e.to_string()))?;
                }
            }
            Inner::Csv {
                w,
                header,
                delimiter,
                ..
            } => {
                // Formatted in parallel, written in order.
                use rayon::prelude::*;
                let first_header = std::mem::take(header);
                let parts = batches
                    .par_iter()
                    .enumerate()
                    .map(|(i, b)| {
                        // The slice's bytes, not its buffers' (a slice of a mapped file holds them all).
                        let mut buf = Vec::with_capacity(crate::storage::batch_bytes(b) + 1024);
                        let mut writer = arrow_csv::WriterBuilder::new()
                            .with_header(first_header && i == 0)
                            .with_delimiter(*delimiter)
                            .build(&mut buf);
                        writer.write(b)?;
                        drop(writer);
                        Ok(buf)
                    })
                    .collect::<Result<Vec<_>, ArrowError>>()
                    .map_err(|e| Error::arrow("writing CSV", e))?;
                for part in parts {
                    w.write_all(&part)
                        .map_err(|e| Error::arrow("writing CSV", e.into()))?;
                }
                *header = first_header && batches.is_empty();
            }
        }
        Ok(())
    }

    /// Writes the footer (a header row alone for a CSV file without rows).
    pub(crate) fn finish(mut self) -> Result<()> {
        if let Inner::Csv {
            header: true,
            schema,
            ..
        } = &self.inner
        {
            let empty = RecordBatch::new_empty(schema.clone());
            self.write(&[empty])?;
        }
        match self.inner {
            Inner::Arrow(mut w) => w.finish().map_err(|e| Error::arrow("writing Arrow", e)),
            Inner::Parquet(w) => w
                .finish()
                .map_err(|e| Error::invalid("writing Parquet", e.to_string())),
            Inner::Csv { .. } => Ok(()),
        }
    }
}

/// A Parquet file whose row groups are encoded one column per task on the rayon pool
/// (arrow-rs' column writers), then appended in order.
struct ParquetWriter<W: Write + Send> {
    file: parquet::file::writer::SerializedFileWriter<W>,
    columns: parquet::arrow::arrow_writer::ArrowRowGroupWriterFactory,
    schema: SchemaRef,
    pending: Vec<RecordBatch>,
    pending_rows: usize,
    row_group_rows: usize,
    row_groups: usize,
}

impl<W: Write + Send> ParquetWriter<W> {
    fn new(
        w: W,
        schema: &SchemaRef,
        properties: parquet::file::properties::WriterProperties,
        row_group_rows: usize,
    ) -> parquet::errors::Result<ParquetWriter<W>> {
        // ArrowWriter sets up the file with the Arrow schema in its metadata, as every
        // reader expects; its lower half then writes the row groups.
        let (file, columns) =
            parquet::arrow::ArrowWriter::try_new(w, schema.clone(), Some(properties))?
                .into_serialized_writer()?;
        Ok(ParquetWriter {
            file,
            columns,
            schema: schema.clone(),
            pending: Vec::new(),
            pending_rows: 0,
            row_group_rows: row_group_rows.max(1),
            row_groups: 0,
        })
    }

    fn write(&mut self, batch: &RecordBatch) -> parquet::errors::Result<()> {
        let mut batch = batch.clone();
        while self.pending_rows + batch.num_rows() >= self.row_group_rows {
            let take = self.row_group_rows - self.pending_rows;
            self.pending.push(batch.slice(0, take));
            self.pending_rows += take;
            batch = batch.slice(take, batch.num_rows() - take);
            self.flush()?;
        }
        if batch.num_rows() > 0 {
            self.pending_rows += batch.num_rows();
            self.pending.push(batch);
        }
        Ok(())
    }

    /// Encodes the pending rows as one row group.
    fn flush(&mut self) -> parquet::errors::Result<()> {
        use parquet::arrow::arrow_writer::{compute_leaves, ArrowColumnChunk};
        use rayon::prelude::*;
        if self.pending.is_empty() {
            return Ok(());
        }
        let batches = std::mem::take(&mut self.pending);
        self.pending_rows = 0;
        let mut writers = self
            .columns
            .create_column_writers(self.row_groups)?
            .into_iter();
        // Each field's leaf columns (one for a flat type), with their writers.
        let mut jobs = Vec::with_capacity(self.schema.fields().len());
        for (i, field) in self.schema.fields().iter().enumerate() {
            let leaves = batches
                .iter()
                .map(|b| compute_leaves(field, b.column(i)))
                .collect::<parquet::errors::Result<Vec<_>>>()?;
            let n = leaves.first().map_or(0, Vec::len);
            jobs.push((writers.by_ref().take(n).collect::<Vec<_>>(), leaves));
        }
        let chunks = jobs
            .into_par_iter()
            .map(|(mut column_writers, leaves)| {
                for batch_leaves in leaves {
                    for (writer, leaf) in column_writers.iter_mut().zip(batch_leaves) {
                        writer.write(&leaf)?;
                    }
                }
                column_writers
                    .into_iter()
                    .map(|w| w.close())
                    .collect::<parquet::errors::Result<Vec<ArrowColumnChunk>>>()
            })
            .collect::<parquet::errors::Result<Vec<_>>>()?;
        let mut row_group = self.file.next_row_group()?;
        for chunk in chunks.into_iter().flatten() {
            chunk.append_to_row_group(&mut row_group)?;
        }
        row_group.close()?;
        self.row_groups += 1;
        Ok(())
    }

    fn finish(mut self) -> parquet::errors::Result<()> {
        self.flush()?;
        self.file.close().map(|_| ())
    }
}

/// `schema` with string views as plain strings.
fn plain_schema(schema: &SchemaRef) -> SchemaRef {
    use arrow_schema::DataType;
    let fields: Vec<arrow_schema::Field> = schema
        .fields()
        .iter()
        .map(|f| {
            let t = match f.data_type() {
                DataType::Utf8View => DataType::Utf8,
                DataType::BinaryView => DataType::Binary,
                other => other.clone(),
            };
            f.as_ref().clone().with_data_type(t)
        })
        .collect();
    std::sync::Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

/// `batch` cast to `schema` (from [`plain_schema`]).
fn plain_batch(schema: &SchemaRef, batch: &RecordBatch) -> Result<RecordBatch> {
    let columns = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(c, f)| arrow_cast::cast(c, f.data_type()))
        .collect::<Result<Vec<_>, _>>();
    columns
        .and_then(|c| RecordBatch::try_new(schema.clone(), c))
        .map_err(|e| Error::arrow("casting string views to strings", e))
}

/// Writes `batches` to `path` as an uncompressed Arrow IPC file, atomically.
///
/// # Errors
/// I/O errors; nothing is left at `path` then.
pub fn write_ipc(path: &Path, schema: &Schema, batches: &[RecordBatch]) -> Result<()> {
    write_file(
        path,
        FileFormat::Arrow,
        schema,
        batches,
        &WriteOptions::default(),
    )
}

/// The IPC file format allows one dictionary per column for the whole file. Where the
/// batches of a dictionary column carry different dictionaries (results of a query over
/// several inputs), their values are concatenated into one and each batch's keys are
/// shifted to point into it; where the keys' type cannot address the result, the column
/// is written with its value type instead.
fn unify_dictionaries(batches: &[RecordBatch]) -> Result<Vec<RecordBatch>, ArrowError> {
    use arrow_array::cast::AsArray;
    use arrow_array::{Array, ArrayRef};
    use arrow_schema::DataType;
    let Some(first) = batches.first() else {
        return Ok(Vec::new());
    };
    let schema = first.schema();
    let mut columns: Vec<Vec<ArrayRef>> = (0..first.num_columns())
        .map(|c| batches.iter().map(|b| b.column(c).clone()).collect())
        .collect();
    let mut fields: Vec<arrow_schema::Field> =
        schema.fields().iter().map(|f| f.as_ref().clone()).collect();
    for (c, field) in schema.fields().iter().enumerate() {
        let DataType::Dictionary(key_type, value_type) = field.data_type() else {
            continue;
        };
        let dicts: Vec<ArrayRef> = columns[c]
            .iter()
            .map(|a| a.as_any_dictionary().values().clone())
            .collect();
        if dicts.windows(2).all(|w| w[0].to_data() == w[1].to_data()) {
            continue;
        }
        let values =
            arrow_select::concat::concat(&dicts.iter().map(|d| d.as_ref()).collect::<Vec<_>>())?;
        let strict = arrow_cast::CastOptions {
            safe: false,
            ..Default::default()
        };
        let mut offset = 0i64;
        let mut unified = Vec::with_capacity(dicts.len());
        for (array, dict) in columns[c].iter().zip(&dicts) {
            let keys = arrow_cast::cast(array.as_any_dictionary().keys(), &DataType::Int64)?;
            let shift = arrow_array::Scalar::new(arrow_array::Int64Array::from(vec![offset]));
            let shifted = arrow_arith::numeric::add(&keys, &shift)?;
            let Ok(keys) = arrow_cast::cast_with_options(&shifted, key_type, &strict) else {
                unified.clear();
                break;
            };
            let dictionary = DataType::Dictionary(key_type.clone(), value_type.clone());
            let data = keys
                .to_data()
                .into_builder()
                .data_type(dictionary)
                .child_data(vec![values.to_data()]);
            unified.push(arrow_array::make_array(data.build()?));
            offset += dict.len() as i64;
        }
        if unified.is_empty() {
            // The key type cannot address the merged values: write plain values.
            unified = columns[c]
                .iter()
                .map(|a| arrow_cast::cast(a, value_type))
                .collect::<Result<_, _>>()?;
            fields[c] = field
                .as_ref()
                .clone()
                .with_data_type(value_type.as_ref().clone());
        }
        columns[c] = unified;
    }
    let schema = std::sync::Arc::new(arrow_schema::Schema::new_with_metadata(
        fields,
        schema.metadata().clone(),
    ));
    (0..batches.len())
        .map(|b| {
            RecordBatch::try_new(
                schema.clone(),
                columns.iter().map(|col| col[b].clone()).collect(),
            )
        })
        .collect()
}

/// Writes a JSON array of objects, one per row; nulls are explicit.
///
/// # Errors
/// Arrow's and the writer's errors.
pub fn write_json_to(w: impl Write, batches: &[RecordBatch]) -> Result<(), ArrowError> {
    let mut writer = arrow_json::WriterBuilder::new()
        .with_explicit_nulls(true)
        .build::<_, arrow_json::writer::JsonArray>(w);
    for b in batches {
        writer.write(b)?;
    }
    writer.finish()
}

/// Writes a text table: a header of names and types, then the rows; strings longer than
/// `max_width` characters are cut with `…`.
///
/// # Errors
/// Arrow's and the writer's errors.
pub fn write_table_to(
    mut w: impl Write,
    schema: &Schema,
    batches: &[RecordBatch],
    max_width: usize,
) -> Result<(), ArrowError> {
    let options = FormatOptions::new().with_null("NULL");
    let clip = |s: String| -> String {
        let s = s.replace(['\n', '\r', '\t'], " ");
        if s.chars().count() > max_width {
            let mut t: String = s.chars().take(max_width.saturating_sub(1)).collect();
            t.push('…');
            t
        } else {
            s
        }
    };
    let header: Vec<String> = schema
        .fields()
        .iter()
        .map(|f| clip(f.name().clone()))
        .collect();
    let types: Vec<String> = schema
        .fields()
        .iter()
        .map(|f| clip(f.data_type().to_string()))
        .collect();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for b in batches {
        let formatters = b
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()?;
        for r in 0..b.num_rows() {
            rows.push(
                formatters
                    .iter()
                    .map(|f| clip(f.value(r).to_string()))
                    .collect(),
            );
        }
    }
    let width = |s: &str| s.chars().count();
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| width(&r[c]))
                .chain([width(&header[c]), width(&types[c])])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |w: &mut dyn Write, cells: &[String]| -> io::Result<()> {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(s, &n)| format!("{s}{}", " ".repeat(n - width(s))))
            .collect();
        writeln!(w, "│ {} │", padded.join(" │ "))
    };
    let rule = |w: &mut dyn Write, l: &str, m: &str, r: &str| -> io::Result<()> {
        let parts: Vec<String> = widths.iter().map(|&n| "─".repeat(n + 2)).collect();
        writeln!(w, "{l}{}{r}", parts.join(m))
    };
    rule(&mut w, "┌", "┬", "┐")?;
    line(&mut w, &header)?;
    line(&mut w, &types)?;
    rule(&mut w, "├", "┼", "┤")?;
    for r in &rows {
        line(&mut w, r)?;
    }
    rule(&mut w, "└", "┴", "┘")?;
    let n = rows.len();
    writeln!(w, "{n} row{}", if n == 1 { "" } else { "s" })?;
    Ok(())
}
