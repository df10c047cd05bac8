//! The relational operators beyond group-by basics, through the frame API, each checked
//! against an answer computed here row by row, on 1 to 4 threads and over many batches
//! (so that partial tables are merged in parallel buckets): n_unique, count distinct,
//! first, last and string min/max; expressions over aggregates; joins of every kind with
//! either side built; top-k against a full sort; unique; and the errors they give.

use std::collections::{BTreeMap, HashMap, HashSet};

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::RecordBatch;
use arrow_schema::DataType;
use spindle::{col, len, lit, when, DataFrame, Error, JoinType, Runtime, SortOptions};
use spindle_datasets::{batch, Kind};

const BATCH: usize = 10_000;

fn keys_frame(rows: u64, seed: u64) -> DataFrame {
    let batches: Vec<RecordBatch> = spindle_datasets::batch_ranges(rows, BATCH)
        .map(|(start, len)| batch(Kind::Keys, seed, rows, start, len))
        .collect();
    DataFrame::from_batches(batches[0].schema(), batches).unwrap()
}

/// Every value of a column as text (`None` for null), in row order.
fn strs(frame: &DataFrame, name: &str) -> Vec<Option<String>> {
    frame
        .column(name)
        .unwrap()
        .iter()
        .flat_map(|a| {
            let a = arrow_cast::cast(a, &DataType::Utf8).unwrap();
            a.as_string::<i32>()
                .iter()
                .map(|s| s.map(str::to_string))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn ints(frame: &DataFrame, name: &str) -> Vec<Option<i64>> {
    frame
        .column(name)
        .unwrap()
        .iter()
        .flat_map(|a| {
            let a = arrow_cast::cast(a, &DataType::Int64).unwrap();
            a.as_primitive::<Int64Type>().iter().collect::<Vec<_>>()
        })
        .collect()
}

fn runtimes() -> Vec<Runtime> {
    (1..=4).map(|t| Runtime::new(t).unwrap()).collect()
}

/// Checks n_unique, count distinct, first, last, min and max of string column `value`
/// grouped by `key` against answers computed row by row, on 1 to 4 threads.
fn check_value_aggregates(frame: &DataFrame, key: &str, value: &str) {
    let keys_in = strs(frame, key);
    let values_in = strs(frame, value);
    #[derive(Default)]
    struct G {
        distinct: HashSet<Option<String>>,
        first: Option<Option<String>>,
        last: Option<String>,
        min: Option<String>,
        max: Option<String>,
    }
    let mut want: HashMap<Option<String>, G> = HashMap::new();
    for (k, v) in keys_in.iter().zip(&values_in) {
        let g = want.entry(k.clone()).or_default();
        g.distinct.insert(v.clone());
        g.first.get_or_insert(v.clone());
        g.last = v.clone();
        if let Some(v) = v {
            if g.min.as_ref().is_none_or(|m| v < m) {
                g.min = Some(v.clone());
            }
            if g.max.as_ref().is_none_or(|m| v > m) {
                g.max = Some(v.clone());
            }
        }
    }
    for rt in runtimes() {
        let out = frame
            .lazy()
            .with_runtime(rt.clone())
            .group_by([col(key)])
            .agg([
                col(value).n_unique().alias("n_unique"),
                col(value).count_distinct().alias("distinct"),
                col(value).first().alias("first"),
                col(value).last().alias("last"),
                col(value).min().alias("min"),
                col(value).max().alias("max"),
            ])
            .collect()
            .unwrap();
        let keys = strs(&out, key);
        assert_eq!(keys.len(), want.len(), "{} threads", rt.threads());
        let n_unique = ints(&out, "n_unique");
        let distinct = ints(&out, "distinct");
        let (first, last) = (strs(&out, "first"), strs(&out, "last"));
        let (min, max) = (strs(&out, "min"), strs(&out, "max"));
        for (i, k) in keys.iter().enumerate() {
            let g = &want[k];
            let ctx = format!("group {k:?} on {} threads", rt.threads());
            assert_eq!(n_unique[i], Some(g.distinct.len() as i64), "{ctx}");
            let non_null = g.distinct.iter().filter(|v| v.is_some()).count() as i64;
            assert_eq!(distinct[i], Some(non_null), "{ctx}");
            assert_eq!(first[i], g.first.clone().unwrap(), "{ctx}");
            assert_eq!(last[i], g.last, "{ctx}");
            assert_eq!((&min[i], &max[i]), (&g.min, &g.max), "{ctx}");
        }
    }
}

#[test]
fn distinct_first_last_and_string_extremes_match_a_row_by_row_answer() {
    // 100 levels over a column with nulls, in 15 batches.
    check_value_aggregates(&keys_frame(150_000, 11), "id1", "id2");
}

#[test]
fn expressions_over_aggregates_and_keys() {
    let frame = keys_frame(30_000, 3);
    let id1 = strs(&frame, "id1");
    let v1 = ints(&frame, "v1");
    let mut sums: BTreeMap<Option<String>, (i64, i64)> = BTreeMap::new();
    for (k, v) in id1.iter().zip(&v1) {
        let e = sums.entry(k.clone()).or_default();
        e.0 += v.unwrap_or(0);
        e.1 += 1;
    }
    let out = frame
        .lazy()
        .group_by([col("id1")])
        .agg([
            (col("v1").sum() * lit(10) / len()).alias("tenfold_mean"),
            when(len().gt(lit(300)))
                .then(lit("big"))
                .otherwise(lit("small"))
                .alias("size"),
            col("id1").str().upper().alias("upper_key"),
        ])
        .sort([col("id1")], SortOptions::ascending())
        .collect()
        .unwrap();
    let keys = strs(&out, "id1");
    let means = out.column("tenfold_mean").unwrap();
    let means: Vec<f64> = means
        .iter()
        .flat_map(|a| {
            a.as_primitive::<arrow_array::types::Float64Type>()
                .values()
                .to_vec()
        })
        .collect();
    let sizes = strs(&out, "size");
    let upper = strs(&out, "upper_key");
    for (i, (k, (sum, n))) in sums.iter().enumerate() {
        assert_eq!(&keys[i], k);
        assert!((means[i] - *sum as f64 * 10.0 / *n as f64).abs() < 1e-9);
        assert_eq!(
            sizes[i].as_deref(),
            Some(if *n > 300 { "big" } else { "small" })
        );
        assert_eq!(upper[i], k.as_ref().map(|s| s.to_uppercase()));
    }
    // A column that is neither a key nor inside an aggregate is an error naming GROUP BY.
    let err = frame
        .lazy()
        .group_by([col("id1")])
        .agg([col("v1") + len()])
        .collect()
        .unwrap_err()
        .to_string();
    assert!(err.contains("\"v1\"") && err.contains("GROUP BY"), "{err}");
}

/// Rows of a small table: (key, tag) with duplicate and null keys.
fn small(keys: &[Option<&str>], tag: &str) -> DataFrame {
    let batch = RecordBatch::try_from_iter([
        (
            "k",
            std::sync::Arc::new(arrow_array::StringArray::from(keys.to_vec())) as _,
        ),
        (
            "tag",
            std::sync::Arc::new(arrow_array::StringArray::from(
                (0..keys.len())
                    .map(|i| format!("{tag}{i}"))
                    .collect::<Vec<_>>(),
            )) as _,
        ),
    ])
    .unwrap();
    DataFrame::from_batches(batch.schema(), vec![batch]).unwrap()
}

type Pair = (Option<String>, Option<String>);

/// The join's rows as (left tag, right tag) pairs, sorted.
fn pairs(out: &DataFrame, right: &str) -> Vec<Pair> {
    let l = strs(out, "tag");
    let r = if right.is_empty() {
        vec![None; l.len()]
    } else {
        strs(out, right)
    };
    let mut p: Vec<Pair> = l.into_iter().zip(r).collect();
    p.sort();
    p
}

#[test]
fn joins_match_a_nested_loop_on_either_build_side() {
    let big_keys: Vec<Option<String>> = (0..90_000)
        .map(|i| (i % 13 != 0).then(|| format!("key-{}", (i * 7) % 500)))
        .collect();
    let big_refs: Vec<Option<&str>> = big_keys.iter().map(|k| k.as_deref()).collect();
    let big = small(&big_refs, "L");
    let dim = small(&dim_keys(), "R");
    // Both orders: the smaller side is built, so each kind runs with either side hashed.
    for (left, right, lk, rk) in [
        (&big, &dim, &big_refs, dim_keys()),
        (&dim, &big, &dim_keys(), big_refs.clone()),
    ] {
        let ltags = strs(left, "tag");
        let rtags = strs(right, "tag");
        let mut inner = Vec::new();
        let mut left_rows = Vec::new();
        let mut semi = Vec::new();
        let mut anti = Vec::new();
        for (i, a) in lk.iter().enumerate() {
            let mut matched = false;
            for (j, b) in rk.iter().enumerate() {
                if a.is_some() && a == b {
                    matched = true;
                    inner.push((ltags[i].clone(), rtags[j].clone()));
                    left_rows.push((ltags[i].clone(), rtags[j].clone()));
                }
            }
            if !matched {
                left_rows.push((ltags[i].clone(), None));
                anti.push((ltags[i].clone(), None));
            } else {
                semi.push((ltags[i].clone(), None));
            }
        }
        for v in [&mut inner, &mut left_rows, &mut semi, &mut anti] {
            v.sort();
        }
        for rt in runtimes() {
            let run = |how| {
                left.lazy()
                    .with_runtime(rt.clone())
                    .join(right.lazy(), [col("k")], [col("k")], how)
                    .collect()
                    .unwrap()
            };
            let t = rt.threads();
            assert_eq!(
                pairs(&run(JoinType::Inner), "tag_right"),
                inner,
                "inner, {t} threads"
            );
            let out = run(JoinType::Left);
            assert_eq!(pairs(&out, "tag_right"), left_rows, "left, {t} threads");
            // A left join keeps the left rows' order.
            let order: Vec<Option<String>> = strs(&out, "tag");
            let mut dedup = order.clone();
            dedup.dedup();
            assert_eq!(dedup, ltags, "left join order, {t} threads");
            assert_eq!(pairs(&run(JoinType::Semi), ""), semi, "semi, {t} threads");
            assert_eq!(pairs(&run(JoinType::Anti), ""), anti, "anti, {t} threads");
            // The right key is coalesced into the left one in the frame API.
            let schema = run(JoinType::Inner).schema();
            let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
            assert_eq!(names, ["k", "tag", "tag_right"]);
        }
    }
}

fn dim_keys() -> Vec<Option<&'static str>> {
    vec![
        Some("key-1"),
        Some("key-1"),
        Some("key-7"),
        None,
        Some("nope"),
        Some("key-499"),
    ]
}

#[test]
fn joins_on_several_keys_of_mixed_types() {
    let frame = keys_frame(20_000, 5);
    let dim = frame
        .lazy()
        .group_by([col("id1"), col("v1")])
        .agg([len().alias("n")])
        .collect()
        .unwrap();
    let joined = || {
        let on = || [col("id1"), col("v1")];
        frame.lazy().join(dim.lazy(), on(), on(), JoinType::Inner)
    };
    // Every row finds its own (id1, v1) group: one match each, whose count is right.
    let out = joined()
        .group_by([col("id1"), col("v1"), col("n")])
        .agg([len().alias("rows")])
        .filter(col("rows").neq(col("n")))
        .collect()
        .unwrap();
    assert_eq!(out.num_rows(), 0);
    assert_eq!(joined().collect().unwrap().num_rows(), 20_000);
    // An Int64 key joins an Int32 one (both compared as Int64).
    let narrow = dim
        .lazy()
        .with_columns([col("v1").cast(DataType::Int32).alias("v1")])
        .collect()
        .unwrap();
    let n = frame
        .lazy()
        .join(
            narrow.lazy(),
            [col("id1"), col("v1")],
            [col("id1"), col("v1")],
            JoinType::Semi,
        )
        .collect()
        .unwrap()
        .num_rows();
    assert_eq!(n, 20_000);
}

#[test]
fn top_k_equals_the_head_of_a_full_sort() {
    let frame = keys_frame(80_000, 9);
    for options in [
        SortOptions::ascending(),
        SortOptions::descending(),
        SortOptions::ascending().nulls_first(true),
        SortOptions::descending().nulls_first(true),
    ] {
        for by in [
            vec![col("id2")],
            vec![col("id3"), col("v3")],
            vec![col("v3")],
        ] {
            let full = frame
                .lazy()
                .sort_by(by.iter().map(|e| (e.clone(), options)))
                .collect()
                .unwrap();
            let ids = ints(&full, "id4");
            for (offset, k) in [(0, 1), (0, 10), (5, 100), (0, 5000), (79_990, 50)] {
                let top = frame
                    .lazy()
                    .sort_by(by.iter().map(|e| (e.clone(), options)))
                    .slice(offset, Some(k))
                    .collect()
                    .unwrap();
                let end = (offset + k).min(ids.len());
                assert_eq!(
                    ints(&top, "id4"),
                    ids[offset..end],
                    "{by:?} {options:?} {offset}+{k}"
                );
            }
        }
    }
}

#[test]
fn unique_rows_and_values() {
    let frame = keys_frame(40_000, 2);
    let id2 = strs(&frame, "id2");
    let v1 = ints(&frame, "v1");
    let want: HashSet<(Option<String>, Option<i64>)> =
        id2.iter().cloned().zip(v1.iter().cloned()).collect();
    let out = frame
        .lazy()
        .select([col("id2"), col("v1")])
        .unique()
        .collect()
        .unwrap();
    let got: Vec<(Option<String>, Option<i64>)> = strs(&out, "id2")
        .into_iter()
        .zip(ints(&out, "v1"))
        .collect();
    assert_eq!(got.len(), want.len());
    assert_eq!(got.into_iter().collect::<HashSet<_>>(), want);
}

#[test]
fn relational_errors_name_what_is_wrong() {
    let frame = keys_frame(1_000, 1);
    let err = |r: spindle::Result<DataFrame>| r.unwrap_err().to_string();
    // An aggregate of a type it does not take.
    let e = err(frame
        .lazy()
        .group_by([col("id1")])
        .agg([col("id2").sum()])
        .collect());
    assert!(e.contains("sum(id2)") && e.contains("Utf8"), "{e}");
    let e = err(frame
        .lazy()
        .select([col("id1").str().split(",").max()])
        .collect());
    assert!(e.contains("max") && e.contains("List"), "{e}");
    // Unknown columns in a key and in ON, naming the side.
    let e = err(frame.lazy().group_by([col("nope")]).agg([len()]).collect());
    assert!(e.contains("\"nope\""), "{e}");
    let e = err(frame
        .lazy()
        .join(
            frame.lazy(),
            [col("id1")],
            [col("missing")],
            JoinType::Inner,
        )
        .collect());
    assert!(e.contains("\"missing\"") && e.contains("right side"), "{e}");
    // Keys of types that cannot be compared.
    let e = err(frame
        .lazy()
        .join(frame.lazy(), [col("id1")], [col("v1")], JoinType::Inner)
        .collect());
    assert!(e.contains("join key id1 = v1"), "{e}");
    // A suffixed name that is taken too is ambiguous.
    let taken = frame
        .lazy()
        .with_columns([col("id2").alias("id3_right")])
        .collect()
        .unwrap();
    let e = err(taken
        .lazy()
        .join(frame.lazy(), [col("id1")], [col("id1")], JoinType::Inner)
        .collect());
    assert!(e.contains("ambiguous column name \"id3\""), "{e}");
    assert!(matches!(
        frame
            .lazy()
            .group_by([col("id1")])
            .agg([col("id1").sum()])
            .collect(),
        Err(Error::TypeMismatch { .. })
    ));
}

/// More groups than a thread keeps in one table (it then splits its table by merge
/// bucket mid-way), with a null key among them: the same answers.
#[test]
fn many_groups_split_their_tables_and_stay_right() {
    let rows = 200_000usize;
    let key = |i: usize| (!i.is_multiple_of(97)).then(|| format!("k{}", (i * 7919) % 90_000));
    let value = |i: usize| (!i.is_multiple_of(5)).then(|| format!("v{}", i % 13));
    let batches: Vec<RecordBatch> = (0..rows)
        .step_by(BATCH)
        .map(|start| {
            let range = start..(start + BATCH).min(rows);
            let column = |f: &dyn Fn(usize) -> Option<String>| {
                std::sync::Arc::new(arrow_array::StringArray::from(
                    range.clone().map(f).collect::<Vec<_>>(),
                )) as _
            };
            RecordBatch::try_from_iter([("k", column(&key)), ("v", column(&value))]).unwrap()
        })
        .collect();
    let frame = DataFrame::from_batches(batches[0].schema(), batches).unwrap();
    assert!(strs(&frame, "k").into_iter().collect::<HashSet<_>>().len() > 80_000);
    check_value_aggregates(&frame, "k", "v");
}
