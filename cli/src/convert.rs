//! `spindle convert IN OUT`: CSV, Parquet or Arrow IPC in; Arrow IPC, Parquet or CSV out,
//! written atomically.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use clap::ValueEnum;
use spindle::{CsvOptions, Error, FileFormat, Result, WriteOptions};

use crate::progress::Progress;

pub const HELP: &str = "\
Formats come from the extensions: .csv (.tsv is tab-separated), .parquet, .arrow/.feather/.ipc.
Arrow IPC is written uncompressed and aligned, so spindle maps it back with no copy.

Types for --schema: bool, int8..int64, uint8..uint64, float32, float64, string, large_string,
string_view, date, timestamp (microseconds), timestamp_ms, timestamp_ns, or any Arrow type name.

Examples:
  spindle convert data.csv data.arrow --schema zip:string,amount:float64
  spindle convert data.csv data.parquet --delimiter ';' --null NA --skip-bad-rows
  spindle convert data.parquet data.arrow
  spindle convert data.arrow data.parquet --compression zstd";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Input file: CSV, Parquet or Arrow IPC (file or stream)
    input: PathBuf,
    /// Output file: .arrow/.feather/.ipc, .parquet or .csv
    output: PathBuf,
    /// Input format, when the extension does not say
    #[arg(long, value_enum)]
    from: Option<Kind>,
    /// Output format, when the extension does not say
    #[arg(long, value_enum)]
    to: Option<Kind>,
    /// CSV: column types, overriding the inferred ones: name:type,name:type
    #[arg(long, value_delimiter = ',')]
    schema: Vec<String>,
    /// CSV: the first line is data, not column names (columns are then column_1, column_2, ...)
    #[arg(long)]
    no_header: bool,
    /// CSV: field separator, one ASCII character or \t (default , and tab for .tsv)
    #[arg(long)]
    delimiter: Option<String>,
    /// CSV: quote character (inside quotes, a doubled quote is one quote)
    #[arg(long, default_value = "\"")]
    quote: String,
    /// CSV: escape character inside quotes, such as \ (default: none)
    #[arg(long)]
    escape: Option<String>,
    /// CSV: a field value that means null (repeatable; replaces the default, the empty field, as DuckDB's nullstr does: add --null '' to keep it)
    #[arg(long = "null")]
    null_values: Vec<String>,
    /// CSV: records read to infer column types
    #[arg(long, default_value_t = 20_000)]
    infer_rows: usize,
    /// CSV: skip records that do not decode (wrong field count, bad value, invalid UTF-8) and report them
    #[arg(long)]
    skip_bad_rows: bool,
    /// Output compression: none, lz4, zstd (Arrow IPC; default none), snappy (Parquet's default)
    #[arg(long)]
    compression: Option<String>,
    /// Write string view columns as plain strings (for readers without views)
    #[arg(long)]
    plain_strings: bool,
    /// Parquet: rows per row group
    #[arg(long, default_value_t = 1 << 20)]
    row_group_rows: usize,
    /// Worker threads (default: SPINDLE_THREADS, RAYON_NUM_THREADS, or one per core)
    #[arg(long)]
    threads: Option<usize>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Csv,
    Parquet,
    Arrow,
}

impl From<Kind> for FileFormat {
    fn from(k: Kind) -> FileFormat {
        match k {
            Kind::Csv => FileFormat::Csv,
            Kind::Parquet => FileFormat::Parquet,
            Kind::Arrow => FileFormat::Arrow,
        }
    }
}

/// One ASCII byte from an option's text (`\t` and `tab` mean a tab).
fn byte(option: &str, text: &str) -> Result<u8> {
    spindle::storage::csv::parse_byte(text).ok_or_else(|| Error::InvalidArgument {
        context: format!("--{option}"),
        message: format!("{text:?} is not one ASCII character"),
    })
}

fn csv_options(args: &Args) -> Result<CsvOptions> {
    let schema_overrides = args
        .schema
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|spec| {
            let (name, ty) = spec
                .rsplit_once(':')
                .ok_or_else(|| Error::InvalidArgument {
                    context: "--schema".into(),
                    message: format!("{spec:?} is not name:type"),
                })?;
            Ok((
                name.trim().to_string(),
                spindle::storage::csv::parse_type(ty)?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let defaults = CsvOptions::for_path(&args.input);
    let delimiter = match &args.delimiter {
        Some(d) => byte("delimiter", d)?,
        None => defaults.delimiter,
    };
    Ok(CsvOptions {
        header: !args.no_header,
        delimiter,
        quote: byte("quote", &args.quote)?,
        escape: args
            .escape
            .as_deref()
            .map(|e| byte("escape", e))
            .transpose()?,
        null_values: args.null_values.clone(),
        schema_overrides,
        infer_rows: args.infer_rows.max(1),
        skip_bad_rows: args.skip_bad_rows,
        ..defaults
    })
}

/// Inputs this large get a progress bar when stderr is a terminal.
const PROGRESS_BYTES: u64 = 64 << 20;

pub fn run(args: Args) -> Result<()> {
    let started = Instant::now();
    let runtime = crate::runtime(args.threads)?;
    let from = match args.from {
        Some(k) => k.into(),
        None => FileFormat::detect(&args.input)?,
    };
    if from != FileFormat::Csv && (!args.schema.is_empty() || args.no_header || args.skip_bad_rows)
    {
        return Err(Error::InvalidArgument {
            context: "convert".into(),
            message: "--schema, --no-header and --skip-bad-rows apply to CSV input".into(),
        });
    }
    let mut options = spindle::ConvertOptions {
        from: Some(from),
        to: args.to.map(Into::into),
        csv: csv_options(&args)?,
        write: WriteOptions {
            compression: args.compression.as_deref().map(str::parse).transpose()?,
            plain_strings: args.plain_strings,
            row_group_rows: args.row_group_rows,
            ..WriteOptions::default()
        },
    };
    let size = std::fs::metadata(&args.input).map_or(0, |m| m.len());
    let bar = Arc::new(Mutex::new(Progress::new(
        size,
        "MB",
        from == FileFormat::Csv && size >= PROGRESS_BYTES && std::io::stderr().is_terminal(),
    )));
    let shown = bar.clone();
    options.csv.progress = Some(Arc::new(move |done, _total| {
        if let Ok(mut bar) = shown.lock() {
            bar.set(done);
        }
    }));
    let converted = runtime.install(|| spindle::convert(&args.input, &args.output, &options));
    if let Ok(bar) = bar.lock() {
        bar.finish();
    }
    let report = converted?;
    if let Some(csv) = report.csv.as_ref().filter(|r| r.skipped > 0) {
        let s = if csv.skipped == 1 { "" } else { "s" };
        eprintln!("skipped {} bad row{s}:", csv.skipped);
        for bad in &csv.examples {
            eprintln!("  line {}: {}", bad.line, bad.reason);
        }
        if csv.skipped > csv.examples.len() as u64 {
            eprintln!("  ...");
        }
    }
    let (rows, columns) = (report.rows, report.columns);
    eprintln!(
        "wrote {rows} row{}, {columns} column{} to {} in {:.2} s",
        if rows == 1 { "" } else { "s" },
        if columns == 1 { "" } else { "s" },
        args.output.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
