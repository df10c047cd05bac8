//! The `spindle` command: inspect Arrow files, query them with SQL, generate data, and
//! run the demo. Errors go to stderr as one line with exit status 1 (usage errors: 2).
//!
//! Owns: argument parsing (clap), the allocator (mimalloc), printing and progress bars.
//! Uses the library's public API only (and `spindle-datasets` for `gen` and `demo`); the
//! library never prints, so everything a user sees on a terminal is made here.
#![forbid(unsafe_code)]

mod convert;
mod demo;
mod progress;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};
use spindle::{DataFrame, Error, FileFormat, Result, Runtime};
use spindle_datasets::Kind;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(
    name = "spindle",
    version,
    about = "A columnar dataframe engine with parallel string kernels over memory-mapped Arrow files"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Show a file's schema, rows, batches, bytes per column, and whether it is mapped or read
    Info {
        /// An Arrow IPC file (.arrow, .feather, .ipc) or stream, a Parquet or a CSV file
        file: PathBuf,
    },
    /// Print the first rows of a file
    Head {
        /// An Arrow IPC file or stream, a Parquet or a CSV file
        file: PathBuf,
        /// Number of rows
        #[arg(short = 'n', long, default_value_t = 10)]
        rows: usize,
    },
    /// Run a SQL query: SELECT ... FROM 'file.arrow' [WHERE ...] [LIMIT n]; FROM also reads .parquet and .csv
    #[command(after_help = sql_help())]
    Sql {
        /// The query; name the file in FROM as a quoted path
        query: String,
        /// Output format (default: from --out's extension, else table)
        #[arg(long, value_enum)]
        format: Option<Format>,
        /// Write the result to this file (atomically) instead of stdout; .arrow/.feather/.ipc, .parquet, .csv, .json
        #[arg(long)]
        out: Option<PathBuf>,
        /// Worker threads (default: SPINDLE_THREADS, RAYON_NUM_THREADS, or one per core)
        #[arg(long)]
        threads: Option<usize>,
        /// Print `open: X ms` and `query: Y ms` to stderr
        #[arg(long)]
        timing: bool,
        /// Print the plans instead of running the query: the logical plan, the optimized
        /// plan and the physical plan (threads, partitions, columns read)
        #[arg(long)]
        explain: bool,
        /// With --explain: run the query and show each operator's rows and time
        #[arg(long, requires = "explain")]
        analyze: bool,
    },
    /// Convert between CSV, Parquet and Arrow IPC: spindle convert IN OUT (formats from the extensions)
    #[command(after_help = convert::HELP)]
    Convert(convert::Args),
    /// Generate a seeded data set as an Arrow IPC file
    Gen {
        /// Data set: text (names, e-mails, URLs, sentences; non-ASCII and nulls), vaex (shuffled integers as strings) or keys (db-benchmark's group-by keys and values)
        #[arg(long, default_value = "text")]
        kind: Kind,
        /// Number of rows
        #[arg(long, default_value_t = 1_000_000)]
        rows: u64,
        /// Random seed
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Rows per record batch (0: one batch)
        #[arg(long, default_value_t = 1 << 20)]
        batch_rows: usize,
        /// Output file
        #[arg(long, short = 'o')]
        out: PathBuf,
    },
    /// List the string functions: SQL's (DuckDB's names with DuckDB's meaning, pandas' methods as str_<name>)
    Functions {
        /// Print the pandas methods as the README's Markdown table, by family
        #[arg(long)]
        markdown: bool,
    },
    /// The showcase: generate data if missing, map it, run string queries on 1 thread and on all threads
    Demo {
        /// Rows of the generated data set
        #[arg(long, default_value_t = 2_000_000)]
        rows: u64,
        /// Use this file instead of generating one (needs the text data set's columns)
        #[arg(long)]
        file: Option<PathBuf>,
        /// Threads for the parallel runs (default: one per core)
        #[arg(long)]
        threads: Option<usize>,
        /// Timed runs per query (the median is shown)
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
}

fn sql_help() -> String {
    let mut s =
        String::from("Functions (DuckDB names keep DuckDB's meaning; str_<name> is pandas'):\n");
    for (name, what) in spindle::functions() {
        s.push_str(&format!("  {name:<52} {what}\n"));
    }
    s.push_str("\nExample:\n  spindle sql \"SELECT str_upper(name) AS n FROM 'people.arrow' WHERE email LIKE '%@example.com' LIMIT 5\"");
    s
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Table,
    Csv,
    Json,
    Arrow,
    Parquet,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

pub(crate) fn runtime(threads: Option<usize>) -> Result<Runtime> {
    match threads {
        Some(n) => Runtime::new(n),
        None => Runtime::global(),
    }
}

fn run(command: Command) -> Result<()> {
    match command {
        Command::Info { file } => info(&file),
        Command::Head { file, rows } => {
            let frame = spindle::open(&file)?.lazy().head(rows).collect()?;
            print_table(&frame)
        }
        Command::Sql {
            query,
            threads,
            explain: true,
            analyze,
            ..
        } => {
            let plan = spindle::sql::plan(&query)?.with_runtime(runtime(threads)?);
            let text = if analyze {
                plan.explain_analyze()?
            } else {
                plan.explain()?
            };
            print_text(&text)
        }
        Command::Sql {
            query,
            format,
            out,
            threads,
            timing,
            ..
        } => sql(&query, format, out.as_deref(), threads, timing),
        Command::Convert(args) => convert::run(args),
        Command::Functions { markdown: true } => {
            print_text(spindle::expr::catalogue::markdown_table().trim_end())
        }
        Command::Functions { markdown: false } => {
            let lines: Vec<String> = spindle::functions()
                .into_iter()
                .map(|(name, what)| format!("{name:<60} {what}"))
                .collect();
            print_text(&lines.join("\n"))
        }
        Command::Gen {
            kind,
            rows,
            seed,
            batch_rows,
            out,
        } => {
            let started = Instant::now();
            demo::generate(kind, rows, seed, batch_rows, &out)?;
            eprintln!(
                "wrote {rows} rows of {kind} to {} in {:.1} s",
                out.display(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Demo {
            rows,
            file,
            threads,
            runs,
        } => demo::run(rows, file, threads, runs),
    }
}

fn stdout_error(e: std::io::Error) -> Error {
    Error::Io {
        path: PathBuf::from("<stdout>"),
        action: "write",
        source: e,
    }
}

fn info(file: &Path) -> Result<()> {
    let started = Instant::now();
    let frame = spindle::open(file)?;
    let elapsed = started.elapsed();
    let table = frame.table();
    let mut out = std::io::stdout().lock();
    let mut w = || -> std::io::Result<()> {
        writeln!(out, "file:    {}", file.display())?;
        writeln!(out, "storage: {}", table.mode())?;
        writeln!(out, "rows:    {}", table.num_rows())?;
        writeln!(out, "batches: {}", table.batch_rows().len())?;
        let columns = frame.schema().fields().len();
        let lazy = (0..columns).all(|c| !table.is_decoded(c));
        writeln!(
            out,
            "opened in {:.2} ms ({})",
            elapsed.as_secs_f64() * 1e3,
            if lazy { "metadata only" } else { "read whole" }
        )?;
        writeln!(out, "columns:")?;
        let schema = frame.schema();
        let width = schema
            .fields()
            .iter()
            .map(|f| f.name().chars().count())
            .max()
            .unwrap_or(4)
            .max(4);
        for (f, bytes) in schema.fields().iter().zip(table.column_bytes()) {
            let null = if f.is_nullable() {
                "nullable"
            } else {
                "not null"
            };
            writeln!(
                out,
                "  {:<width$}  {:<32} {null:<9} {:>12} bytes",
                f.name(),
                f.data_type().to_string(),
                bytes
            )?;
        }
        Ok(())
    };
    w().map_err(stdout_error)
}

fn print_table(frame: &DataFrame) -> Result<()> {
    let batches = frame.to_batches()?;
    let mut out = std::io::stdout().lock();
    spindle::write::write_table_to(&mut out, &frame.schema(), &batches, 48).map_err(|e| {
        Error::Arrow {
            context: "print".into(),
            source: e,
        }
    })
}

/// Prints `text` and a newline to stdout.
fn print_text(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}").map_err(stdout_error)?;
    stdout.flush().map_err(stdout_error)
}

fn sql(
    query: &str,
    format: Option<Format>,
    out: Option<&Path>,
    threads: Option<usize>,
    timing: bool,
) -> Result<()> {
    let format =
        format.unwrap_or_else(
            || match out.and_then(|p| p.extension()).and_then(|e| e.to_str()) {
                Some("arrow" | "feather" | "ipc") => Format::Arrow,
                Some("parquet" | "pq") => Format::Parquet,
                Some("csv") => Format::Csv,
                Some("json") => Format::Json,
                _ => Format::Table,
            },
        );
    if matches!(format, Format::Arrow | Format::Parquet)
        && out.is_none()
        && std::io::stdout().is_terminal()
    {
        return Err(Error::InvalidArgument {
            context: format!("--format {format:?}").to_lowercase(),
            message: "refusing to write a binary file to a terminal; use --out FILE or a pipe"
                .into(),
        });
    }
    let runtime = runtime(threads)?;
    let started = Instant::now();
    let plan = spindle::sql::plan(query)?;
    let opened = started.elapsed();
    let started = Instant::now();
    let result = plan.with_runtime(runtime).collect()?;
    let queried = started.elapsed();
    if timing {
        eprintln!("open: {:.3} ms", opened.as_secs_f64() * 1e3);
        eprintln!("query: {:.3} ms", queried.as_secs_f64() * 1e3);
    }
    let schema = result.schema();
    let batches = result.to_batches()?;
    // EXPLAIN's rows print as text, not as a table of multi-line cells.
    let is_explain = query
        .trim_start()
        .get(..7)
        .is_some_and(|w| w.eq_ignore_ascii_case("explain"));
    if is_explain && format == Format::Table && out.is_none() {
        let mut text = String::new();
        for b in &batches {
            let (keys, values) = (b.column(0), b.column(1));
            for r in 0..b.num_rows() {
                let cell = |a: &arrow_array::ArrayRef| {
                    arrow_cast::display::array_value_to_string(a, r).unwrap_or_default()
                };
                text.push_str(&format!("{}:\n{}\n", cell(keys), cell(values)));
            }
        }
        return print_text(text.trim_end());
    }
    let file_format = match format {
        Format::Arrow => Some(FileFormat::Arrow),
        Format::Parquet => Some(FileFormat::Parquet),
        Format::Csv => Some(FileFormat::Csv),
        Format::Table | Format::Json => None,
    };
    let options = spindle::WriteOptions::default();
    match (out, file_format) {
        (Some(path), Some(file_format)) => {
            spindle::write::write_file(path, file_format, &schema, &batches, &options)
        }
        (None, Some(file_format)) => {
            // Parquet needs the whole file before its footer; build it in memory.
            let mut buf = Vec::new();
            spindle::write::write_to(&mut buf, file_format, &schema, &batches, &options)?;
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&buf).map_err(stdout_error)?;
            stdout.flush().map_err(stdout_error)
        }
        (out, None) => {
            let write = |w: &mut dyn Write| match format {
                Format::Json => spindle::write::write_json_to(w, &batches),
                _ => spindle::write::write_table_to(w, &schema, &batches, 48),
            };
            match out {
                Some(path) => {
                    let mut file = spindle::write::AtomicFile::create(path)?;
                    write(file.writer()).map_err(|e| Error::Arrow {
                        context: format!("writing {}", path.display()),
                        source: e,
                    })?;
                    file.commit()
                }
                None => {
                    let mut stdout = std::io::stdout().lock();
                    write(&mut stdout).map_err(|e| Error::Arrow {
                        context: "writing to stdout".into(),
                        source: e,
                    })?;
                    stdout.flush().map_err(stdout_error)
                }
            }
        }
    }
}
