//! Regex extraction: `extract` (the groups of the first match), `extractall` (the groups
//! of every match) and `findall` (Python's `re.findall`).
//!
//! Group columns are named as pandas names them: a named group by its name, any other by
//! its position among the groups, from `0`.

use std::cell::RefCell;
use std::sync::Arc;

use arrow_array::builder::GenericStringBuilder;
use arrow_array::{Array, ArrayRef, ListArray};
use arrow_buffer::OffsetBuffer;
use arrow_schema::{DataType, Field, Fields};

use crate::driver::{map_list, map_string, map_struct, on_dictionary_values, struct_of, Rows};
use crate::error::{KernelError, Result};
use crate::pattern::Pattern;

/// pandas' column names for a pattern's groups.
pub fn group_names(pattern: &Pattern) -> Vec<String> {
    pattern.names()[1..]
        .iter()
        .enumerate()
        .map(|(i, n)| n.clone().unwrap_or_else(|| i.to_string()))
        .collect()
}

fn needs_groups(op: &'static str, pattern: &Pattern) -> Result<()> {
    if pattern.groups() == 0 {
        return Err(KernelError::Regex {
            pattern: pattern.as_str().to_string(),
            message: format!("{op}: pattern contains no capture groups"),
        });
    }
    Ok(())
}

/// pandas' `str.extract(pat, flags, expand)`: the groups of the first match. With
/// `expand`, or with several groups, a struct with one string field per group; without
/// `expand` and with one group, that group as a string column. A row without a match, or
/// a group that did not take part, is null.
///
/// # Errors
/// A pattern without groups, a non-string array, or a backtracking regex over its limit.
pub fn extract(array: &dyn Array, pattern: &Pattern, expand: bool) -> Result<ArrayRef> {
    needs_groups("extract", pattern)?;
    let p = pattern.clone();
    let locs = RefCell::new(p.locations());
    if !expand && p.groups() == 1 {
        return map_string(
            array,
            "extract",
            &|s, out| {
                let mut l = locs.borrow_mut();
                if !p.captures_at(s, 0, &mut l)? {
                    return Ok(false);
                }
                match l.spans[1] {
                    Some((a, b)) => {
                        out.push_str(&s[a..b]);
                        Ok(true)
                    }
                    None => Ok(false),
                }
            },
            None,
        );
    }
    map_struct(array, "extract", &group_names(&p), &|s, fields| {
        let mut l = locs.borrow_mut();
        if p.captures_at(s, 0, &mut l)? {
            for g in &l.spans[1..] {
                fields.push(g.map(|(a, b)| &s[a..b]));
            }
        }
        Ok(true)
    })
}

/// The struct fields of one row of a list-of-structs result.
struct StructList {
    names: Vec<String>,
    builders: Vec<GenericStringBuilder<i32>>,
    offsets: Vec<i32>,
    valid: Vec<bool>,
    items: usize,
    bytes: usize,
}

impl StructList {
    fn new(names: Vec<String>) -> Self {
        StructList {
            builders: names.iter().map(|_| GenericStringBuilder::new()).collect(),
            names,
            offsets: vec![0],
            valid: Vec::new(),
            items: 0,
            bytes: 0,
        }
    }

    fn push_item(
        &mut self,
        s: &str,
        groups: &[Option<(usize, usize)>],
        unmatched_empty: bool,
    ) -> Result<()> {
        for (b, g) in self.builders.iter_mut().zip(groups) {
            match g {
                Some((x, y)) => {
                    self.bytes += y - x;
                    b.append_value(&s[*x..*y]);
                }
                None if unmatched_empty => b.append_value(""),
                None => b.append_null(),
            }
        }
        if self.bytes > i32::MAX as usize {
            return Err(KernelError::OffsetOverflow { op: "extractall" });
        }
        self.items += 1;
        Ok(())
    }

    fn end_row(&mut self, valid: bool) -> Result<()> {
        self.valid.push(valid);
        self.offsets.push(
            i32::try_from(self.items)
                .map_err(|_| KernelError::OffsetOverflow { op: "extractall" })?,
        );
        Ok(())
    }

    fn finish(self, op: &'static str) -> Result<ArrayRef> {
        let len = self.items;
        let columns = self
            .builders
            .into_iter()
            .map(|mut b| Arc::new(b.finish()) as ArrayRef)
            .collect();
        let items = struct_of(op, &self.names, columns, vec![true; len])?;
        let fields: Fields = self
            .names
            .iter()
            .map(|n| Field::new(n, DataType::Utf8, true))
            .collect();
        let field = Arc::new(Field::new_list_field(DataType::Struct(fields), true));
        let nulls = if self.valid.iter().all(|&v| v) {
            None
        } else {
            Some(self.valid.into())
        };
        Ok(Arc::new(
            ListArray::try_new(field, OffsetBuffer::new(self.offsets.into()), items, nulls)
                .map_err(|e| KernelError::InvalidArgument {
                    op,
                    message: e.to_string(),
                })?,
        ))
    }
}

fn each_row_struct_list(
    array: &dyn Array,
    op: &'static str,
    pattern: &Pattern,
    names: Vec<String>,
    unmatched_empty: bool,
) -> Result<ArrayRef> {
    if let DataType::Dictionary(_, _) = array.data_type() {
        return on_dictionary_values(array, |v| {
            each_row_struct_list(v, op, pattern, names, unmatched_empty)
        });
    }
    let rows = Rows::new(array, op)?;
    let p = pattern.clone();
    let mut locs = p.locations();
    let mut out = StructList::new(names);
    for i in 0..rows.len() {
        match rows.get(i) {
            Some(s) => {
                p.for_each_match(s, true, &mut locs, |spans| {
                    out.push_item(s, &spans[1..], unmatched_empty)?;
                    Ok(true)
                })?;
                out.end_row(true)?;
            }
            None => out.end_row(false)?,
        }
    }
    out.finish(op)
}

/// pandas' `str.extractall(pat, flags)`: for each row, a list with one struct of groups
/// per match (pandas puts these in rows under a `match` index level). A group that did
/// not take part is null; a row without a match has an empty list.
///
/// # Errors
/// A pattern without groups, a non-string array, or a backtracking regex over its limit.
pub fn extractall(array: &dyn Array, pattern: &Pattern) -> Result<ArrayRef> {
    needs_groups("extractall", pattern)?;
    each_row_struct_list(array, "extractall", pattern, group_names(pattern), false)
}

/// Python's `re.findall`: for each row, a `List<Utf8>` of the matches (or of group 1's
/// text when the pattern has one group), or, with several groups, a list of structs of
/// the groups' texts. A group that did not take part gives `""`, as in Python.
///
/// # Errors
/// A non-string array, or a backtracking regex over its limit.
pub fn findall(array: &dyn Array, pattern: &Pattern) -> Result<ArrayRef> {
    if pattern.groups() > 1 {
        let names = (0..pattern.groups()).map(|i| i.to_string()).collect();
        return each_row_struct_list(array, "findall", pattern, names, true);
    }
    let p = pattern.clone();
    let locs = RefCell::new(p.locations());
    let group = p.groups();
    map_list(array, "findall", &|s, row| {
        p.for_each_match(s, group > 0, &mut locs.borrow_mut(), |spans| {
            match spans[group] {
                Some((a, b)) => row.push(&s[a..b]),
                None => row.push(""),
            }
            Ok(true)
        })
    })
}

/// DuckDB's `regexp_extract(s, pattern, group)`: the text of `group` in the first match
/// (group 0 is the whole match), `""` without a match or when the group did not take
/// part; null stays null.
///
/// # Errors
/// A non-string array, or a backtracking regex over its limit.
pub fn regexp_extract(array: &dyn Array, pattern: &Pattern, group: usize) -> Result<ArrayRef> {
    let p = pattern.clone();
    let locs = RefCell::new(p.locations());
    map_string(
        array,
        "regexp_extract",
        &|s, out| {
            let mut l = locs.borrow_mut();
            if p.captures_at(s, 0, &mut l)? {
                if let Some(Some((a, b))) = l.spans.get(group) {
                    out.push_str(&s[*a..*b]);
                }
            }
            Ok(true)
        },
        None,
    )
}
