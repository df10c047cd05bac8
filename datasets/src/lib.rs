//! Seeded, deterministic generators of spindle's benchmark and test data.
//!
//! Every generator is a pure function of `(kind, rows, seed)`: batch `b` is built from its
//! own random stream, derived from the seed and `b`, so the same call gives the same bytes
//! on every machine and batches can be built in any order. Generators return Arrow record
//! batches; writing them to a file is the engine's job.
//!
//! # Kinds
//!
//! - [`Kind::Text`]: realistic mixed text, one row per person: `id`, `name`, `email`, `url`,
//!   `text` (a short sentence), `country` (dictionary-encoded), `score`. Names and words are
//!   drawn from lists that mix ASCII with accented Latin, Greek, Cyrillic, CJK and emoji, so
//!   that about 10% of `text` rows are non-ASCII; about 2% of `text` rows are null. The
//!   shapes (a name, an e-mail built from it, a URL on a small set of domains, sentences of
//!   3 to 12 common words) follow what web and CRM exports look like.
//! - [`Kind::Vaex`]: Vaex's own string benchmark recipe, `s = str(shuffled arange(rows))` with
//!   `x` the integer itself: ASCII digits, no nulls, so figures can be set beside Vaex's.
//! - [`Kind::Keys`]: keys and values for group-by, value_counts, sort and join, in the shape
//!   of the H2O.ai db-benchmark `groupby` table (the data set DuckDB, Polars and pandas
//!   publish group-by timings on), with `K = 100`: `id1` and `id2` are low-cardinality
//!   strings `id001`..`id100` (`id2` has 5% nulls, which form their own group), `id3` is a
//!   high-cardinality string `id0000000001`.. with `rows / K` levels, `id4` an integer with
//!   `K` levels, `id6` an integer with `rows / K` levels, `v1` an integer in `1..=5` and
//!   `v3` a float in `[0, 100)` with 5% nulls.
#![forbid(unsafe_code)]

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use arrow_array::types::Int8Type;
use arrow_array::{
    ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int64Array, Int8Array, RecordBatch,
    StringArray,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

mod words;

/// Which data set to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Mixed person/e-mail/URL/sentence text with non-ASCII and nulls.
    Text,
    /// Vaex's benchmark column: shuffled integers as strings.
    Vaex,
    /// db-benchmark's group-by table: low- and high-cardinality keys with values.
    Keys,
}

impl Kind {
    /// Every kind, for help texts.
    pub const ALL: [Kind; 3] = [Kind::Text, Kind::Vaex, Kind::Keys];

    /// The kind's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Vaex => "vaex",
            Kind::Keys => "keys",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Kind, String> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| format!("unknown data set kind {s:?} (expected text, vaex or keys)"))
    }
}

/// The schema of a kind's batches.
pub fn schema(kind: Kind) -> SchemaRef {
    let fields = match kind {
        Kind::Text => vec![
            Field::new("id", DataType::Int64, false),
            Field::new("name", DataType::Utf8, false),
            Field::new("email", DataType::Utf8, false),
            Field::new("url", DataType::Utf8, false),
            Field::new("text", DataType::Utf8, true),
            Field::new(
                "country",
                DataType::Dictionary(Box::new(DataType::Int8), Box::new(DataType::Utf8)),
                false,
            ),
            Field::new("score", DataType::Float64, true),
            Field::new("active", DataType::Boolean, false),
        ],
        Kind::Vaex => vec![
            Field::new("x", DataType::Int64, false),
            Field::new("s", DataType::Utf8, false),
        ],
        Kind::Keys => vec![
            Field::new("id1", DataType::Utf8, false),
            Field::new("id2", DataType::Utf8, true),
            Field::new("id3", DataType::Utf8, false),
            Field::new("id4", DataType::Int64, false),
            Field::new("id6", DataType::Int64, false),
            Field::new("v1", DataType::Int64, false),
            Field::new("v3", DataType::Float64, true),
        ],
    };
    Arc::new(Schema::new(fields))
}

/// Builds the rows `start..start + len` of a data set of `total` rows as one batch.
///
/// # Panics
/// If `start + len > total`.
pub fn batch(kind: Kind, seed: u64, total: u64, start: u64, len: usize) -> RecordBatch {
    assert!(
        start + len as u64 <= total,
        "rows {start}..+{len} outside 0..{total}"
    );
    let columns = match kind {
        Kind::Text => text_columns(seed, start, len),
        Kind::Vaex => vaex_columns(seed, total, start, len),
        Kind::Keys => keys_columns(seed, total, start, len),
    };
    RecordBatch::try_new(schema(kind), columns).expect("generator builds its own schema")
}

/// The row ranges `(start, len)` of a data set of `rows` rows cut into batches of at most
/// `batch_rows` rows (`0` means one batch).
pub fn batch_ranges(rows: u64, batch_rows: usize) -> impl Iterator<Item = (u64, usize)> {
    let step = if batch_rows == 0 {
        rows.max(1)
    } else {
        batch_rows as u64
    };
    (0..rows.div_ceil(step)).map(move |b| {
        let start = b * step;
        (start, (rows - start).min(step) as usize)
    })
}

/// SplitMix64: a small, fast, well-mixed generator; enough for test data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for one stream of a seed (a batch, a column).
    pub fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        r.next_u64();
        r
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    /// One element of a non-empty list.
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn text_columns(seed: u64, start: u64, len: usize) -> Vec<ArrayRef> {
    let mut rng = Rng::new(seed, start);
    let mut names = Vec::with_capacity(len);
    let mut emails = Vec::with_capacity(len);
    let mut urls = Vec::with_capacity(len);
    let mut texts: Vec<Option<String>> = Vec::with_capacity(len);
    let mut countries = Vec::with_capacity(len);
    let mut scores = Vec::with_capacity(len);
    let mut active = Vec::with_capacity(len);
    for i in 0..len {
        let id = start + i as u64;
        let (first, last) = (rng.pick(words::FIRST), rng.pick(words::LAST));
        let name = format!("{first} {last}");
        let local = format!(
            "{}.{}{}",
            words::ascii_fold(first),
            words::ascii_fold(last),
            id % 1000
        );
        emails.push(format!(
            "{}@{}",
            local.to_lowercase(),
            rng.pick(words::DOMAINS)
        ));
        names.push(name);
        urls.push(format!(
            "https://{}/{}/{}?id={id}",
            rng.pick(words::DOMAINS),
            rng.pick(words::PATHS),
            rng.pick(words::COMMON)
        ));
        texts.push(if rng.chance(0.02) {
            None
        } else {
            let n = 3 + rng.below(10);
            let foreign = rng.chance(0.08);
            let mut s = String::new();
            for w in 0..n {
                if w > 0 {
                    s.push(' ');
                }
                let word = if foreign && rng.chance(0.4) {
                    rng.pick(words::FOREIGN)
                } else {
                    rng.pick(words::COMMON)
                };
                if w == 0 {
                    let mut c = word.chars();
                    if let Some(f) = c.next() {
                        s.extend(f.to_uppercase());
                        s.push_str(c.as_str());
                    }
                } else {
                    s.push_str(word);
                }
            }
            s.push(if rng.chance(0.1) { '?' } else { '.' });
            Some(s)
        });
        countries.push(rng.below(words::COUNTRIES.len()) as i8);
        scores.push((!rng.chance(0.01)).then(|| (rng.next_u64() % 10_000) as f64 / 100.0));
        active.push(rng.chance(0.7));
    }
    let countries = DictionaryArray::<Int8Type>::try_new(
        Int8Array::from(countries),
        Arc::new(StringArray::from(words::COUNTRIES.to_vec())),
    )
    .expect("keys are below the dictionary length");
    vec![
        Arc::new(Int64Array::from_iter_values(
            start as i64..(start + len as u64) as i64,
        )),
        Arc::new(StringArray::from(names)),
        Arc::new(StringArray::from(emails)),
        Arc::new(StringArray::from(urls)),
        Arc::new(StringArray::from(texts)),
        Arc::new(countries),
        Arc::new(Float64Array::from(scores)),
        Arc::new(BooleanArray::from(active)),
    ]
}

/// A seeded permutation of `0..n`: a 4-round Feistel network on the next power of four,
/// walked until it lands inside the range (so row `i` needs no table of `n` entries).
fn permute(seed: u64, n: u64, i: u64) -> u64 {
    let bits = (64 - n.saturating_sub(1).leading_zeros())
        .max(2)
        .div_ceil(2);
    let mask = (1u64 << bits) - 1;
    let mut x = i;
    loop {
        let (mut l, mut r) = (x >> bits, x & mask);
        for round in 0..4u64 {
            let f = mix(r ^ seed.wrapping_add(round.wrapping_mul(0x9E37_79B9))) & mask;
            (l, r) = (r, l ^ f);
        }
        x = (l << bits) | r;
        if x < n {
            return x;
        }
    }
}

fn vaex_columns(seed: u64, total: u64, start: u64, len: usize) -> Vec<ArrayRef> {
    let xs: Vec<i64> = (start..start + len as u64)
        .map(|i| permute(seed, total, i) as i64)
        .collect();
    let strings = StringArray::from_iter_values(xs.iter().map(|x| x.to_string()));
    vec![Arc::new(Int64Array::from(xs)), Arc::new(strings)]
}

/// The number of levels of db-benchmark's low-cardinality keys.
pub const KEYS_LOW: usize = 100;

fn keys_columns(seed: u64, total: u64, start: u64, len: usize) -> Vec<ArrayRef> {
    let mut rng = Rng::new(seed, start);
    let high = (total as usize / KEYS_LOW).max(1);
    let (mut id1, mut id2, mut id3) = (Vec::new(), Vec::new(), Vec::new());
    let (mut id4, mut id6, mut v1, mut v3) = (
        Vec::with_capacity(len),
        Vec::with_capacity(len),
        Vec::with_capacity(len),
        Vec::with_capacity(len),
    );
    for _ in 0..len {
        id1.push(format!("id{:03}", 1 + rng.below(KEYS_LOW)));
        let k2 = format!("id{:03}", 1 + rng.below(KEYS_LOW));
        id2.push((!rng.chance(0.05)).then_some(k2));
        id3.push(format!("id{:010}", 1 + rng.below(high)));
        id4.push(1 + rng.below(KEYS_LOW) as i64);
        id6.push(1 + rng.below(high) as i64);
        v1.push(1 + rng.below(5) as i64);
        let v = (rng.next_u64() % 100_000_000) as f64 / 1e6;
        v3.push((!rng.chance(0.05)).then_some(v));
    }
    vec![
        Arc::new(StringArray::from(id1)),
        Arc::new(StringArray::from(id2)),
        Arc::new(StringArray::from(id3)),
        Arc::new(Int64Array::from(id4)),
        Arc::new(Int64Array::from(id6)),
        Arc::new(Int64Array::from(v1)),
        Arc::new(Float64Array::from(v3)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::Array;

    #[test]
    fn permutation_is_a_bijection() {
        for n in [1u64, 2, 3, 10, 1000, 4097] {
            let mut seen: Vec<u64> = (0..n).map(|i| permute(7, n, i)).collect();
            seen.sort_unstable();
            assert_eq!(seen, (0..n).collect::<Vec<_>>(), "n = {n}");
        }
    }

    #[test]
    fn text_is_deterministic_and_has_its_shape() {
        let a = batch(Kind::Text, 42, 20_000, 0, 20_000);
        let b = batch(Kind::Text, 42, 20_000, 0, 20_000);
        assert_eq!(a, b);
        let text = a.column(4).as_string::<i32>();
        let nulls = text.null_count() as f64 / text.len() as f64;
        assert!((0.01..0.03).contains(&nulls), "null share {nulls}");
        let non_ascii = text.iter().flatten().filter(|s| !s.is_ascii()).count() as f64
            / (text.len() - text.null_count()) as f64;
        assert!(
            (0.05..0.15).contains(&non_ascii),
            "non-ASCII share {non_ascii}"
        );
    }

    #[test]
    fn keys_have_db_benchmark_cardinalities() {
        let a = batch(Kind::Keys, 42, 100_000, 0, 100_000);
        assert_eq!(a, batch(Kind::Keys, 42, 100_000, 0, 100_000));
        let distinct = |i: usize| {
            let c = a.column(i).as_string::<i32>();
            c.iter().collect::<std::collections::HashSet<_>>().len()
        };
        assert_eq!(distinct(0), KEYS_LOW);
        assert_eq!(distinct(1), KEYS_LOW + 1, "100 keys and the null group");
        let high = distinct(2);
        assert!((600..=1000).contains(&high), "id3 has {high} levels");
        let nulls = a.column(6).null_count() as f64 / a.num_rows() as f64;
        assert!((0.04..0.06).contains(&nulls), "v3 null share {nulls}");
    }

    #[test]
    fn batches_cover_the_rows() {
        let ranges: Vec<_> = batch_ranges(10, 4).collect();
        assert_eq!(ranges, vec![(0, 4), (4, 4), (8, 2)]);
        assert_eq!(batch_ranges(5, 0).collect::<Vec<_>>(), vec![(0, 5)]);
    }
}
