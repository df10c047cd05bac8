//! The corruption suite: from valid files of every layout spindle reads (plain, LZ4 and
//! ZSTD Arrow IPC files, string, large string, string view, dictionary and nested
//! columns, pyarrow's files and stream, Parquet), derive damaged files and open and query
//! each one. A damaged file gives a clear error that names the file, or, where only
//! values are damaged, valid output; never a panic or a hang (every case runs under a
//! deadline).
//!
//! The IPC files are taken apart with their own metadata, so that the damage lands where
//! it is meant to: truncations at every section boundary (magic, each message, each
//! buffer, the footer, the trailer) and at random points; byte flips in the footer's
//! schema and block list, the message headers, and the validity, offset, key and data
//! buffers; block and buffer lengths and offsets that point past the end; invalid UTF-8;
//! dictionary keys out of range; offsets out of order.

mod common;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::{ArrayRef, Int32Array, RecordBatch, StringArray, StructArray};
use arrow_ipc::MessageHeader;
use arrow_schema::{DataType, Field, Schema};
use common::exercise::exercise;
use common::{batch, fixture, scratch};
use spindle::{Compression, DataFrame, WriteOptions};

/// A small deterministic generator (xorshift), so every run damages the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A part of a file, by what it holds.
#[derive(Debug, Clone)]
struct Region {
    kind: &'static str,
    range: Range<usize>,
}

/// A valid file and its parts.
struct Source {
    name: String,
    bytes: Vec<u8>,
    ext: &'static str,
    regions: Vec<Region>,
    /// Where a length or offset sits, with the size it must stay within.
    lengths: Vec<(usize, &'static str)>,
    /// IPC files must fail when truncated; a stream cut at a message boundary is a
    /// shorter valid stream.
    truncation_fails: bool,
    uncompressed: bool,
}

/// What must come of a damaged file.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// An error or valid output, never a panic or a hang.
    NoCrash,
    /// An error, at open or when the damaged column is read.
    Error,
}

/// The buffer kinds of one field, in IPC order (`views` takes its variadic data buffers
/// from `variadic`).
fn buffer_kinds(
    data_type: &DataType,
    variadic: &mut impl Iterator<Item = i64>,
    out: &mut Vec<&'static str>,
) {
    match data_type {
        DataType::Null => {}
        DataType::Utf8 | DataType::LargeUtf8 => out.extend(["validity", "offsets", "utf8"]),
        DataType::Binary | DataType::LargeBinary => out.extend(["validity", "offsets", "data"]),
        DataType::Utf8View | DataType::BinaryView => {
            out.extend(["validity", "views"]);
            let n = variadic.next().unwrap_or(0);
            out.extend((0..n).map(|_| "utf8"));
        }
        DataType::Dictionary(_, _) => out.extend(["validity", "keys"]),
        DataType::List(f) | DataType::LargeList(f) => {
            out.extend(["validity", "offsets"]);
            buffer_kinds(f.data_type(), variadic, out);
        }
        DataType::Struct(fields) => {
            out.push("validity");
            for f in fields {
                buffer_kinds(f.data_type(), variadic, out);
            }
        }
        _ => out.extend(["validity", "data"]),
    }
}

fn dictionary_value_type(fields: &[Arc<Field>], id: i64) -> Option<DataType> {
    fields.iter().find_map(|f| match f.data_type() {
        #[allow(deprecated)] // IPC still keys dictionaries by the field's id
        DataType::Dictionary(_, v) if f.dict_id() == Some(id) => Some((**v).clone()),
        DataType::Struct(children) => dictionary_value_type(children, id),
        DataType::List(child) | DataType::LargeList(child) => {
            dictionary_value_type(std::slice::from_ref(child), id)
        }
        _ => None,
    })
}

fn offset_in(whole: &[u8], part: &[u8]) -> usize {
    part.as_ptr() as usize - whole.as_ptr() as usize
}

/// Takes an IPC file apart: its regions and the places of its lengths and offsets.
fn ipc_file_parts(bytes: &[u8]) -> (Vec<Region>, Vec<(usize, &'static str)>) {
    let len = bytes.len();
    let footer_len = i32::from_le_bytes(bytes[len - 10..len - 6].try_into().unwrap()) as usize;
    let footer_start = len - 10 - footer_len;
    let footer_bytes = &bytes[footer_start..len - 10];
    let footer = arrow_ipc::root_as_footer(footer_bytes).unwrap();
    let schema = arrow_ipc::convert::try_fb_to_schema(footer.schema().unwrap()).unwrap();
    let mut regions = vec![
        Region {
            kind: "magic",
            range: 0..8,
        },
        Region {
            kind: "trailer",
            range: len - 10..len,
        },
    ];
    let mut lengths = vec![(len - 10, "footer length")];
    let mut block_lists = Vec::new();
    for (blocks, dictionary) in [
        (footer.recordBatches(), false),
        (footer.dictionaries(), true),
    ] {
        let Some(blocks) = blocks else { continue };
        let at = offset_in(bytes, blocks.bytes());
        block_lists.push(at..at + blocks.bytes().len());
        for (i, block) in blocks.iter().enumerate() {
            // Block: offset i64, metaDataLength i32 (+4 padding), bodyLength i64.
            let entry = at + i * 24;
            lengths.extend([
                (entry, "block offset"),
                (entry + 8, "block metadata length"),
                (entry + 16, "block body length"),
            ]);
            let (offset, meta) = (block.offset() as usize, block.metaDataLength() as usize);
            regions.push(Region {
                kind: "message",
                range: offset..offset + meta,
            });
            let metadata = &bytes[offset..offset + meta];
            let fb_len = i32::from_le_bytes(metadata[4..8].try_into().unwrap()) as usize;
            let message = arrow_ipc::root_as_message(&metadata[8..8 + fb_len]).unwrap();
            let batch = match message.header_type() {
                MessageHeader::RecordBatch => message.header_as_record_batch().unwrap(),
                _ => message
                    .header_as_dictionary_batch()
                    .unwrap()
                    .data()
                    .unwrap(),
            };
            let mut variadic = batch
                .variadicBufferCounts()
                .map(|v| v.iter().collect::<Vec<_>>())
                .unwrap_or_default()
                .into_iter();
            let mut kinds = Vec::new();
            if dictionary {
                let id = message.header_as_dictionary_batch().unwrap().id();
                let value = dictionary_value_type(schema.fields(), id).unwrap();
                buffer_kinds(&value, &mut variadic, &mut kinds);
            } else {
                for f in schema.fields() {
                    buffer_kinds(f.data_type(), &mut variadic, &mut kinds);
                }
            }
            let body = offset + meta;
            let buffers = batch.buffers().unwrap();
            let descriptors = offset_in(bytes, buffers.bytes());
            for (j, (buffer, kind)) in buffers.iter().zip(kinds).enumerate() {
                lengths.extend([
                    (descriptors + j * 16, "buffer offset"),
                    (descriptors + j * 16 + 8, "buffer length"),
                ]);
                let start = body + buffer.offset() as usize;
                regions.push(Region {
                    kind,
                    range: start..start + buffer.length() as usize,
                });
            }
            if let Some(nodes) = batch.nodes() {
                let at = offset_in(bytes, nodes.bytes());
                for j in 0..nodes.len() {
                    lengths.extend([
                        (at + j * 16, "node length"),
                        (at + j * 16 + 8, "null count"),
                    ]);
                }
            }
        }
    }
    // The footer outside its block lists is the schema (fields, names, types).
    let mut start = footer_start;
    block_lists.sort_by_key(|r| r.start);
    for list in block_lists {
        regions.push(Region {
            kind: "schema",
            range: start..list.start,
        });
        start = list.end;
    }
    regions.push(Region {
        kind: "schema",
        range: start..len - 10,
    });
    regions.retain(|r| !r.range.is_empty());
    (regions, lengths)
}

/// Regions of an IPC stream: each message's metadata and body (no footer to guide us).
fn ipc_stream_parts(bytes: &[u8]) -> Vec<Region> {
    let mut regions = Vec::new();
    let mut at = 0;
    while at + 8 <= bytes.len() {
        let fb_len = i32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        if fb_len == 0 {
            break;
        }
        let message = arrow_ipc::root_as_message(&bytes[at + 8..at + 8 + fb_len]).unwrap();
        let body = message.bodyLength() as usize;
        regions.push(Region {
            kind: "message",
            range: at..at + 8 + fb_len,
        });
        regions.push(Region {
            kind: "data",
            range: at + 8 + fb_len..at + 8 + fb_len + body,
        });
        at += 8 + fb_len + body;
    }
    regions.retain(|r| !r.range.is_empty());
    regions
}

fn nested_frame() -> DataFrame {
    let make = |start: usize| {
        let mut lists = ListBuilder::new(StringBuilder::new());
        for i in start..start + 30 {
            if i % 6 == 1 {
                lists.append(false);
            } else {
                for j in 0..i % 4 {
                    lists.values().append_value(format!("w{j}·{i}"));
                }
                lists.append(true);
            }
        }
        let st = StructArray::from(vec![
            (
                Arc::new(Field::new("a", DataType::Int32, true)),
                Arc::new(Int32Array::from_iter(
                    (start..start + 30).map(|i| Some(i as i32)),
                )) as ArrayRef,
            ),
            (
                Arc::new(Field::new("b", DataType::Utf8, true)),
                Arc::new(StringArray::from_iter(
                    (start..start + 30).map(|i| (i % 5 != 0).then(|| format!("β{i}"))),
                )) as ArrayRef,
            ),
        ]);
        RecordBatch::try_from_iter([
            ("tags", Arc::new(lists.finish()) as ArrayRef),
            ("pair", Arc::new(st) as ArrayRef),
        ])
        .unwrap()
    };
    let batches = vec![make(0), make(30)];
    let schema: Arc<Schema> = batches[0].schema();
    DataFrame::from_batches(schema, batches).unwrap()
}

fn ipc_source(name: &str, bytes: Vec<u8>, uncompressed: bool) -> Source {
    let (regions, lengths) = ipc_file_parts(&bytes);
    Source {
        name: name.into(),
        bytes,
        ext: "arrow",
        regions,
        lengths,
        truncation_fails: true,
        uncompressed,
    }
}

fn sources(dir: &Path) -> Vec<Source> {
    let sample: Vec<RecordBatch> = (0..3).map(|b| batch(b * 40, 40)).collect();
    let sample = DataFrame::from_batches(sample[0].schema(), sample).unwrap();
    let written = |frame: &DataFrame, name: &str, compression: Option<Compression>| {
        let path = dir.join(name);
        let options = WriteOptions {
            compression,
            row_group_rows: 50,
            ..WriteOptions::default()
        };
        frame.write(&path, &options).unwrap();
        std::fs::read(&path).unwrap()
    };
    let mut out = vec![
        ipc_source("plain.arrow", written(&sample, "plain.arrow", None), true),
        ipc_source(
            "lz4.arrow",
            written(&sample, "lz4.arrow", Some(Compression::Lz4)),
            false,
        ),
        ipc_source(
            "zstd.arrow",
            written(&sample, "zstd.arrow", Some(Compression::Zstd)),
            false,
        ),
        ipc_source(
            "nested.arrow",
            written(&nested_frame(), "nested.arrow", None),
            true,
        ),
        ipc_source(
            "pyarrow_mixed.arrow",
            std::fs::read(fixture("pyarrow_mixed.arrow")).unwrap(),
            true,
        ),
        ipc_source(
            "pyarrow_lz4.arrow",
            std::fs::read(fixture("pyarrow_lz4.arrow")).unwrap(),
            false,
        ),
    ];
    let stream = std::fs::read(fixture("pyarrow_stream.arrows")).unwrap();
    out.push(Source {
        name: "pyarrow_stream.arrows".into(),
        regions: ipc_stream_parts(&stream),
        bytes: stream,
        ext: "arrows",
        lengths: Vec::new(),
        truncation_fails: false,
        uncompressed: true,
    });
    let parquet = written(&sample, "sample.parquet", Some(Compression::Snappy));
    out.push(Source {
        name: "sample.parquet".into(),
        regions: vec![
            Region {
                kind: "data",
                range: 4..parquet.len() - 8,
            },
            Region {
                kind: "footer",
                range: parquet.len() - 8..parquet.len(),
            },
        ],
        bytes: parquet,
        ext: "parquet",
        lengths: Vec::new(),
        truncation_fails: true,
        uncompressed: false,
    });
    out
}

/// One damaged file: a name for the report, its bytes and what must come of it.
struct Case {
    label: String,
    bytes: Vec<u8>,
    expect: Expect,
}

fn cases(source: &Source, rng: &mut Rng) -> Vec<Case> {
    let len = source.bytes.len();
    let mut out = Vec::new();
    let truncation = if source.truncation_fails {
        Expect::Error
    } else {
        Expect::NoCrash
    };
    // Truncations at every boundary, one byte either side, and at random points.
    let mut cuts: Vec<usize> = source
        .regions
        .iter()
        .flat_map(|r| [r.range.start, r.range.end])
        .flat_map(|b| [b.saturating_sub(1), b, b + 1])
        .chain((0..25).map(|_| rng.below(len)))
        .filter(|&c| c < len)
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    for cut in cuts {
        out.push(Case {
            label: format!("{}: truncated to {cut} bytes", source.name),
            bytes: source.bytes[..cut].to_vec(),
            expect: truncation,
        });
    }
    // Flipped bytes in every region, a few per region.
    for region in &source.regions {
        for _ in 0..3 {
            let at = region.range.start + rng.below(region.range.len());
            let mut bytes = source.bytes.clone();
            bytes[at] ^= 1 + rng.below(255) as u8;
            out.push(Case {
                label: format!("{}: byte {at} flipped ({})", source.name, region.kind),
                bytes,
                expect: Expect::NoCrash,
            });
        }
    }
    // Lengths and offsets that point past the end.
    for &(at, what) in &source.lengths {
        for value in [len as i64 + 8, i32::MAX as i64, i64::MAX, -8] {
            let mut bytes = source.bytes.clone();
            if what == "footer length" || what == "block metadata length" {
                bytes[at..at + 4].copy_from_slice(&(value as i32).to_le_bytes());
            } else {
                bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
            }
            out.push(Case {
                label: format!("{}: {what} at byte {at} set to {value}", source.name),
                bytes,
                expect: Expect::Error,
            });
        }
    }
    if !source.uncompressed {
        return out;
    }
    // Invalid UTF-8, keys out of range, offsets out of order: damage that only a full
    // validation of the column finds.
    for region in &source.regions {
        let r = region.range.clone();
        let damaged = |f: &dyn Fn(&mut [u8])| {
            let mut bytes = source.bytes.clone();
            f(&mut bytes[r.clone()]);
            bytes
        };
        let (label, bytes) = match region.kind {
            "utf8" if source.ext == "arrow" => (
                "invalid UTF-8 in",
                damaged(&|b: &mut [u8]| b[b.len() / 2] = 0xFF),
            ),
            "keys" => (
                "dictionary keys out of range in",
                damaged(&|b: &mut [u8]| b.fill(0x7F)),
            ),
            "offsets" => (
                "offsets out of order in",
                damaged(&|b: &mut [u8]| {
                    let mid = (b.len() / 2) & !3;
                    b[mid..mid + 4].copy_from_slice(&i32::MAX.to_le_bytes());
                }),
            ),
            _ => continue,
        };
        out.push(Case {
            label: format!("{}: {label} bytes {r:?}", source.name),
            bytes,
            expect: Expect::Error,
        });
    }
    out
}

/// Opens and queries one file; the errors' messages, or `Ok` when everything ran.
fn run_case(path: &Path) -> Result<(), Vec<String>> {
    let df = spindle::open(path).map_err(|e| vec![e.to_string()])?;
    let errors: Vec<String> = exercise(&df)
        .into_iter()
        .filter_map(|r| r.err().map(|e| e.to_string()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Runs `path` under a deadline on its own thread; `Err` says it panicked or hung.
fn run_guarded(path: PathBuf) -> Result<Result<(), Vec<String>>, String> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let outcome = std::panic::catch_unwind(|| run_case(&path));
        let _ = send.send(outcome);
    });
    match receive.recv_timeout(Duration::from_secs(60)) {
        Ok(Ok(outcome)) => Ok(outcome),
        Ok(Err(panic)) => Err(format!(
            "panicked: {}",
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        )),
        Err(_) => Err("still running after 60 s".into()),
    }
}

#[test]
fn damaged_files_give_errors_or_valid_output_never_a_crash() {
    let dir = scratch("corruption");
    let sources = sources(&dir);
    let mut rng = Rng(0x5EED_0F5A_1D1E);
    let (mut tried, mut errors, mut valid) = (0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    for source in &sources {
        // The undamaged file reads cleanly.
        let path = dir.join(format!("source.{}", source.ext));
        std::fs::write(&path, &source.bytes).unwrap();
        assert_eq!(run_guarded(path), Ok(Ok(())), "{} itself", source.name);
        for case in cases(source, &mut rng) {
            tried += 1;
            let path = dir.join(format!("case.{}", source.ext));
            std::fs::write(&path, &case.bytes).unwrap();
            match run_guarded(path.clone()) {
                Err(crash) => failures.push(format!("{}: {crash}", case.label)),
                Ok(Ok(())) => {
                    valid += 1;
                    if case.expect == Expect::Error {
                        failures.push(format!("{}: read without an error", case.label));
                    }
                }
                Ok(Err(messages)) => {
                    errors += 1;
                    // A file error names the file; a query may also fail on its own
                    // terms when the damage changed a type.
                    let names_file = messages.iter().any(|m| m.contains("case."));
                    if case.expect == Expect::Error && !names_file {
                        failures.push(format!(
                            "{}: no error names the file: {messages:?}",
                            case.label
                        ));
                    }
                }
            }
        }
    }
    eprintln!(
        "corruption suite: {tried} damaged files from {} sources: {errors} errors, {valid} read as valid",
        sources.len()
    );
    assert!(tried > 1000, "only {tried} cases");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
