//! Writing results: Arrow IPC files (atomically), CSV, JSON and a text table.
//!
//! Files are written atomically: into a temporary file beside the target, synced, then
//! renamed over it. On any error the temporary file is removed, so the target path holds
//! either its previous content or the whole new file, never a partial one. Files that
//! spindle writes are uncompressed with 64-byte-aligned buffers, so they map back with no
//! copy.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use arrow_array::RecordBatch;
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{ArrowError, Schema};

use crate::error::{Error, Result};

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
        let temp = dir.join(format!(
            ".{}.spindle-{}-{}.tmp",
            name.to_string_lossy(),
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

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// Writes `batches` to `path` as an Arrow IPC file, atomically.
///
/// # Errors
/// I/O errors; nothing is left at `path` then.
pub fn write_ipc(path: &Path, schema: &Schema, batches: &[RecordBatch]) -> Result<()> {
    let mut out = AtomicFile::create(path)?;
    write_ipc_to(out.writer(), schema, batches)
        .map_err(|e| Error::arrow(format!("writing {}", path.display()), e))?;
    out.commit()
}

/// Writes `batches` as an Arrow IPC file to any writer.
///
/// # Errors
/// Arrow's and the writer's errors.
pub fn write_ipc_to(
    w: impl Write,
    schema: &Schema,
    batches: &[RecordBatch],
) -> Result<(), ArrowError> {
    let batches = unify_dictionaries(batches)?;
    let schema = batches
        .first()
        .map_or_else(|| std::sync::Arc::new(schema.clone()), RecordBatch::schema);
    let mut writer = arrow_ipc::writer::FileWriter::try_new(w, &schema)?;
    for b in &batches {
        writer.write(b)?;
    }
    writer.finish()
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

/// Writes CSV with a header row.
///
/// # Errors
/// Arrow's and the writer's errors.
pub fn write_csv_to(w: impl Write, batches: &[RecordBatch]) -> Result<(), ArrowError> {
    let mut writer = arrow_csv::WriterBuilder::new().with_header(true).build(w);
    for b in batches {
        writer.write(b)?;
    }
    Ok(())
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
