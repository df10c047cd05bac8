//! Converting files: CSV, Parquet or Arrow IPC in; Arrow IPC, Parquet or CSV out, written
//! atomically (what `spindle convert IN OUT` runs).
//!
//! A CSV input streams: waves of chunks are decoded in parallel on the rayon pool while a
//! writer thread writes the previous wave, and the file's pages are sent to disk in the
//! background as it grows, so the final sync has little left to do. Memory stays at a few
//! waves. Other inputs are opened as a table (Parquet columns decode with their row groups
//! in parallel) and written whole.

use std::path::Path;

use arrow_array::RecordBatch;

use crate::error::{Error, Result};
use crate::storage::csv::{CsvOptions, CsvReader, CsvReport};
use crate::storage::write::{AtomicFile, FormatWriter, WriteOptions};
use crate::storage::{FileFormat, Table};

/// How to convert: the formats (by default from the paths), how to read a CSV input and
/// how to write the output.
#[derive(Debug, Clone, Default)]
pub struct ConvertOptions {
    /// The input's format; `None`: from its extension, else its first bytes.
    pub from: Option<FileFormat>,
    /// The output's format; `None`: from its extension.
    pub to: Option<FileFormat>,
    /// For a CSV input.
    pub csv: CsvOptions,
    /// For the output.
    pub write: WriteOptions,
}

/// What a conversion did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertReport {
    /// Rows written.
    pub rows: u64,
    /// Columns written.
    pub columns: usize,
    /// For a CSV input: the records decoded and skipped.
    pub csv: Option<CsvReport>,
}

/// Bytes written between two background syncs.
const SYNC_EVERY: usize = 64 << 20;

/// Converts `input` to `output`.
///
/// # Errors
/// The reader's errors (with the line, or the Parquet row group), an output extension that
/// names no format, and [`crate::storage::write::write_file`]'s. On any error nothing is left at
/// `output` and a file already there is untouched.
pub fn convert(
    input: impl AsRef<Path>,
    output: impl AsRef<Path>,
    options: &ConvertOptions,
) -> Result<ConvertReport> {
    let (input, output) = (input.as_ref(), output.as_ref());
    let from = match options.from {
        Some(f) => f,
        None => FileFormat::detect(input)?,
    };
    let to = match options.to {
        Some(f) => f,
        None => FileFormat::for_output(output)?,
    };
    if from != FileFormat::Csv {
        let table = Table::open_as(input, from)?;
        let columns: Vec<usize> = (0..table.schema().fields().len()).collect();
        let batches = table.batches(&columns)?;
        crate::storage::write::write_file(output, to, table.schema(), &batches, &options.write)?;
        return Ok(ConvertReport {
            rows: table.num_rows() as u64,
            columns: columns.len(),
            csv: None,
        });
    }
    let reader = CsvReader::open(input, &options.csv)?;
    let schema = reader.schema().clone();
    let mut file = AtomicFile::create(output)?;
    let mut sync = file.background_sync()?;
    let report = std::thread::scope(|scope| -> Result<CsvReport> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<RecordBatch>>(2);
        let out = file.writer();
        let schema = &schema;
        let writer = scope.spawn(move || -> Result<()> {
            let mut writer = FormatWriter::new(out, to, schema, &options.write)?;
            let mut unsynced = 0;
            for wave in rx {
                writer.write(&wave)?;
                unsynced += wave.iter().map(crate::storage::batch_bytes).sum::<usize>();
                if unsynced >= SYNC_EVERY {
                    sync.start();
                    unsynced = 0;
                }
            }
            writer.finish()
        });
        let read = reader.for_each_wave(|wave| {
            tx.send(wave)
                .map_err(|_| Error::invalid("convert", "the writer stopped"))
        });
        drop(tx);
        let written = writer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        // The writer's own error explains a reader that could not hand it a wave.
        written?;
        read
    })?;
    file.commit()?;
    Ok(ConvertReport {
        rows: report.rows,
        columns: schema.fields().len(),
        csv: Some(report),
    })
}
