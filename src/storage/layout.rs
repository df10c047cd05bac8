//! The IPC buffer layout of each Arrow type: how many field nodes and buffers a column of
//! a type takes in a record-batch message, and how each buffer must be aligned to be used
//! in place. The open-time checks walk this to bound every buffer and decide whether a
//! file can be mapped without copying.

use arrow_ipc::MetadataVersion;
use arrow_schema::{DataType, Field, UnionMode};

/// One buffer a column reads, in message order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BufferSpec {
    /// Alignment (bytes) the typed slice over this buffer needs to be used in place.
    pub align: usize,
    /// Bytes per value: the buffer's length must be a multiple of it (1 for bitmaps and
    /// variable-length bytes).
    pub width: usize,
}

/// Appends the buffers of `field` (and its children) and counts its field nodes.
///
/// `variadic` yields the extra data-buffer counts of view columns, in message order.
pub(crate) fn field_layout(
    field: &Field,
    version: MetadataVersion,
    variadic: &mut dyn Iterator<Item = i64>,
    buffers: &mut Vec<BufferSpec>,
    nodes: &mut usize,
) -> Result<(), String> {
    let validity = BufferSpec { align: 1, width: 1 };
    let aligned = |align: usize| BufferSpec {
        align,
        width: align,
    };
    *nodes += 1;
    match field.data_type() {
        DataType::Null => {}
        DataType::Utf8 | DataType::Binary => buffers.extend([validity, aligned(4), aligned(1)]),
        DataType::LargeUtf8 | DataType::LargeBinary => {
            buffers.extend([validity, aligned(8), aligned(1)])
        }
        DataType::Utf8View | DataType::BinaryView => {
            let extra = variadic.next().ok_or_else(|| {
                format!("column {:?}: missing variadic buffer count", field.name())
            })?;
            let extra = usize::try_from(extra).map_err(|_| {
                format!("column {:?}: negative variadic buffer count", field.name())
            })?;
            buffers.extend([validity, aligned(16)]);
            buffers.extend(std::iter::repeat_n(aligned(1), extra));
        }
        DataType::Boolean | DataType::FixedSizeBinary(_) => buffers.extend([validity, aligned(1)]),
        DataType::List(child) | DataType::Map(child, _) => {
            buffers.extend([validity, aligned(4)]);
            field_layout(child, version, variadic, buffers, nodes)?;
        }
        DataType::LargeList(child) => {
            buffers.extend([validity, aligned(8)]);
            field_layout(child, version, variadic, buffers, nodes)?;
        }
        DataType::ListView(child) => {
            buffers.extend([validity, aligned(4), aligned(4)]);
            field_layout(child, version, variadic, buffers, nodes)?;
        }
        DataType::LargeListView(child) => {
            buffers.extend([validity, aligned(8), aligned(8)]);
            field_layout(child, version, variadic, buffers, nodes)?;
        }
        DataType::FixedSizeList(child, _) => {
            buffers.push(validity);
            field_layout(child, version, variadic, buffers, nodes)?;
        }
        DataType::Struct(children) => {
            buffers.push(validity);
            for child in children {
                field_layout(child, version, variadic, buffers, nodes)?;
            }
        }
        DataType::Union(children, mode) => {
            if version < MetadataVersion::V5 {
                buffers.push(validity);
            }
            buffers.push(aligned(1));
            if *mode == UnionMode::Dense {
                buffers.push(aligned(4));
            }
            for (_, child) in children.iter() {
                field_layout(child, version, variadic, buffers, nodes)?;
            }
        }
        DataType::RunEndEncoded(run_ends, values) => {
            field_layout(run_ends, version, variadic, buffers, nodes)?;
            field_layout(values, version, variadic, buffers, nodes)?;
        }
        DataType::Dictionary(key, _) => {
            let width = key.primitive_width().unwrap_or(8);
            buffers.extend([validity, aligned(width)]);
        }
        DataType::Interval(arrow_schema::IntervalUnit::MonthDayNano) => buffers.extend([
            validity,
            BufferSpec {
                align: 8,
                width: 16,
            },
        ]),
        other => match other.primitive_width() {
            Some(width) => buffers.extend([
                validity,
                BufferSpec {
                    align: width.min(16),
                    width,
                },
            ]),
            None => {
                return Err(format!(
                    "column {:?}: unsupported type {other}",
                    field.name()
                ))
            }
        },
    }
    Ok(())
}

/// True when `field`'s type contains a dictionary anywhere.
pub(crate) fn has_dictionary(data_type: &DataType) -> bool {
    match data_type {
        DataType::Dictionary(_, _) => true,
        DataType::List(c)
        | DataType::LargeList(c)
        | DataType::ListView(c)
        | DataType::LargeListView(c)
        | DataType::FixedSizeList(c, _)
        | DataType::Map(c, _) => has_dictionary(c.data_type()),
        DataType::Struct(children) => children.iter().any(|c| has_dictionary(c.data_type())),
        DataType::Union(children, _) => children.iter().any(|(_, c)| has_dictionary(c.data_type())),
        DataType::RunEndEncoded(a, b) => {
            has_dictionary(a.data_type()) || has_dictionary(b.data_type())
        }
        _ => false,
    }
}

/// The value type of the dictionary with IPC id `id` inside `field`, if there is one.
pub(crate) fn dictionary_value_type(field: &Field, id: i64) -> Option<DataType> {
    match field.data_type() {
        DataType::Dictionary(_, values) => {
            #[allow(deprecated)] // arrow still keys IPC dictionaries by the field's id
            let field_id = field.dict_id();
            (field_id == Some(id)).then(|| values.as_ref().clone())
        }
        DataType::List(c)
        | DataType::LargeList(c)
        | DataType::ListView(c)
        | DataType::LargeListView(c)
        | DataType::FixedSizeList(c, _)
        | DataType::Map(c, _) => dictionary_value_type(c, id),
        DataType::Struct(children) => children.iter().find_map(|c| dictionary_value_type(c, id)),
        DataType::Union(children, _) => children
            .iter()
            .find_map(|(_, c)| dictionary_value_type(c, id)),
        DataType::RunEndEncoded(a, b) => {
            dictionary_value_type(a, id).or_else(|| dictionary_value_type(b, id))
        }
        _ => None,
    }
}
