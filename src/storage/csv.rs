//! Reading CSV in parallel: arrow-csv's decoder on every core.
//!
//! The file is mapped and cut into chunks of a few MB at record boundaries; the chunks are
//! decoded in waves on the rayon pool, each thread with one [`arrow_csv::reader::Decoder`]
//! for the whole file (so its buffers are reused), and the batches come out in file order,
//! a wave at a time ([`CsvReader::for_each_wave`]). Finding a boundary is the only subtle step, because a
//! newline inside a quoted field does not end a record:
//!
//! 1. **Speculate** (parallel): count the quote bytes of each chunk; a prefix sum gives the
//!    quote parity at every cut, and each cut moves to the first newline where the parity
//!    is even. For RFC 4180 data (quotes doubled inside quoted fields) this is exact.
//! 2. **Verify** (parallel, while decoding): scan each chunk from its start, which is a
//!    record start, with csv-core's rules (a quote opens a field only at the field's
//!    start; doubled quotes and the escape byte stay inside) and check that the chunk ends
//!    outside quotes. A quote inside an unquoted field (`5" disk`) or an escaped quote can
//!    fool step 1; then, from the first chunk that ends inside quotes, the rest of the file
//!    is cut by one sequential scan with those rules and decoded again.
//!
//! The schema is inferred (arrow-csv's rules) from the first records that have the
//! header's number of fields and are valid UTF-8, with the caller's overrides by name. A chunk that fails to decode is bisected by records to find the
//! first bad one and its physical line; with `skip_bad_rows` every bad record is dropped
//! and counted instead.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_csv::reader::Format;
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use rayon::prelude::*;

use crate::error::{Error, Result};

/// A callback told of progress: bytes done and bytes in all. It is called from worker
/// threads, once per chunk.
pub type ProgressFn = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// How to read a CSV file. The defaults read RFC 4180 CSV with a header row, where an
/// empty field is null, as DuckDB and Polars do.
#[derive(Clone)]
pub struct CsvOptions {
    /// The first record names the columns (default true); otherwise they are `column_1`,
    /// `column_2`, ...
    pub header: bool,
    /// The field separator (default `,`).
    pub delimiter: u8,
    /// The quote byte (default `"`); inside quotes, a doubled quote is one quote.
    pub quote: u8,
    /// A byte that makes the next byte literal inside quotes, such as `\` (default none).
    pub escape: Option<u8>,
    /// Field values that mean null, matched whole. Empty (the default): the empty field is
    /// null. As with DuckDB's `nullstr`, values given replace that default; include `""` to
    /// keep it.
    pub null_values: Vec<String>,
    /// Column types that replace the inferred ones, by column name.
    pub schema_overrides: Vec<(String, DataType)>,
    /// Records read to infer the types (default 20,000; DuckDB samples about as many).
    pub infer_rows: usize,
    /// Drop records that do not decode (wrong number of fields, a value that does not
    /// parse as its column's type, invalid UTF-8) and count them, instead of failing.
    pub skip_bad_rows: bool,
    /// Called as chunks finish.
    pub progress: Option<ProgressFn>,
    /// Bytes per parallel chunk; 0 (the default) picks about 8 MB, and at least four
    /// chunks per thread for a smaller file. Small values exercise the record-boundary
    /// cuts on small inputs (the tests and the fuzzer set them).
    pub chunk_bytes: usize,
}

impl Default for CsvOptions {
    fn default() -> CsvOptions {
        CsvOptions {
            header: true,
            delimiter: b',',
            quote: b'"',
            escape: None,
            null_values: Vec::new(),
            schema_overrides: Vec::new(),
            infer_rows: 20_000,
            skip_bad_rows: false,
            progress: None,
            chunk_bytes: 0,
        }
    }
}

impl CsvOptions {
    /// The defaults for `path`: tab-separated for a `.tsv` file, else comma-separated.
    pub fn for_path(path: &Path) -> CsvOptions {
        let tsv = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
        CsvOptions {
            delimiter: if tsv { b'\t' } else { b',' },
            ..CsvOptions::default()
        }
    }
}

/// A delimiter, quote or escape given as text: one ASCII character, or a tab written as
/// `\t` or `tab`.
pub fn parse_byte(text: &str) -> Option<u8> {
    match text {
        "\\t" | "tab" | "\t" => Some(b'\t'),
        t if t.len() == 1 && t.is_ascii() => Some(t.as_bytes()[0]),
        _ => None,
    }
}

impl std::fmt::Debug for CsvOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvOptions")
            .field("header", &self.header)
            .field("delimiter", &(self.delimiter as char))
            .field("quote", &(self.quote as char))
            .field("escape", &self.escape.map(char::from))
            .field("null_values", &self.null_values)
            .field("schema_overrides", &self.schema_overrides)
            .field("infer_rows", &self.infer_rows)
            .field("skip_bad_rows", &self.skip_bad_rows)
            .field("progress", &self.progress.is_some())
            .field("chunk_bytes", &self.chunk_bytes)
            .finish()
    }
}

/// A column type by its common name (DuckDB's, Polars', Arrow's).
///
/// # Errors
/// A name that is none of these.
pub fn parse_type(name: &str) -> Result<DataType> {
    use arrow_schema::TimeUnit;
    let t = match name.trim().to_ascii_lowercase().as_str() {
        "bool" | "boolean" => DataType::Boolean,
        "int8" | "tinyint" => DataType::Int8,
        "int16" | "smallint" => DataType::Int16,
        "int32" | "int" | "integer" => DataType::Int32,
        "int64" | "bigint" | "long" => DataType::Int64,
        "uint8" | "utinyint" => DataType::UInt8,
        "uint16" | "usmallint" => DataType::UInt16,
        "uint32" | "uinteger" => DataType::UInt32,
        "uint64" | "ubigint" => DataType::UInt64,
        "float32" | "float" | "real" => DataType::Float32,
        "float64" | "double" => DataType::Float64,
        "string" | "str" | "utf8" | "varchar" | "text" => DataType::Utf8,
        "large_string" | "large_utf8" | "largeutf8" => DataType::LargeUtf8,
        "string_view" | "utf8view" | "utf8_view" => DataType::Utf8View,
        "date" | "date32" => DataType::Date32,
        "timestamp" | "datetime" | "timestamp_us" => {
            DataType::Timestamp(TimeUnit::Microsecond, None)
        }
        "timestamp_ms" => DataType::Timestamp(TimeUnit::Millisecond, None),
        "timestamp_ns" => DataType::Timestamp(TimeUnit::Nanosecond, None),
        "timestamp_s" => DataType::Timestamp(TimeUnit::Second, None),
        _ => name
            .trim()
            .parse::<DataType>()
            .map_err(|_| Error::InvalidArgument {
                context: "--schema".into(),
                message: format!(
                    "unknown type {name:?}; see `spindle convert --help` for the names"
                ),
            })?,
    };
    Ok(t)
}

/// A record that did not decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    /// Its first physical line (1-based; newlines inside quotes count).
    pub line: u64,
    /// What was wrong.
    pub reason: String,
}

/// What reading a CSV file skipped (with [`CsvOptions::skip_bad_rows`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsvReport {
    /// Records decoded.
    pub rows: u64,
    /// Records skipped.
    pub skipped: u64,
    /// The first few skipped records, in file order.
    pub examples: Vec<BadRow>,
}

/// How many skipped records a report keeps as examples.
const EXAMPLES: usize = 5;

/// The bytes of one chunk and what decoding it gave.
struct Decoded {
    batches: Vec<RecordBatch>,
    bad: Vec<BadRow>,
    skipped: u64,
    /// Whether the chunk ends outside quotes (its end is a record boundary).
    ends_clean: bool,
}

/// Reads `path` as CSV into record batches, in file order.
pub(crate) fn read(
    path: &Path,
    options: &CsvOptions,
) -> Result<(SchemaRef, Vec<RecordBatch>, CsvReport)> {
    let reader = CsvReader::open(path, options)?;
    let mut batches = Vec::new();
    let report = reader.for_each_wave(|wave| {
        batches.extend(wave);
        Ok(())
    })?;
    Ok((reader.schema.clone(), batches, report))
}

/// A CSV file opened for reading: mapped, its header read and its types inferred. The
/// records are decoded by [`CsvReader::for_each_wave`].
pub struct CsvReader {
    path: PathBuf,
    map: bytes::Bytes,
    /// Where the data starts in `map` (after a byte-order mark).
    start: usize,
    options: CsvOptions,
    dialect: Dialect,
    schema: SchemaRef,
    /// Where the records start in `data()` (after the header).
    body: usize,
    spec: Spec,
}

impl std::fmt::Debug for CsvReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvReader")
            .field("path", &self.path)
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

impl CsvReader {
    /// Maps `path`, reads the header and infers the column types.
    ///
    /// # Errors
    /// I/O errors; [`Error::BadFile`] for a header that is not UTF-8 or a file with no
    /// columns; [`Error::ColumnNotFound`] for an override of a column that is not there.
    pub fn open(path: impl AsRef<Path>, options: &CsvOptions) -> Result<CsvReader> {
        let path = path.as_ref();
        let map = super::map_bytes(path)?;
        let start = if map.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        let dialect = Dialect {
            delimiter: options.delimiter,
            quote: options.quote,
            escape: options.escape,
        };
        let mut reader = CsvReader {
            path: path.to_path_buf(),
            map,
            start,
            options: options.clone(),
            dialect,
            schema: Arc::new(Schema::empty()),
            body: 0,
            spec: Spec::new(Arc::new(Schema::empty()), None, options),
        };
        let (schema, body) = reader.infer()?;
        reader.spec = Spec::new(schema.clone(), reader.null_regex()?, options);
        reader.schema = schema;
        reader.body = body;
        Ok(reader)
    }

    /// The columns: names from the header, types inferred and overridden.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// The file's bytes after any byte-order mark.
    fn data(&self) -> &[u8] {
        &self.map[self.start..]
    }

    /// Decodes the records in waves of a few chunks per thread, each wave in parallel on
    /// the current rayon pool, and hands every wave's batches to `sink` in file order.
    /// Memory stays at a few waves however large the file.
    ///
    /// # Errors
    /// The first record that does not decode (unless skipped), and `sink`'s errors.
    pub fn for_each_wave(
        &self,
        mut sink: impl FnMut(Vec<RecordBatch>) -> Result<()>,
    ) -> Result<CsvReport> {
        let data = self.data();
        let total = (data.len() - self.body) as u64;
        let done = AtomicU64::new(0);
        let mut cuts = self.speculate(self.body);
        // One decoder per thread for the whole file: its buffers are reused from chunk to
        // chunk. Thread `t` of a wave decodes chunks t, t + threads, t + 2 * threads, ...
        let threads = rayon::current_num_threads().max(1);
        let wave = threads * 4;
        let mut decoders: Vec<_> = (0..threads)
            .map(|_| self.spec.decoder_for(self.data().len() + 1))
            .collect();
        let mut report = CsvReport::default();
        let mut first = 0;
        while first + 1 < cuts.len() {
            let last = (first + wave).min(cuts.len() - 1);
            let spans = &cuts[first..=last];
            let lanes: Vec<Vec<(usize, Result<Decoded>)>> = decoders
                .par_iter_mut()
                .enumerate()
                .map(|(t, decoder)| {
                    (t..spans.len() - 1)
                        .step_by(threads)
                        .map(|i| {
                            let (start, end) = (spans[i], spans[i + 1]);
                            let out = self.decode_chunk(decoder, start, end);
                            if let Some(progress) = &self.options.progress {
                                let n = (end - start) as u64;
                                progress(done.fetch_add(n, Ordering::Relaxed) + n, total);
                            }
                            (i, out)
                        })
                        .collect()
                })
                .collect();
            let mut chunks: Vec<(usize, Result<Decoded>)> = lanes.into_iter().flatten().collect();
            chunks.sort_unstable_by_key(|(i, _)| *i);
            let mut batches = Vec::new();
            // In file order, so that the error reported is the first in the file.
            for (_, chunk) in chunks {
                let chunk = chunk?;
                if !chunk.ends_clean {
                    // The parity guess was wrong here: cut the rest of the file exactly.
                    let from = cuts[first];
                    cuts.truncate(first);
                    cuts.extend(self.exact_cuts(from));
                    break;
                }
                if !self.options.skip_bad_rows {
                    if let Some(bad) = chunk.bad.into_iter().next() {
                        return Err(self.error(format!("line {}", bad.line), bad.reason));
                    }
                } else {
                    report.skipped += chunk.skipped;
                    let room = EXAMPLES - report.examples.len().min(EXAMPLES);
                    report.examples.extend(chunk.bad.into_iter().take(room));
                }
                report.rows += chunk
                    .batches
                    .iter()
                    .map(|b| b.num_rows() as u64)
                    .sum::<u64>();
                batches.extend(chunk.batches);
                first += 1;
            }
            if !batches.is_empty() {
                sink(batches)?;
            }
        }
        Ok(report)
    }

    fn error(&self, location: String, reason: impl Into<String>) -> Error {
        Error::BadFile {
            path: self.path.clone(),
            format: "CSV",
            location,
            reason: reason.into(),
        }
    }

    /// The physical line (1-based) and character column (1-based) of byte `at` of `data`.
    fn line_column(&self, at: usize) -> (u64, usize) {
        let before = &self.data()[..at];
        let line = memchr::memchr_iter(b'\n', before).count() as u64 + 1;
        let start = memchr::memrchr(b'\n', before).map_or(0, |p| p + 1);
        let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
        (line, column)
    }

    /// The schema (names from the header, types inferred from the first records and then
    /// overridden) and the byte where the data records start.
    fn infer(&self) -> Result<(SchemaRef, usize)> {
        let options = &self.options;
        let mut format = Format::default()
            .with_header(options.header)
            .with_delimiter(options.delimiter)
            .with_quote(options.quote);
        if let Some(e) = options.escape {
            format = format.with_escape(e);
        }
        if let Some(regex) = self.null_regex()? {
            format = format.with_null_regex(regex);
        }
        let body = if options.header {
            self.dialect.next_boundary(self.data(), 0, 1)
        } else {
            0
        };
        let first = if options.header {
            body
        } else {
            self.dialect.next_boundary(self.data(), 0, 1)
        };
        if let Err(e) = std::str::from_utf8(&self.data()[..first]) {
            let (line, column) = self.line_column(e.valid_up_to());
            return Err(self.error(
                format!("line {line}, column {column}"),
                format!("invalid UTF-8 (byte {})", self.start + e.valid_up_to()),
            ));
        }
        let sample = self.sample(body, self.dialect.count_fields(&self.data()[..first]));
        let (inferred, _) = format
            .infer_schema(&sample[..], Some(options.infer_rows))
            .map_err(|e| self.error("line 1".into(), format!("inferring the schema: {e}")))?;
        if inferred.fields().is_empty() {
            return Err(self.error("line 1".into(), "the file has no columns"));
        }
        let mut fields: Vec<Field> = inferred
            .fields()
            .iter()
            .map(|f| f.as_ref().clone())
            .collect();
        for (name, data_type) in &options.schema_overrides {
            let Some(field) = fields.iter_mut().find(|f| f.name() == name) else {
                return Err(Error::ColumnNotFound {
                    name: name.clone(),
                    available: fields.iter().map(|f| f.name().clone()).collect(),
                });
            };
            *field = field.clone().with_data_type(data_type.clone());
        }
        Ok((Arc::new(Schema::new(fields)), body))
    }

    /// The header and the first records after `body` that have `fields` fields and are
    /// valid UTF-8, to infer types from: a bad record is reported when it is decoded, with
    /// its line, not as a failure to infer.
    fn sample(&self, body: usize, fields: usize) -> Vec<u8> {
        let data = self.data();
        let mut sample = data[..body].to_vec();
        let (mut at, mut rows) = (body, 0);
        while rows < self.options.infer_rows && at < data.len() {
            let end = self.dialect.next_boundary(data, at, at + 1);
            let record = &data[at..end];
            if std::str::from_utf8(record).is_ok() && self.dialect.count_fields(record) == fields {
                sample.extend_from_slice(record);
                if !record.ends_with(b"\n") {
                    sample.push(b'\n');
                }
                rows += 1;
            }
            at = end;
        }
        sample
    }

    fn null_regex(&self) -> Result<Option<regex::Regex>> {
        if self.options.null_values.is_empty() {
            return Ok(None);
        }
        // As DuckDB's nullstr, the values given replace the default (the empty field).
        let alternatives: Vec<String> = self
            .options
            .null_values
            .iter()
            .map(|v| regex::escape(v))
            .collect();
        regex::Regex::new(&format!("^(?:{})$", alternatives.join("|")))
            .map(Some)
            .map_err(|e| Error::invalid("null values", e.to_string()))
    }

    /// Chunk boundaries from quote parity: `body`, the cuts, and the end of the data.
    fn speculate(&self, body: usize) -> Vec<usize> {
        let data = self.data();
        let len = data.len();
        let size = chunk_size(len - body, self.options.chunk_bytes);
        let targets: Vec<usize> = (body..len).step_by(size).skip(1).collect();
        let quote = self.dialect.quote;
        // Quotes before each target: count per span in parallel, then a prefix sum.
        let mut starts = vec![body];
        starts.extend(&targets);
        let counts: Vec<usize> = starts
            .par_iter()
            .enumerate()
            .map(|(i, &s)| {
                let e = starts.get(i + 1).copied().unwrap_or(len);
                memchr::memchr_iter(quote, &data[s..e]).count()
            })
            .collect();
        let mut parity = Vec::with_capacity(targets.len());
        let mut sum = 0;
        for c in &counts[..targets.len()] {
            sum += c;
            parity.push(sum % 2 == 1);
        }
        let mut cuts = vec![body];
        let found: Vec<usize> = targets
            .par_iter()
            .zip(parity)
            .map(|(&t, mut inside)| {
                for p in memchr::memchr2_iter(quote, b'\n', &data[t..]) {
                    if data[t + p] == quote {
                        inside = !inside;
                    } else if !inside {
                        return t + p + 1;
                    }
                }
                len
            })
            .collect();
        for c in found {
            if c > *cuts.last().expect("body") && c < len {
                cuts.push(c);
            }
        }
        cuts.push(len);
        cuts
    }

    /// Boundaries found by one exact scan from `body`, near the same targets as `cuts`.
    fn exact_cuts(&self, body: usize) -> Vec<usize> {
        let len = self.data().len();
        let size = chunk_size(len - body, self.options.chunk_bytes);
        let mut out = vec![body];
        let mut at = body;
        while at < len {
            at = self.dialect.next_boundary(self.data(), at, at + size);
            out.push(at);
        }
        out
    }

    /// Decodes `data[start..end]`, which starts at a record boundary.
    fn decode_chunk(
        &self,
        decoder: &mut arrow_csv::reader::Decoder,
        start: usize,
        end: usize,
    ) -> Result<Decoded> {
        let bytes = &self.data()[start..end];
        if let Some(open) = self.dialect.unterminated(bytes) {
            if end < self.data().len() {
                // The cut fell inside a quoted field: the caller cuts again exactly.
                return Ok(Decoded {
                    batches: Vec::new(),
                    bad: Vec::new(),
                    skipped: 0,
                    ends_clean: false,
                });
            }
            // The records before the open quote come first in the file: a bad one among
            // them is the error to report.
            let record = self.record_start(start, start + open);
            if record > start && !self.options.skip_bad_rows {
                let before = self.decode_chunk(decoder, start, record)?;
                if !before.bad.is_empty() {
                    return Ok(before);
                }
            }
            let (line, column) = self.line_column(start + open);
            return Err(self.error(
                format!("line {line}, column {column}"),
                "unterminated quote: the quoted field that opens here never closes",
            ));
        }
        // A chunk that ends with a newline needs no end-of-input signal, so the thread's
        // decoder (and its buffers) carries on to the next chunk; the file's last bytes get
        // a fresh one.
        let decoded = if bytes.ends_with(b"\n") {
            self.spec
                .check_utf8(bytes)
                .and_then(|()| decode_records(decoder, bytes))
        } else {
            decode(&self.spec, bytes)
        };
        match decoded {
            Ok(batches) => Ok(Decoded {
                batches,
                bad: Vec::new(),
                skipped: 0,
                ends_clean: true,
            }),
            Err(_) => {
                *decoder = self.spec.decoder_for(self.data().len() + 1);
                Ok(self.bisect_chunk(start, end))
            }
        }
    }

    /// The start of the record that holds byte `at`, stepping record by record from
    /// `start` (a record boundary).
    fn record_start(&self, start: usize, at: usize) -> usize {
        let data = self.data();
        let mut record = start;
        loop {
            let next = self.dialect.next_boundary(data, record, record + 1);
            if next > at || next >= data.len() {
                return record;
            }
            record = next;
        }
    }

    /// A chunk that failed to decode, decoded again by halves of its records until every
    /// bad record is found (all of them with `skip_bad_rows`, else the first).
    fn bisect_chunk(&self, start: usize, end: usize) -> Decoded {
        let mut records = vec![start];
        let mut at = start;
        while at < end {
            at = self.dialect.next_boundary(self.data(), at, at + 1).min(end);
            records.push(at);
        }
        let mut out = Decoded {
            batches: Vec::new(),
            bad: Vec::new(),
            skipped: 0,
            ends_clean: true,
        };
        // Ranges of record indices, processed in file order.
        let mut stack = vec![(0, records.len() - 1)];
        while let Some((lo, hi)) = stack.pop() {
            let bytes = &self.data()[records[lo]..records[hi]];
            match decode(&self.spec, bytes) {
                Ok(batches) => out.batches.extend(batches),
                Err(e) if hi - lo == 1 => {
                    out.skipped += 1;
                    if out.bad.len() < EXAMPLES {
                        out.bad.push(self.bad_row(records[lo], bytes, e));
                    }
                    if !self.options.skip_bad_rows {
                        return out;
                    }
                }
                Err(_) => {
                    let mid = lo + (hi - lo) / 2;
                    stack.push((mid, hi));
                    stack.push((lo, mid));
                }
            }
        }
        out
    }

    /// Says what is wrong with the record at `at`.
    fn bad_row(&self, at: usize, record: &[u8], error: arrow_schema::ArrowError) -> BadRow {
        let (line, _) = self.line_column(at);
        let schema = &self.schema;
        let reason = if let Err(e) = std::str::from_utf8(record) {
            let (bad_line, column) = self.line_column(at + e.valid_up_to());
            let byte = self.start + at + e.valid_up_to();
            if bad_line == line {
                format!("invalid UTF-8 at column {column} (byte {byte})")
            } else {
                format!("invalid UTF-8 at line {bad_line}, column {column} (byte {byte})")
            }
        } else {
            let fields = self.dialect.count_fields(record);
            let expected = schema.fields().len();
            if fields != expected {
                format!("expected {expected} fields, found {fields}")
            } else {
                let given =
                    |name: &str| self.options.schema_overrides.iter().any(|(n, _)| n == name);
                describe_parse_error(&error.to_string(), schema, given)
            }
        };
        BadRow { line, reason }
    }
}

/// Rows per decoded batch; a chunk of a few MB fits in one or two.
const BATCH_ROWS: usize = 1 << 16;

/// Chunks of about 8 MB, and at least four per thread when the file is smaller; `given`
/// (when not 0) instead.
fn chunk_size(len: usize, given: usize) -> usize {
    if given > 0 {
        return given;
    }
    let threads = rayon::current_num_threads().max(1);
    (len / (threads * 4)).clamp(256 << 10, 8 << 20)
}

/// The settings of every chunk's decoder.
struct Spec {
    schema: SchemaRef,
    null_regex: Option<regex::Regex>,
    delimiter: u8,
    quote: u8,
    escape: Option<u8>,
    /// Whether a column has type Null (inferred when it has no values in the sample).
    /// arrow-csv checks UTF-8 in the columns it parses, which is all of them but those,
    /// so with such a column every chunk's bytes are checked by [`Spec::check_utf8`].
    unparsed_column: bool,
}

impl Spec {
    fn new(schema: SchemaRef, null_regex: Option<regex::Regex>, options: &CsvOptions) -> Spec {
        let unparsed_column = schema
            .fields()
            .iter()
            .any(|f| f.data_type() == &DataType::Null);
        Spec {
            schema,
            null_regex,
            delimiter: options.delimiter,
            quote: options.quote,
            escape: options.escape,
            unparsed_column,
        }
    }

    /// Makes invalid UTF-8 an error whatever the column types (see `unparsed_column`).
    fn check_utf8(&self, bytes: &[u8]) -> Result<(), arrow_schema::ArrowError> {
        if self.unparsed_column {
            if let Err(e) = std::str::from_utf8(bytes) {
                return Err(arrow_schema::ArrowError::CsvError(e.to_string()));
            }
        }
        Ok(())
    }

    /// A decoder for at most `rows` records per batch (capped at [`BATCH_ROWS`]): a small
    /// input does not allocate and zero buffers for a full batch.
    fn decoder_for(&self, rows: usize) -> arrow_csv::reader::Decoder {
        let mut builder = arrow_csv::ReaderBuilder::new(self.schema.clone())
            .with_header(false)
            .with_delimiter(self.delimiter)
            .with_quote(self.quote)
            .with_batch_size(rows.clamp(1, BATCH_ROWS));
        if let Some(e) = self.escape {
            builder = builder.with_escape(e);
        }
        if let Some(regex) = &self.null_regex {
            builder = builder.with_null_regex(regex.clone());
        }
        let mut decoder = builder.build_decoder();
        // csv-core drops a byte-order mark at the start of a fresh reader's input, and a
        // decoder may start at any chunk. The file's own mark is skipped before the data;
        // one that starts a later record is data. An empty line (which yields no record)
        // makes the reader no longer fresh.
        decoder.decode(b"\n").expect("an empty line always decodes");
        decoder
    }
}

/// Decodes whole records that end with a newline, leaving `decoder` ready for more.
fn decode_records(
    decoder: &mut arrow_csv::reader::Decoder,
    mut bytes: &[u8],
) -> Result<Vec<RecordBatch>, arrow_schema::ArrowError> {
    let mut batches = Vec::new();
    while !bytes.is_empty() {
        let n = decoder.decode(bytes)?;
        bytes = &bytes[n..];
        if decoder.capacity() == 0 {
            batches.extend(decoder.flush()?);
        } else if n == 0 {
            return Err(arrow_schema::ArrowError::CsvError(
                "the decoder stopped before the end of its input".into(),
            ));
        }
    }
    batches.extend(decoder.flush()?);
    Ok(batches)
}

/// Decodes `bytes` whole with a fresh decoder, whose batches are sized to the bytes (a
/// record takes at least one), so that decoding a few records, as bisection does many
/// times, does not allocate and zero buffers for a full batch.
fn decode(spec: &Spec, mut bytes: &[u8]) -> Result<Vec<RecordBatch>, arrow_schema::ArrowError> {
    spec.check_utf8(bytes)?;
    let mut decoder = spec.decoder_for(bytes.len() + 1);
    let mut batches = Vec::new();
    loop {
        let n = decoder.decode(bytes)?;
        bytes = &bytes[n..];
        if n == 0 || decoder.capacity() == 0 {
            match decoder.flush()? {
                Some(b) => batches.push(b),
                None if bytes.is_empty() => break,
                None => {}
            }
        }
    }
    Ok(batches)
}

/// arrow-csv's message for a value that does not parse, without its own (chunk-relative)
/// line number and with the column's name; `given` says whether the caller set the type.
fn describe_parse_error(message: &str, schema: &Schema, given: impl Fn(&str) -> bool) -> String {
    // "Parser error: Error while parsing value 'x' as type 'Int64' for column 2 at line 0. Row data: ..."
    let value = message
        .split_once("parsing value '")
        .and_then(|(_, rest)| rest.split_once("' as type '"))
        .and_then(|(value, rest)| Some((value, rest.split_once('\'')?.0)));
    let column = message
        .split_once(" for column ")
        .and_then(|(_, rest)| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|d| d.parse::<usize>().ok())
        .and_then(|i| schema.fields().get(i));
    match (value, column) {
        (Some((value, ty)), Some(field)) => {
            let origin = if given(field.name()) {
                "as given"
            } else {
                "as inferred from the first rows; give the column a type to read it otherwise"
            };
            format!(
                "column {:?}: {value:?} is not a valid {ty} ({origin})",
                field.name()
            )
        }
        _ => message.to_string(),
    }
}

/// The bytes that shape records: where fields and records end.
#[derive(Debug, Clone, Copy)]
struct Dialect {
    delimiter: u8,
    quote: u8,
    escape: Option<u8>,
}

/// Where a scan of whole records stopped.
enum Stop {
    /// At this byte, just after a newline outside quotes, at or past the target.
    Boundary(usize),
    /// The bytes ended; inside quotes opened at this byte, or outside (`None`).
    End(Option<usize>),
}

impl Dialect {
    /// Scans `data` from `start`, a record start, with csv-core's rules, and stops at the
    /// first record boundary at or past `target`. Counts delimiters outside quotes into
    /// `fields` when given.
    fn scan(
        &self,
        data: &[u8],
        start: usize,
        target: usize,
        mut fields: Option<&mut usize>,
    ) -> Stop {
        let q = self.quote;
        let mut i = start;
        loop {
            // Outside quotes: the next quote, newline or delimiter.
            // A scan to the end that counts nothing needs only the quotes.
            let rest = &data[i..];
            let hit = if fields.is_some() {
                memchr::memchr3(q, b'\n', self.delimiter, rest)
            } else if target == usize::MAX {
                memchr::memchr(q, rest)
            } else {
                memchr::memchr2(q, b'\n', rest)
            };
            let Some(p) = hit else {
                return Stop::End(None);
            };
            let at = i + p;
            let b = data[at];
            if b == b'\n' {
                if at + 1 >= target {
                    return Stop::Boundary(at + 1);
                }
                i = at + 1;
                continue;
            }
            if b == self.delimiter && b != q {
                if let Some(f) = fields.as_deref_mut() {
                    *f += 1;
                }
                i = at + 1;
                continue;
            }
            // A quote opens a field only at the field's start.
            let at_field_start = at == start
                || matches!(data[at - 1], b'\n' | b'\r')
                || data[at - 1] == self.delimiter;
            if !at_field_start {
                i = at + 1;
                continue;
            }
            // Inside quotes: until a quote that is not doubled (or escaped).
            let mut j = at + 1;
            loop {
                let rest = &data[j..];
                let hit = match self.escape {
                    Some(e) => memchr::memchr2(q, e, rest),
                    None => memchr::memchr(q, rest),
                };
                let Some(p) = hit else {
                    return Stop::End(Some(at));
                };
                let k = j + p;
                if data[k] != q {
                    j = k + 2; // the escape and the byte it escapes
                    if j > data.len() {
                        return Stop::End(Some(at));
                    }
                    continue;
                }
                if data.get(k + 1) == Some(&q) {
                    j = k + 2;
                    continue;
                }
                i = k + 1;
                break;
            }
        }
    }

    /// The first record boundary at or past `target`, scanning from `start` (a record
    /// start); the end of `data` if there is none.
    fn next_boundary(&self, data: &[u8], start: usize, target: usize) -> usize {
        match self.scan(data, start, target, None) {
            Stop::Boundary(b) => b,
            Stop::End(_) => data.len(),
        }
    }

    /// Where the quoted field that `data` (starting at a record start) ends inside opened,
    /// if it ends inside quotes.
    fn unterminated(&self, data: &[u8]) -> Option<usize> {
        match self.scan(data, 0, usize::MAX, None) {
            Stop::End(open) => open,
            Stop::Boundary(_) => None,
        }
    }

    /// The fields of one record.
    fn count_fields(&self, record: &[u8]) -> usize {
        let record = record.strip_suffix(b"\n").unwrap_or(record);
        let record = record.strip_suffix(b"\r").unwrap_or(record);
        let mut delimiters = 0;
        self.scan(record, 0, usize::MAX, Some(&mut delimiters));
        delimiters + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: Dialect = Dialect {
        delimiter: b',',
        quote: b'"',
        escape: None,
    };

    #[test]
    fn boundaries_skip_quoted_newlines() {
        let data = b"a,\"x\ny\",c\nd,e,f\n";
        assert_eq!(D.next_boundary(data, 0, 1), 10);
        assert_eq!(D.next_boundary(data, 10, 11), data.len());
        assert_eq!(D.unterminated(data), None);
        assert_eq!(D.unterminated(b"a,\"b\nc\n"), Some(2));
        // A quote inside an unquoted field is data; doubled quotes stay inside.
        assert_eq!(D.unterminated(b"5\" disk,x\n"), None);
        assert_eq!(D.unterminated(b"\"a\"\"b\",c\n"), None);
        let esc = Dialect {
            escape: Some(b'\\'),
            ..D
        };
        assert_eq!(esc.unterminated(b"\"a\\\"b\",c\n"), None);
        assert_eq!(D.count_fields(b"a,\"b,c\",d\r\n"), 3);
    }
}
