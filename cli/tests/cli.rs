//! The `spindle` command: outputs, exit statuses, one-line errors, no partial files.

#[path = "../../tests/common/mod.rs"]
mod common;

use std::process::{Command, Output};

use common::{fixture, scratch, write_sample};

fn spindle(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spindle"))
        .args(args)
        .env("SPINDLE_THREADS", "2")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn info_head_and_sql() {
    let dir = scratch("cli_ok");
    let path = write_sample(&dir, 2, 20);
    let p = path.to_str().unwrap();
    let info = spindle(&["info", p]);
    assert!(info.status.success(), "{}", stderr(&info));
    let text = stdout(&info);
    assert!(
        text.contains("mapped (zero-copy)")
            && text.contains("rows:    40")
            && text.contains("batches: 2"),
        "{text}"
    );
    assert!(
        text.contains("cat") && text.contains("Dictionary(Int32, Utf8)"),
        "{text}"
    );
    let read = spindle(&["info", fixture("pyarrow_lz4.arrow").to_str().unwrap()]);
    assert!(
        stdout(&read).contains("read (LZ4_FRAME compressed"),
        "{}",
        stdout(&read)
    );

    let head = spindle(&["head", p, "-n", "3"]);
    assert!(head.status.success());
    assert!(
        stdout(&head).contains("row 1 memory Data") && stdout(&head).ends_with("3 rows\n"),
        "{}",
        stdout(&head)
    );

    let q = format!("SELECT id, str_upper(text) AS u FROM '{p}' WHERE id < 3");
    let csv = spindle(&["sql", &q, "--format", "csv", "--timing", "--threads", "1"]);
    assert!(csv.status.success(), "{}", stderr(&csv));
    assert_eq!(
        stdout(&csv),
        "id,u\n0,STRASSE Σ0 ΟΔΟΣ\n1,ROW 1 MEMORY DATA\n2,ROW 2 MEMORY DATA\n"
    );
    let err = stderr(&csv);
    assert!(
        err.contains("open: ") && err.contains("query: ") && err.contains(" ms"),
        "{err}"
    );
    let json = spindle(&["sql", &q, "--format", "json"]);
    assert!(
        stdout(&json).starts_with("[{\"id\":0,\"u\":\"STRASSE Σ0 ΟΔΟΣ\"}"),
        "{}",
        stdout(&json)
    );
    let table = spindle(&["sql", &q]);
    assert!(
        stdout(&table).contains("│ u ") && stdout(&table).contains("3 rows"),
        "{}",
        stdout(&table)
    );

    let out = dir.join("result.arrow");
    let written = spindle(&["sql", &q, "--out", out.to_str().unwrap()]);
    assert!(written.status.success(), "{}", stderr(&written));
    let back = spindle::open(&out).unwrap();
    assert_eq!(back.num_rows(), 3);
    assert_eq!(*back.table().mode(), spindle::StorageMode::Mapped);
}

#[test]
fn errors_are_one_line_with_status_1_and_leave_no_file() {
    let dir = scratch("cli_err");
    let path = write_sample(&dir, 1, 5);
    let p = path.to_str().unwrap();
    let out = dir.join("out.csv");
    let cases = [
        vec![
            "info".to_string(),
            dir.join("missing.arrow").display().to_string(),
        ],
        vec![
            "info".to_string(),
            fixture("make_fixtures.py").display().to_string(),
        ],
        vec![
            "head".to_string(),
            fixture("invalid_utf8.arrow").display().to_string(),
        ],
        vec![
            "sql".to_string(),
            format!("SELECT nope FROM '{p}'"),
            "--out".into(),
            out.display().to_string(),
        ],
        vec![
            "sql".to_string(),
            format!("SELECT lower(id) FROM '{p}'"),
            "--out".into(),
            out.display().to_string(),
        ],
        vec![
            "sql".to_string(),
            format!("SELECT str_repeat(text, 4000000000) FROM '{p}'"),
            "--out".into(),
            out.display().to_string(),
        ],
        vec![
            "sql".to_string(),
            format!("SELECT str_contains(text, '(') FROM '{p}'"),
            "--out".into(),
            out.display().to_string(),
        ],
        vec![
            "sql".to_string(),
            "SELEC".into(),
            "--out".into(),
            out.display().to_string(),
        ],
        vec![
            "sql".to_string(),
            format!(
                "SELECT s FROM '{}'",
                fixture("invalid_utf8.arrow").display()
            ),
            "--out".into(),
            out.display().to_string(),
        ],
    ];
    for args in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = spindle(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.starts_with("error: ") && err.lines().count() == 1,
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
        assert!(!out.exists(), "{args:?} left {}", out.display());
    }
    let leftovers = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(leftovers, 1, "only the sample file remains");
    let usage = spindle(&["sql"]);
    assert_eq!(usage.status.code(), Some(2));
    let usage = spindle(&["frobnicate"]);
    assert_eq!(usage.status.code(), Some(2));
    for command in ["info", "head", "sql", "gen", "demo"] {
        let help = spindle(&[command, "--help"]);
        assert!(
            help.status.success() && stdout(&help).contains("Usage: spindle"),
            "{command}"
        );
    }
}

/// Relational SQL through the command line: a group-by answered, and a join that would
/// outgrow memory, an ambiguous column and unknown columns refused with exit status 1 and
/// no output file.
#[test]
fn relational_sql_and_its_errors() {
    let dir = scratch("cli_rel");
    let data = dir.join("keys.arrow");
    let d = data.to_str().unwrap();
    let gen = spindle(&["gen", "--kind", "keys", "--rows", "20000", "--out", d]);
    assert!(gen.status.success(), "{}", stderr(&gen));
    let ok = spindle(&[
        "sql",
        &format!(
            "SELECT id1, count(*) AS n FROM '{d}' GROUP BY id1 HAVING n > 0 \
             ORDER BY n DESC, id1 LIMIT 3"
        ),
        "--format",
        "csv",
    ]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert_eq!(stdout(&ok).lines().count(), 4, "{}", stdout(&ok));
    let out = dir.join("out.arrow");
    let o = out.to_str().unwrap();
    let cases = [
        // 20,000 rows in 100 levels joined to themselves: 4 million rows, over 1 MiB.
        format!("SELECT * FROM '{d}' a JOIN '{d}' b ON a.id1 = b.id1"),
        format!("SELECT id1 FROM '{d}' a JOIN '{d}' b ON a.id1 = b.id1"),
        format!("SELECT count(*) FROM '{d}' GROUP BY nope"),
        format!("SELECT count(*) FROM '{d}' a JOIN '{d}' b ON a.id1 = b.nope"),
        format!("SELECT sum(id1) FROM '{d}'"),
        format!("SELECT id4, count(*) FROM '{d}' GROUP BY id1"),
    ];
    let expected = [
        "memory available",
        "column reference \"id1\" is ambiguous; qualify it: a.id1 or b.id1",
        "column \"nope\" not found",
        "column \"nope\" not found",
        "sum(id1)",
        "must appear in GROUP BY",
    ];
    for (q, want) in cases.iter().zip(expected) {
        let o = Command::new(env!("CARGO_BIN_EXE_spindle"))
            .args(["sql", q, "--out", o])
            .env("SPINDLE_MEMORY_LIMIT", "1M")
            .output()
            .unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{q}: {err}");
        assert!(err.contains(want) && err.lines().count() == 1, "{q}: {err}");
        assert!(!out.exists(), "{q} left a file");
    }
}

#[test]
fn gen_and_demo_run() {
    let dir = scratch("cli_demo");
    let file = dir.join("text.arrow");
    let gen = spindle(&[
        "gen",
        "--kind",
        "text",
        "--rows",
        "30000",
        "--batch-rows",
        "10000",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert!(gen.status.success(), "{}", stderr(&gen));
    let frame = spindle::open(&file).unwrap();
    assert_eq!(frame.table().batch_rows(), &[10_000, 10_000, 10_000]);
    let vaex = dir.join("vaex.arrow");
    assert!(spindle(&[
        "gen",
        "--kind",
        "vaex",
        "--rows",
        "1000",
        "--out",
        vaex.to_str().unwrap()
    ])
    .status
    .success());
    let demo = spindle(&["demo", "--file", file.to_str().unwrap(), "--runs", "1"]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    let text = stdout(&demo);
    for title in [
        "lower (Python's full mapping)",
        "literal contains",
        "regex contains",
        "speed-up",
    ] {
        assert!(text.contains(title), "{text}");
    }
}

#[test]
fn explain_prints_the_plans() {
    let dir = scratch("cli_explain");
    let path = write_sample(&dir, 2, 20);
    let q = format!(
        "SELECT str_upper(text) AS u FROM '{}' WHERE id < 30 ORDER BY u LIMIT 3",
        path.display()
    );
    let o = spindle(&["sql", "--explain", &q]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for section in ["logical_plan:", "optimized_logical_plan:", "physical_plan:"] {
        assert!(text.contains(section), "{text}");
    }
    assert!(text.contains("TopK: k=3, u ASC NULLS LAST"), "{text}");
    assert!(text.contains("columns read [text, id]"), "{text}");
    // --analyze runs it and counts rows; it needs --explain.
    let o = spindle(&["sql", "--explain", "--analyze", &q]);
    assert!(stdout(&o).contains("total: 3 rows in "), "{}", stdout(&o));
    let o = spindle(&["sql", "--analyze", &q]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // EXPLAIN as SQL prints the same sections as text.
    let o = spindle(&["sql", &format!("EXPLAIN {q}")]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("logical_plan:\nLimit: offset=0, len=3\n"),
        "{}",
        stdout(&o)
    );
    // As CSV, its rows.
    let o = spindle(&["sql", &format!("EXPLAIN {q}"), "--format", "csv"]);
    assert!(
        stdout(&o).starts_with("explain_key,explain_value\n"),
        "{}",
        stdout(&o)
    );
}
