//! CSV and Parquet in, Arrow IPC, Parquet and CSV out: values against the rows that made
//! the file, every bad input with its location, atomic writes, and a SIGKILL mid-write.
//! (Interop with pyarrow, polars and duckdb is tests/interop/interop.py, run by .ci/run.)

#[path = "../../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use common::scratch;
use spindle::{Compression, CsvOptions, FileFormat, Runtime, WriteOptions};

fn spindle_cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spindle"))
        .args(args)
        .output()
        .expect("run spindle")
}

/// Row `i` of the CSV test data: an id, a text that needs quoting (commas, quotes,
/// newlines, non-ASCII) or is null, and a float that is null every 9th row.
fn row(i: usize) -> (i64, Option<String>, Option<f64>) {
    let text = match i % 6 {
        0 => Some(format!("plain {i}")),
        1 => Some(format!("comma, {i}")),
        2 => Some(format!("say \"hi\" {i}")),
        3 => Some(format!("two\nlines {i}")),
        4 => Some(format!("Straße Σ{i}")),
        _ => None,
    };
    (i as i64, text, (i % 9 != 4).then_some(i as f64 * 0.25))
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Writes `n` rows as CSV with a header.
fn write_csv(path: &Path, n: usize) {
    let mut out = String::from("id,text,value\n");
    for i in 0..n {
        let (id, text, value) = row(i);
        out.push_str(&format!(
            "{id},{},{}\n",
            text.as_deref().map(quote).unwrap_or_default(),
            value.map(|v| v.to_string()).unwrap_or_default()
        ));
    }
    std::fs::write(path, out).unwrap();
}

/// The frame's rows as (id, text, value).
fn rows(batches: &[RecordBatch]) -> Vec<(i64, Option<String>, Option<f64>)> {
    let mut out = Vec::new();
    for b in batches {
        let ids = b.column(0).as_primitive::<Int64Type>();
        let texts = arrow_cast::cast(b.column(1), &DataType::Utf8).unwrap();
        let texts = texts.as_string::<i32>();
        let values = b
            .column(2)
            .as_primitive::<arrow_array::types::Float64Type>();
        for r in 0..b.num_rows() {
            out.push((
                ids.value(r),
                texts.is_valid(r).then(|| texts.value(r).to_string()),
                values.is_valid(r).then(|| values.value(r)),
            ));
        }
    }
    out
}

fn read(path: &Path, options: &CsvOptions, threads: usize) -> spindle::Result<Vec<RecordBatch>> {
    Runtime::new(threads)?.install(|| spindle::read_csv(path, options)?.to_batches())
}

#[test]
fn parallel_csv_equals_the_rows_on_any_thread_count() {
    let dir = scratch("ingest_parallel");
    let path = dir.join("data.csv");
    // About 3 MB: a dozen chunks, with quoted newlines across the cuts.
    let n = 90_000;
    write_csv(&path, n);
    let expected: Vec<_> = (0..n).map(row).collect();
    for threads in [1, 2, 4] {
        let seen = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let options = CsvOptions {
            progress: Some({
                let seen = seen.clone();
                std::sync::Arc::new(move |done, total| {
                    assert!(done <= total);
                    seen.fetch_max(done, std::sync::atomic::Ordering::Relaxed);
                })
            }),
            ..CsvOptions::default()
        };
        let batches = read(&path, &options, threads).unwrap();
        let body = std::fs::metadata(&path).unwrap().len() - "id,text,value\n".len() as u64;
        assert_eq!(
            seen.load(std::sync::atomic::Ordering::Relaxed),
            body,
            "progress reaches the end"
        );
        assert!(batches.len() >= 4, "{} batches", batches.len());
        let schema = batches[0].schema();
        assert_eq!(schema.field(0).data_type(), &DataType::Int64);
        assert_eq!(schema.field(1).data_type(), &DataType::Utf8);
        assert_eq!(schema.field(2).data_type(), &DataType::Float64);
        assert_eq!(rows(&batches), expected, "{threads} threads");
    }
}

#[test]
fn quotes_inside_unquoted_fields_and_escapes_still_split_right() {
    let dir = scratch("ingest_quotes");
    // A bare quote inside an unquoted field flips the parity guess; the exact scan fixes
    // the cuts.
    let path = dir.join("inch.csv");
    let mut out = String::from("id,text,value\n");
    let mut expected = Vec::new();
    for i in 0..60_000usize {
        let text = match i % 1000 {
            7 => format!("{i}\" disk"),
            _ if i % 3 == 0 => format!("a\nb {i}"),
            _ => format!("t{i}"),
        };
        let field = if i % 1000 == 7 {
            text.clone()
        } else {
            quote(&text)
        };
        out.push_str(&format!("{i},{field},{i}.5\n"));
        expected.push((i as i64, Some(text), Some(i as f64 + 0.5)));
    }
    std::fs::write(&path, out).unwrap();
    let got = rows(&read(&path, &CsvOptions::default(), 2).unwrap());
    assert_eq!(got.len(), expected.len());
    assert_eq!(got, expected);

    // A backslash escape inside quotes, a semicolon delimiter, NA as null, no header.
    let path = dir.join("escape.csv");
    std::fs::write(
        &path,
        "1;\"a \\\"q\\\" b\";NA\n2;NA;2.5\n3;\"x;y\";3\n4;;\n",
    )
    .unwrap();
    let options = CsvOptions {
        header: false,
        delimiter: b';',
        escape: Some(b'\\'),
        null_values: vec!["NA".into(), String::new()],
        schema_overrides: vec![("column_3".into(), DataType::Float64)],
        ..CsvOptions::default()
    };
    let batches = read(&path, &options, 2).unwrap();
    assert_eq!(batches[0].schema().field(0).name(), "column_1");
    assert_eq!(
        rows(&batches),
        vec![
            (1, Some("a \"q\" b".to_string()), None),
            (2, None, Some(2.5)),
            (3, Some("x;y".to_string()), Some(3.0)),
            (4, None, None),
        ]
    );
}

/// Writes `content` to `name` in `dir`, converts it to Arrow with `args`, and returns the
/// error line; checks the exit status and that nothing is at the target.
fn convert_fails(dir: &Path, name: &str, content: &[u8], args: &[&str]) -> String {
    let input = dir.join(name);
    std::fs::write(&input, content).unwrap();
    let out = dir.join(format!("{name}.arrow"));
    let mut all = vec!["convert", input.to_str().unwrap(), out.to_str().unwrap()];
    all.extend(args);
    let o = spindle_cli(&all);
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(1), "{name}: {err}");
    assert_eq!(err.lines().count(), 1, "{name}: {err}");
    assert!(!out.exists(), "{name}: output left behind");
    err
}

#[test]
fn bad_csv_is_an_error_with_its_line_and_leaves_nothing() {
    let dir = scratch("ingest_bad_csv");
    let err = convert_fails(&dir, "ragged.csv", b"a,b\n1,2\n3,4,5\n6,7\n", &[]);
    assert!(
        err.contains("ragged.csv: CSV line 3: expected 2 fields, found 3"),
        "{err}"
    );
    let err = convert_fails(&dir, "unterminated.csv", b"a,b\n1,\"x\n2,y\n", &[]);
    assert!(
        err.contains("line 2, column 3: unterminated quote"),
        "{err}"
    );
    let err = convert_fails(&dir, "utf8.csv", b"a,b\n1,ok\n2,b\xffd\n", &[]);
    assert!(
        err.contains("CSV line 3: invalid UTF-8 at column 4 (byte 12)"),
        "{err}"
    );
    // A number column with text in it: given as a number, and inferred from rows before
    // the text (one row of inference here).
    let err = convert_fails(
        &dir,
        "given.csv",
        b"a,b\n1,x\n2,y\nthree,z\n",
        &["--schema", "a:int64"],
    );
    assert!(
        err.contains("line 4: column \"a\": \"three\" is not a valid Int64 (as given)"),
        "{err}"
    );
    let err = convert_fails(
        &dir,
        "inferred.csv",
        b"a,b\n1,x\n2,y\nthree,z\n",
        &["--infer-rows", "1"],
    );
    assert!(
        err.contains("line 4: column \"a\": \"three\" is not a valid Int64 (as inferred"),
        "{err}"
    );
    // Options that are wrong.
    let err = convert_fails(&dir, "opts.csv", b"a,b\n1,2\n", &["--schema", "c:int64"]);
    assert!(err.contains("column \"c\" not found"), "{err}");
    let err = convert_fails(&dir, "type.csv", b"a,b\n1,2\n", &["--schema", "a:integr"]);
    assert!(err.contains("unknown type \"integr\""), "{err}");
    let err = convert_fails(&dir, "delim.csv", b"a,b\n1,2\n", &["--delimiter", ";;"]);
    assert!(err.contains("--delimiter"), "{err}");
    let err = convert_fails(&dir, "empty.csv", b"", &[]);
    assert!(err.contains("no columns"), "{err}");
}

#[test]
fn skip_bad_rows_counts_and_reports_them() {
    let dir = scratch("ingest_skip");
    let path = dir.join("mixed.csv");
    let mut content = b"a,b\n".to_vec();
    for i in 0..40_000 {
        match i % 10_000 {
            17 => content.extend(format!("{i},x,extra\n").as_bytes()),
            18 => content.extend(format!("oops,{i}\n").as_bytes()),
            19 => {
                content.extend(format!("{i},").as_bytes());
                content.extend(b"\xff\n");
            }
            _ => content.extend(format!("{i},t{i}\n").as_bytes()),
        }
    }
    std::fs::write(&path, &content).unwrap();
    let typed = vec![("a".to_string(), DataType::Int64)];
    let options = CsvOptions {
        skip_bad_rows: true,
        schema_overrides: typed.clone(),
        ..CsvOptions::default()
    };
    let (frame, report) = Runtime::new(2)
        .unwrap()
        .install(|| spindle::read_csv_with_report(&path, &options))
        .unwrap();
    assert_eq!(report.skipped, 12, "{report:?}");
    assert_eq!(report.rows, 40_000 - 12);
    assert_eq!(frame.num_rows(), 40_000 - 12);
    assert_eq!(report.examples.len(), 5);
    assert_eq!(report.examples[0].line, 19);
    assert_eq!(report.examples[0].reason, "expected 2 fields, found 3");
    assert_eq!(report.examples[1].line, 20);
    assert!(report.examples[1]
        .reason
        .contains("\"oops\" is not a valid Int64"));
    assert_eq!(report.examples[2].line, 21);
    assert!(report.examples[2].reason.starts_with("invalid UTF-8"));
    // Without the option, the first of them is the error.
    let strict = CsvOptions {
        schema_overrides: typed,
        ..CsvOptions::default()
    };
    let err = spindle::read_csv(&path, &strict).unwrap_err();
    assert!(
        err.to_string()
            .contains("line 19: expected 2 fields, found 3"),
        "{err}"
    );
    // The CLI reports the count.
    let out = dir.join("mixed.arrow");
    let o = spindle_cli(&[
        "convert",
        path.to_str().unwrap(),
        out.to_str().unwrap(),
        "--skip-bad-rows",
        "--schema",
        "a:int64",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("skipped 12 bad rows:"), "{err}");
    assert!(err.contains("line 19: expected 2 fields, found 3"), "{err}");
    assert_eq!(spindle::open(&out).unwrap().num_rows(), 40_000 - 12);
}

/// Every column type the engine reads, in several batches.
fn sample_frame(dir: &Path) -> (PathBuf, spindle::DataFrame) {
    let path = common::write_sample(dir, 3, 1000);
    let frame = spindle::open(&path).unwrap();
    (path, frame)
}

fn all_rows(frame: &spindle::DataFrame) -> Vec<Vec<String>> {
    use arrow_cast::display::{ArrayFormatter, FormatOptions};
    let options = FormatOptions::new().with_null("∅");
    let mut out = Vec::new();
    for b in frame.to_batches().unwrap() {
        let formatters: Vec<_> = b
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options).unwrap())
            .collect();
        for r in 0..b.num_rows() {
            out.push(formatters.iter().map(|f| f.value(r).to_string()).collect());
        }
    }
    out
}

#[test]
fn parquet_and_ipc_round_trips_keep_values_and_types() {
    let dir = scratch("ingest_roundtrip");
    let (_, frame) = sample_frame(&dir);
    let expected = all_rows(&frame);
    let schema = frame.schema();
    for (name, compression) in [
        ("snappy.parquet", None),
        ("zstd.parquet", Some(Compression::Zstd)),
        ("lz4.parquet", Some(Compression::Lz4)),
        ("none.parquet", Some(Compression::None)),
        ("lz4.arrow", Some(Compression::Lz4)),
        ("zstd.arrow", Some(Compression::Zstd)),
    ] {
        let path = dir.join(name);
        let options = WriteOptions {
            compression,
            ..WriteOptions::default()
        };
        frame.write(&path, &options).unwrap();
        let back = spindle::open(&path).unwrap();
        for (got, want) in back.schema().fields().iter().zip(schema.fields()) {
            assert_eq!(got.data_type(), want.data_type(), "{name}: {}", want.name());
        }
        assert_eq!(all_rows(&back), expected, "{name}");
        assert!(
            matches!(back.table().mode(), spindle::StorageMode::Decoded(_)),
            "{name}"
        );
        // Parquet: a query decodes only the columns it reads.
        if name.ends_with(".parquet") {
            let back = spindle::open(&path).unwrap();
            let n = back
                .lazy()
                .filter(spindle::col("flag").is_not_null())
                .select([spindle::len()])
                .collect()
                .unwrap()
                .num_rows();
            assert_eq!(n, 1);
            let decoded: Vec<bool> = (0..7).map(|c| back.table().is_decoded(c)).collect();
            assert_eq!(
                decoded,
                [false, false, false, false, false, false, true],
                "{name}"
            );
        }
    }
    // Small row groups that cut across batches, and nested columns (a struct has three
    // leaf columns, each encoded by its own writer).
    let nested = spindle::sql(&format!(
        "SELECT id, str_partition(text, ' ') AS parts, str_split(text, ' ') AS words, \"view\" FROM '{}'",
        dir.join("lz4.arrow").display()
    ))
    .unwrap();
    let path = dir.join("groups.parquet");
    let options = WriteOptions {
        row_group_rows: 700,
        ..WriteOptions::default()
    };
    nested.write(&path, &options).unwrap();
    let back = spindle::open(&path).unwrap();
    assert_eq!(back.table().batch_rows(), &[700, 700, 700, 700, 200]);
    assert_eq!(back.schema().fields(), nested.schema().fields());
    assert_eq!(all_rows(&back), all_rows(&nested));
    // Views can be written as plain strings; everything else keeps its type.
    let path = dir.join("plain.arrow");
    let options = WriteOptions {
        plain_strings: true,
        ..WriteOptions::default()
    };
    frame.write(&path, &options).unwrap();
    let back = spindle::open(&path).unwrap();
    assert_eq!(back.schema().field(3).data_type(), &DataType::Utf8);
    assert_eq!(back.schema().field(2).data_type(), &DataType::LargeUtf8);
    assert_eq!(all_rows(&back), expected);
    assert_eq!(*back.table().mode(), spindle::StorageMode::Mapped);
    // Errors: snappy is not an IPC codec; CSV cannot hold a list; an unknown extension.
    let options = WriteOptions {
        compression: Some(Compression::Snappy),
        ..WriteOptions::default()
    };
    let err = frame.write(dir.join("x.arrow"), &options).unwrap_err();
    assert!(err.to_string().contains("lz4 or zstd"), "{err}");
    assert!(!dir.join("x.arrow").exists());
    let err = frame
        .write(dir.join("x.xlsx"), &WriteOptions::default())
        .unwrap_err();
    assert!(err.to_string().contains("extension"), "{err}");
    let lists = spindle::sql(&format!(
        "SELECT str_split(text, ' ') AS parts FROM '{}'",
        dir.join("plain.arrow").display()
    ))
    .unwrap();
    let err = lists
        .write(dir.join("lists.csv"), &WriteOptions::default())
        .unwrap_err();
    assert!(err.to_string().contains("CSV column \"parts\""), "{err}");
    assert!(!dir.join("lists.csv").exists());
    let _ = FileFormat::Csv;
}

#[test]
fn csv_ipc_parquet_ipc_round_trip_is_lossless() {
    let dir = scratch("ingest_chain");
    let csv = dir.join("data.csv");
    write_csv(&csv, 5000);
    let first = spindle::read_csv(&csv, &CsvOptions::default()).unwrap();
    let expected = all_rows(&first);
    first
        .write(dir.join("a.arrow"), &WriteOptions::default())
        .unwrap();
    spindle::open(dir.join("a.arrow"))
        .unwrap()
        .write(dir.join("b.parquet"), &WriteOptions::default())
        .unwrap();
    spindle::open(dir.join("b.parquet"))
        .unwrap()
        .write(dir.join("c.arrow"), &WriteOptions::default())
        .unwrap();
    let last = spindle::open(dir.join("c.arrow")).unwrap();
    assert_eq!(last.schema(), first.schema());
    assert_eq!(all_rows(&last), expected);
    // And back out as CSV, which reads in as the same frame.
    last.write(dir.join("d.csv"), &WriteOptions::default())
        .unwrap();
    let again = spindle::read_csv(dir.join("d.csv"), &CsvOptions::default()).unwrap();
    assert_eq!(all_rows(&again), expected);
}

#[test]
fn bad_parquet_is_an_error_and_leaves_nothing() {
    let dir = scratch("ingest_bad_parquet");
    let (_, frame) = sample_frame(&dir);
    let good = dir.join("good.parquet");
    frame.write(&good, &WriteOptions::default()).unwrap();
    let bytes = std::fs::read(&good).unwrap();
    let out = dir.join("out.arrow");
    for cut in [bytes.len() / 2, bytes.len() - 1, 10] {
        let truncated = dir.join(format!("cut{cut}.parquet"));
        std::fs::write(&truncated, &bytes[..cut]).unwrap();
        let o = spindle_cli(&[
            "convert",
            truncated.to_str().unwrap(),
            out.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(
            err.contains("Parquet") && err.contains("truncated"),
            "{err}"
        );
        assert!(!out.exists());
    }
    // A footer that is intact over damaged data pages: the error names column and row group.
    let mut damaged = bytes.clone();
    for b in &mut damaged[4..bytes.len() / 3] {
        *b = 0x5a;
    }
    let path = dir.join("damaged.parquet");
    std::fs::write(&path, &damaged).unwrap();
    let o = spindle_cli(&["convert", path.to_str().unwrap(), out.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("row group 0"), "{err}");
    assert!(!out.exists());
    // A type spindle does not read (made by tests/interop/make_fixtures.py).
    let o = spindle_cli(&[
        "convert",
        common::fixture("unsupported_type.parquet")
            .to_str()
            .unwrap(),
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("unsupported_type.parquet: Parquet"), "{err}");
    assert!(!out.exists());
}

#[test]
fn writing_over_a_mapped_file_is_refused_and_an_existing_file_survives_errors() {
    let dir = scratch("ingest_mapped");
    let (path, frame) = sample_frame(&dir);
    let before = std::fs::read(&path).unwrap();
    let err = frame.write_ipc(&path).unwrap_err();
    assert!(
        err.to_string().contains("this process has it mapped"),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    // A failing write (CSV cannot hold a list) over an existing file leaves it as it was.
    let target = dir.join("keep.csv");
    std::fs::write(&target, "old\n").unwrap();
    let lists = spindle::sql(&format!(
        "SELECT str_split(text, ' ') AS parts FROM '{}'",
        path.display()
    ))
    .unwrap();
    assert!(lists.write(&target, &WriteOptions::default()).is_err());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "old\n");
    // Once the frames over the file are gone (a query result may hold slices of the
    // mapping too), it can be replaced.
    let smaller = common::batch(0, 3);
    let smaller = spindle::DataFrame::from_batches(smaller.schema(), vec![smaller]).unwrap();
    drop(frame);
    drop(lists);
    smaller.write_ipc(&path).unwrap();
    assert_eq!(spindle::open(&path).unwrap().num_rows(), 3);
    // The CLI says so too.
    let o = spindle_cli(&[
        "sql",
        &format!("SELECT * FROM '{}'", path.display()),
        "--out",
        path.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("this process has it mapped"));
    assert_eq!(temp_files(&dir), 0);
}

/// The writers' temporary files in `dir`.
fn temp_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .count()
}

#[test]
fn sql_reads_every_format_and_writes_any_of_them() {
    let dir = scratch("ingest_sql");
    let csv = dir.join("data.csv");
    write_csv(&csv, 3000);
    let parquet = dir.join("data.parquet");
    let q = |from: &Path| {
        format!(
            "SELECT count(*) AS n, sum(value) AS s FROM '{}' WHERE text LIKE '%lines%'",
            from.display()
        )
    };
    let o = spindle_cli(&[
        "sql",
        &format!("SELECT * FROM '{}'", csv.display()),
        "--out",
        parquet.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut answers = Vec::new();
    for from in [&csv, &parquet] {
        let o = spindle_cli(&["sql", &q(from), "--format", "csv"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        answers.push(String::from_utf8_lossy(&o.stdout).to_string());
    }
    assert_eq!(answers[0], answers[1]);
    assert!(answers[0].starts_with("n,s\n500,"), "{}", answers[0]);
    // DuckDB's table functions, with its option names.
    let semi = dir.join("semi.txt");
    std::fs::write(&semi, "a;b;c\n1;x y;NA\n2;;3.5\n3;\"q;r\";4\n").unwrap();
    let query = format!(
        "SELECT a, b, c FROM read_csv('{}', delim = ';', nullstr = 'NA', types = {{'c': 'DOUBLE'}}) ORDER BY a",
        semi.display()
    );
    let o = spindle_cli(&["sql", &query, "--format", "csv"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "a,b,c\n1,x y,\n2,,3.5\n3,q;r,4.0\n"
    );
    let query = format!(
        "SELECT count(*) AS n FROM read_parquet('{}') p WHERE p.text IS NOT NULL",
        parquet.display()
    );
    let o = spindle_cli(&["sql", &query, "--format", "csv"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout), "n\n2500\n");
    for (bad, message) in [
        (
            "SELECT * FROM read_csv('{}', delimx = ';')",
            "read_csv has no option delimx",
        ),
        (
            "SELECT * FROM read_csv('{}', delim = ';;')",
            "one ASCII character",
        ),
        (
            "SELECT * FROM read_csv('{}', header = 'yes')",
            "true or false",
        ),
        (
            "SELECT * FROM read_json('{}')",
            "unknown table function read_json",
        ),
    ] {
        let o = spindle_cli(&["sql", &bad.replace("{}", semi.to_str().unwrap())]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{bad}");
        assert!(err.contains(message), "{bad}: {err}");
    }
    // Parquet to stdout, piped.
    let o = spindle_cli(&["sql", &q(&parquet), "--format", "parquet"]);
    assert!(o.status.success());
    assert!(o.stdout.starts_with(b"PAR1") && o.stdout.ends_with(b"PAR1"));
}

/// Kills a convert of a large CSV at several moments; the target holds nothing or the
/// previous complete file, never a part, and the next write clears the killed runs'
/// temporary files.
#[test]
fn sigkill_mid_convert_leaves_the_old_file_or_nothing() {
    let dir = scratch("ingest_kill");
    let csv = dir.join("big.csv");
    write_csv(&csv, 600_000);
    let target = dir.join("out.arrow");
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_spindle"))
            .args([
                "convert",
                csv.to_str().unwrap(),
                target.to_str().unwrap(),
                "--threads",
                "2",
            ])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    // A whole run: its file, and its time to spread the kills over.
    let started = std::time::Instant::now();
    assert!(run().wait().unwrap().success());
    let whole = started.elapsed();
    let complete = std::fs::read(&target).unwrap();
    assert_eq!(spindle::open(&target).unwrap().num_rows(), 600_000);
    // An older, different file at the target.
    let small = dir.join("small.csv");
    write_csv(&small, 10);
    let o = spindle_cli(&["convert", small.to_str().unwrap(), target.to_str().unwrap()]);
    assert!(o.status.success());
    let previous = std::fs::read(&target).unwrap();
    let fractions = [0.05, 0.3, 0.6, 0.85, 0.95];
    let mut mid_write = 0;
    for (i, fraction) in fractions.iter().enumerate() {
        // Without a previous file for the first kills, over the older one for the rest.
        let before = if i < 2 {
            let _ = std::fs::remove_file(&target);
            None
        } else {
            std::fs::write(&target, &previous).unwrap();
            Some(&previous)
        };
        let mut child = run();
        std::thread::sleep(whole.mul_f64(*fraction));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // Each run removes the temporary files of the runs killed before it, so one left
        // now means this run died while writing.
        if temp_files(&dir) > 0 {
            mid_write += 1;
        }
        match (std::fs::read(&target), before) {
            (Err(e), None) => assert_eq!(e.kind(), std::io::ErrorKind::NotFound, "kill {i}"),
            (Ok(bytes), Some(old)) if bytes == *old => {}
            (Ok(bytes), _) => assert!(bytes == complete, "kill {i}: a partial or foreign file"),
            (Err(e), Some(_)) => panic!("kill {i}: the previous file is gone: {e}"),
        }
    }
    assert!(
        mid_write >= 1,
        "no kill landed while the file was being written"
    );
    // The next write removes what the killed runs left.
    assert!(run().wait().unwrap().success());
    assert_eq!(temp_files(&dir), 0);
}
