//! Group-by, value_counts and sort through the frame API, checked against naive answers
//! computed here row by row, on 1 thread and on several, over many batches and every
//! string layout.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use spindle::{col, len, lit, DataFrame, Error, Runtime, SortOptions};
use spindle_datasets::{batch, Kind};

const ROWS: u64 = 120_000;
const BATCH: usize = 10_000;

fn keys_batches(rows: u64) -> Vec<RecordBatch> {
    spindle_datasets::batch_ranges(rows, BATCH)
        .map(|(start, len)| batch(Kind::Keys, 7, rows, start, len))
        .collect()
}

fn frame(batches: Vec<RecordBatch>) -> DataFrame {
    DataFrame::from_batches(batches[0].schema(), batches).unwrap()
}

/// The key column `id2` recast to `to` in every batch.
fn with_key_type(batches: &[RecordBatch], to: &DataType) -> Vec<RecordBatch> {
    let schema = batches[0].schema();
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| match f.name().as_str() {
            "id2" => Field::new("id2", to.clone(), true),
            _ => f.as_ref().clone(),
        })
        .collect();
    let schema = Arc::new(Schema::new(fields));
    batches
        .iter()
        .map(|b| {
            let columns: Vec<ArrayRef> = b
                .columns()
                .iter()
                .zip(schema.fields())
                .map(|(c, f)| arrow_cast::cast(c, f.data_type()).unwrap())
                .collect();
            RecordBatch::try_new(schema.clone(), columns).unwrap()
        })
        .collect()
}

fn strs(a: &dyn Array) -> Vec<Option<String>> {
    let a = arrow_cast::cast(a, &DataType::Utf8).unwrap();
    a.as_string::<i32>()
        .iter()
        .map(|s| s.map(str::to_string))
        .collect()
}

fn ints(a: &dyn Array) -> Vec<Option<i64>> {
    a.as_primitive::<Int64Type>().iter().collect()
}

fn floats(a: &dyn Array) -> Vec<Option<f64>> {
    a.as_primitive::<Float64Type>().iter().collect()
}

fn column<T>(batches: &[RecordBatch], i: usize, f: impl Fn(&dyn Array) -> Vec<T>) -> Vec<T> {
    batches
        .iter()
        .flat_map(|b| f(b.column(i).as_ref()))
        .collect()
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0),
        (a, b) => a == b,
    }
}

#[derive(Debug, Default, Clone)]
struct Expected {
    rows: i64,
    v1_sum: i64,
    v1_max: Option<i64>,
    v3: Vec<f64>,
}

fn expected_by_id2(batches: &[RecordBatch]) -> HashMap<Option<String>, Expected> {
    let id2 = column(batches, 1, strs);
    let v1 = column(batches, 5, ints);
    let v3 = column(batches, 6, floats);
    let mut out: HashMap<Option<String>, Expected> = HashMap::new();
    for i in 0..id2.len() {
        let e = out.entry(id2[i].clone()).or_default();
        e.rows += 1;
        let v = v1[i].unwrap();
        e.v1_sum += v;
        e.v1_max = Some(e.v1_max.map_or(v, |m| m.max(v)));
        if let Some(x) = v3[i] {
            e.v3.push(x);
        }
    }
    out
}

fn check_group_by(batches: Vec<RecordBatch>, threads: usize) {
    let expected = expected_by_id2(&batches);
    let result = frame(batches)
        .lazy()
        .group_by([col("id2")])
        .agg([
            len(),
            col("v3").count().alias("n"),
            col("v1").sum(),
            col("v1").max().alias("v1_max"),
            col("v3").mean(),
            col("v3").min().alias("v3_min"),
            col("v3").std().alias("v3_std"),
            col("v3").var().alias("v3_var"),
        ])
        .with_runtime(Runtime::new(threads).unwrap())
        .collect()
        .unwrap();
    let out = result.to_batches().unwrap();
    let keys = column(&out, 0, strs);
    assert_eq!(keys.len(), expected.len(), "one row per group");
    assert_eq!(keys.len(), 101, "100 keys and the null group");
    let lens = column(&out, 1, ints);
    let ns = column(&out, 2, ints);
    let sums = column(&out, 3, ints);
    let maxes = column(&out, 4, ints);
    let means = column(&out, 5, floats);
    let mins = column(&out, 6, floats);
    let stds = column(&out, 7, floats);
    let vars = column(&out, 8, floats);
    for (i, k) in keys.iter().enumerate() {
        let e = &expected[k];
        let n = e.v3.len() as f64;
        let mean = e.v3.iter().sum::<f64>() / n;
        let var = e.v3.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let min = e.v3.iter().copied().fold(f64::INFINITY, f64::min);
        assert_eq!(lens[i], Some(e.rows), "len of {k:?}");
        assert_eq!(ns[i], Some(e.v3.len() as i64), "count of {k:?}");
        assert_eq!(sums[i], Some(e.v1_sum), "sum of {k:?}");
        assert_eq!(maxes[i], e.v1_max, "max of {k:?}");
        assert!(close(means[i], Some(mean)), "mean of {k:?}");
        assert!(close(mins[i], Some(min)), "min of {k:?}");
        assert!(close(vars[i], Some(var)), "var of {k:?}");
        assert!(close(stds[i], Some(var.sqrt())), "std of {k:?}");
    }
}

#[test]
fn group_by_a_string_key_matches_a_row_by_row_answer_on_every_layout() {
    let batches = keys_batches(ROWS);
    for threads in [1, 3] {
        check_group_by(batches.clone(), threads);
    }
    for to in [
        DataType::LargeUtf8,
        DataType::Utf8View,
        DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
    ] {
        check_group_by(with_key_type(&batches, &to), 2);
    }
}

#[test]
fn group_by_high_cardinality_and_several_keys() {
    let batches = keys_batches(ROWS);
    let id1 = column(&batches, 0, strs);
    let id3 = column(&batches, 2, strs);
    let id4 = column(&batches, 3, ints);
    let v1 = column(&batches, 5, ints);
    let mut by_id3: HashMap<String, i64> = HashMap::new();
    let mut by_pair: HashMap<(String, i64), i64> = HashMap::new();
    for i in 0..id1.len() {
        *by_id3.entry(id3[i].clone().unwrap()).or_default() += v1[i].unwrap();
        *by_pair
            .entry((id1[i].clone().unwrap(), id4[i].unwrap()))
            .or_default() += 1;
    }
    for threads in [1, 2, 4] {
        let rt = Runtime::new(threads).unwrap();
        let out = frame(batches.clone())
            .lazy()
            .group_by([col("id3")])
            .agg([col("v1").sum()])
            .with_runtime(rt.clone())
            .collect()
            .unwrap()
            .to_batches()
            .unwrap();
        let got: HashMap<String, i64> = column(&out, 0, strs)
            .into_iter()
            .zip(column(&out, 1, ints))
            .map(|(k, v)| (k.unwrap(), v.unwrap()))
            .collect();
        assert_eq!(got.len(), column(&out, 0, strs).len(), "no key twice");
        assert_eq!(got, by_id3, "{threads} threads");

        let out = frame(batches.clone())
            .lazy()
            .group_by([col("id1"), col("id4")])
            .agg([len()])
            .with_runtime(rt)
            .collect()
            .unwrap()
            .to_batches()
            .unwrap();
        let got: HashMap<(String, i64), i64> = column(&out, 0, strs)
            .into_iter()
            .zip(column(&out, 1, ints))
            .zip(column(&out, 2, ints))
            .map(|((a, b), n)| ((a.unwrap(), b.unwrap()), n.unwrap()))
            .collect();
        assert_eq!(got, by_pair, "{threads} threads");
    }
}

#[test]
fn global_aggregates_give_one_row_even_over_no_rows() {
    let f = frame(keys_batches(20_000));
    let out = f
        .lazy()
        .select([len(), col("v1").sum(), col("v3").max().alias("top")])
        .collect()
        .unwrap()
        .to_batches()
        .unwrap();
    assert_eq!(column(&out, 0, ints), vec![Some(20_000)]);
    let v1 = column(&f.to_batches().unwrap(), 5, ints);
    assert_eq!(column(&out, 1, ints), vec![Some(v1.iter().flatten().sum())]);
    let empty = f
        .lazy()
        .filter(col("v1").gt(lit(100i64)))
        .select([len(), col("v1").sum()])
        .collect()
        .unwrap()
        .to_batches()
        .unwrap();
    assert_eq!(column(&empty, 0, ints), vec![Some(0)]);
    assert_eq!(
        column(&empty, 1, ints),
        vec![None],
        "sum of nothing is null"
    );
}

#[test]
fn value_counts_counts_nulls_and_puts_the_most_frequent_first() {
    let batches = keys_batches(ROWS);
    let expected = expected_by_id2(&batches);
    let out = frame(batches)
        .lazy()
        .value_counts(col("id2"))
        .collect()
        .unwrap()
        .to_batches()
        .unwrap();
    let keys = column(&out, 0, strs);
    let counts: Vec<i64> = column(&out, 1, ints).into_iter().flatten().collect();
    assert_eq!(keys.len(), expected.len());
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "descending counts");
    for (k, n) in keys.iter().zip(&counts) {
        assert_eq!(*n, expected[k].rows, "{k:?}");
    }
}

/// Row order by `key` with Rust's stable sort as the oracle.
fn check_sort(batches: Vec<RecordBatch>, name: &str, options: SortOptions, threads: usize) {
    let i = batches[0].schema().index_of(name).unwrap();
    let values = column(&batches, i, strs);
    let ids: Vec<usize> = (0..values.len()).collect();
    let mut expected = ids.clone();
    expected.sort_by(|&a, &b| match (&values[a], &values[b]) {
        (Some(x), Some(y)) if options.descending => y.as_bytes().cmp(x.as_bytes()),
        (Some(x), Some(y)) => x.as_bytes().cmp(y.as_bytes()),
        (None, None) => std::cmp::Ordering::Equal,
        (None, Some(_)) if options.nulls_last => std::cmp::Ordering::Greater,
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) if options.nulls_last => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
    });
    let out = frame(batches)
        .lazy()
        .sort([col(name)], options)
        .with_runtime(Runtime::new(threads).unwrap())
        .collect()
        .unwrap()
        .to_batches()
        .unwrap();
    let got: Vec<i64> = column(&out, 0, ints).into_iter().flatten().collect();
    let want: Vec<i64> = expected.iter().map(|&r| r as i64).collect();
    assert_eq!(
        got, want,
        "{name} {options:?} on {threads} threads (row ids)"
    );
}

#[test]
fn sort_of_mixed_text_is_stable_and_by_code_point() {
    // The text data set: non-ASCII, nulls, many equal prefixes ("The ...").
    let rows = 60_000;
    let batches: Vec<RecordBatch> = spindle_datasets::batch_ranges(rows, 7_000)
        .map(|(start, len)| batch(Kind::Text, 3, rows, start, len))
        .collect();
    for options in [
        SortOptions::ascending(),
        SortOptions::descending(),
        SortOptions::ascending().nulls_first(true),
    ] {
        for threads in [1, 2] {
            check_sort(batches.clone(), "text", options, threads);
        }
    }
    check_sort(
        with_key_type(&batches_with_id2(&batches), &DataType::Utf8View),
        "id2",
        SortOptions::descending().nulls_first(true),
        2,
    );
}

/// The text batches with their `text` column also named `id2`, for layout casts.
fn batches_with_id2(batches: &[RecordBatch]) -> Vec<RecordBatch> {
    batches
        .iter()
        .map(|b| {
            let mut fields: Vec<Field> = b
                .schema()
                .fields()
                .iter()
                .map(|f| f.as_ref().clone())
                .collect();
            fields.push(Field::new("id2", DataType::Utf8, true));
            let mut columns = b.columns().to_vec();
            columns.push(b.column(4).clone());
            RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap()
        })
        .collect()
}

#[test]
fn sort_by_several_keys_with_their_own_directions() {
    let batches = keys_batches(30_000);
    let id1 = column(&batches, 0, strs);
    let v3 = column(&batches, 6, floats);
    let mut expected: Vec<usize> = (0..id1.len()).collect();
    expected.sort_by(|&a, &b| {
        id1[a].cmp(&id1[b]).then_with(|| match (v3[a], v3[b]) {
            (Some(x), Some(y)) => y.partial_cmp(&x).unwrap(),
            (None, None) => std::cmp::Ordering::Equal,
            (None, _) => std::cmp::Ordering::Less,
            (_, None) => std::cmp::Ordering::Greater,
        })
    });
    let out = frame(batches)
        .lazy()
        .with_columns([lit(0i64).alias("zero")])
        .sort_by([
            (col("id1"), SortOptions::ascending()),
            (col("v3"), SortOptions::descending().nulls_first(true)),
        ])
        .collect()
        .unwrap()
        .to_batches()
        .unwrap();
    let got_id1 = column(&out, 0, strs);
    let got_v3 = column(&out, 6, floats);
    let want_id1: Vec<_> = expected.iter().map(|&r| id1[r].clone()).collect();
    let want_v3: Vec<_> = expected.iter().map(|&r| v3[r]).collect();
    assert_eq!(got_id1, want_id1);
    assert_eq!(got_v3, want_v3);
}

#[test]
fn bad_aggregations_are_named_errors() {
    let f = frame(keys_batches(1_000));
    let sum_of_text = f.lazy().group_by([col("id1")]).agg([col("id2").sum()]);
    match sum_of_text.collect() {
        Err(Error::TypeMismatch { context, .. }) => assert!(context.contains("id2"), "{context}"),
        other => panic!("expected a type mismatch, got {other:?}"),
    }
    let unknown = f.lazy().group_by([col("nope")]).agg([len()]).collect();
    assert!(
        matches!(unknown, Err(Error::ColumnNotFound { .. })),
        "{unknown:?}"
    );
    let not_agg = f.lazy().group_by([col("id1")]).agg([col("v1")]).collect();
    assert!(
        matches!(not_agg, Err(Error::InvalidArgument { .. })),
        "{not_agg:?}"
    );
    let agg_in_filter = f.lazy().filter(col("v1").sum().gt(lit(1i64))).collect();
    assert!(agg_in_filter.is_err());
}

#[test]
fn sort_breaks_ties_past_every_8_byte_digit() {
    // Strings over {a, b, NUL} of 0 to 20 bytes: long shared prefixes, keys that end on,
    // just before and just after an 8-byte boundary, and NULs that pad like the end does.
    let mut rng = spindle_datasets::Rng::new(11, 0);
    let rows = 30_000;
    let values: Vec<Option<String>> = (0..rows)
        .map(|_| {
            if rng.chance(0.01) {
                return None;
            }
            let n = rng.below(21);
            Some((0..n).map(|_| ['a', 'b', '\0'][rng.below(3)]).collect())
        })
        .collect();
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("s", DataType::Utf8, true),
    ]));
    let batches: Vec<RecordBatch> = (0..rows)
        .step_by(4_000)
        .map(|start| {
            let end = (start + 4_000).min(rows);
            RecordBatch::try_new(
                schema.clone(),
                vec![
                    Arc::new(arrow_array::Int64Array::from_iter_values(
                        start as i64..end as i64,
                    )),
                    Arc::new(arrow_array::StringArray::from(values[start..end].to_vec())),
                ],
            )
            .unwrap()
        })
        .collect();
    for options in [SortOptions::ascending(), SortOptions::descending()] {
        for threads in [1, 2] {
            check_sort(batches.clone(), "s", options, threads);
        }
    }
    // The same through the encoded (arrow-row) path: a dictionary key.
    let dict = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
    let recast: Vec<RecordBatch> = batches
        .iter()
        .map(|b| {
            let schema = Arc::new(Schema::new(vec![
                Field::new("id", DataType::Int64, false),
                Field::new("s", dict.clone(), true),
            ]));
            let s = arrow_cast::cast(b.column(1), &dict).unwrap();
            RecordBatch::try_new(schema, vec![b.column(0).clone(), s]).unwrap()
        })
        .collect();
    check_sort(recast, "s", SortOptions::descending().nulls_first(true), 2);
}
