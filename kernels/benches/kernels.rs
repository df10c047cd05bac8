//! Kernel throughput on one array (no engine, no threads), ASCII and mixed text, in bytes
//! per second. `cargo bench -p spindle-kernels`

use arrow_array::StringArray;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use spindle_kernels::{self as k, CaseMapping, ContainsOptions, Matcher};

const WORDS: &[&str] = &[
    "the", "memory", "data", "of", "column", "fast", "query", "and", "string",
];
const FOREIGN: &[&str] = &["café", "straße", "ΟΔΟΣ", "東京", "😀"];

fn corpus(n: usize, non_ascii: bool) -> StringArray {
    let mut state = 42u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    (0..n)
        .map(|_| {
            let words = 3 + next() % 10;
            let foreign = non_ascii && next() % 10 == 0;
            let mut s = String::new();
            for w in 0..words {
                if w > 0 {
                    s.push(' ');
                }
                s.push_str(if foreign && next() % 3 == 0 {
                    FOREIGN[next() % FOREIGN.len()]
                } else {
                    WORDS[next() % WORDS.len()]
                });
            }
            Some(s)
        })
        .collect()
}

fn kernels(c: &mut Criterion) {
    for (label, array) in [
        ("ascii", corpus(200_000, false)),
        ("mixed", corpus(200_000, true)),
    ] {
        let mut g = c.benchmark_group(format!("kernels/{label}"));
        g.throughput(Throughput::Bytes(array.value_data().len() as u64));
        g.bench_function("lower", |b| {
            b.iter(|| k::lower(&array, CaseMapping::Full).unwrap())
        });
        g.bench_function("upper", |b| {
            b.iter(|| k::upper(&array, CaseMapping::Full).unwrap())
        });
        g.bench_function("len", |b| b.iter(|| k::len(&array).unwrap()));
        let literal = Matcher::contains_literal("data");
        g.bench_function("contains literal (prebuilt finder)", |b| {
            b.iter(|| k::matches(&array, &literal).unwrap())
        });
        let regex = ContainsOptions::default().compile("da[a-z]a|\\d+").unwrap();
        g.bench_function("contains regex", |b| {
            b.iter(|| k::matches(&array, &regex).unwrap())
        });
        g.bench_function("startswith", |b| {
            b.iter(|| k::startswith(&array, &["the"], None).unwrap())
        });
        g.finish();
    }
}

criterion_group!(benches, kernels);
criterion_main!(benches);
