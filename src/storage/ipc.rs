//! Opening an Arrow IPC file: map it, check its structure, and decode columns on demand.
//!
//! At open, spindle reads only metadata: the footer, the schema, and every record batch's
//! message header, whose field nodes and buffers are bounded against the file and counted
//! against the schema's layout. Nothing in the data pages is read, so opening a file of
//! any size costs milliseconds. The O(data) checks (offsets in range, UTF-8) run when a
//! query first touches a column, once, for that column only ([`IpcFile::decode_column`]).
//!
//! A file is *mapped* when its buffers are uncompressed and aligned: arrays then point
//! into the mapping and nothing is copied. A compressed file is decompressed when a column
//! is touched; a misaligned buffer is copied into an aligned one; a file in the IPC stream
//! format has its messages checked the same way, then is decoded whole at open.
//! [`StorageMode`] says which. A compressed buffer's declared size is bounded by what its
//! codec can expand to, before arrow allocates it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_buffer::Buffer;
use arrow_ipc::reader::{FileDecoder, StreamReader};
use arrow_ipc::{Block, CompressionType, MessageHeader, MetadataVersion};
use arrow_schema::SchemaRef;
use rayon::prelude::*;

use super::layout::{dictionary_value_type, field_layout, has_dictionary, BufferSpec};
use super::StorageMode;
use crate::error::{Error, Result};

const FILE_MAGIC: &[u8; 6] = b"ARROW1";
const CONTINUATION: [u8; 4] = [0xFF; 4];
/// The most rows one record or dictionary batch may declare.
const MAX_BATCH_ROWS: usize = u32::MAX as usize;

/// What opening a path gave.
pub(crate) enum Opened {
    /// An IPC file: metadata checked, columns decoded on demand.
    File(IpcFile),
    /// An IPC stream: decoded whole.
    Stream {
        schema: SchemaRef,
        batches: Vec<RecordBatch>,
    },
}

/// A checked IPC file over its mapped bytes.
#[derive(Debug)]
pub(crate) struct IpcFile {
    path: PathBuf,
    data: Buffer,
    pub(crate) schema: SchemaRef,
    version: MetadataVersion,
    blocks: Vec<Block>,
    dictionary_blocks: Vec<Block>,
    pub(crate) batch_rows: Vec<usize>,
    pub(crate) column_bytes: Vec<u64>,
    pub(crate) mode: StorageMode,
    aligned: bool,
}

fn corrupt(path: &Path, location: impl Into<String>, reason: impl Into<String>) -> Error {
    Error::Corrupt {
        path: path.to_path_buf(),
        location: location.into(),
        reason: reason.into(),
    }
}

/// Opens `path` as an Arrow IPC file or stream.
pub(crate) fn open(path: &Path) -> Result<Opened> {
    let data = Buffer::from(super::map_bytes(path)?);
    if data.is_empty() {
        return Err(corrupt(path, "byte 0", "the file is empty"));
    }
    if data.len() >= 6 && &data[..6] == FILE_MAGIC {
        return IpcFile::check(path, data).map(Opened::File);
    }
    if data.len() >= 8 && data[..4] == CONTINUATION {
        check_stream(path, &data)?;
        return read_stream(path, &data);
    }
    Err(corrupt(
        path,
        "byte 0",
        "no Arrow file magic (ARROW1) and no Arrow stream message at the start",
    ))
}

fn read_stream(path: &Path, data: &[u8]) -> Result<Opened> {
    let stream_err = |e: arrow_schema::ArrowError| corrupt(path, "stream", e.to_string());
    let reader = StreamReader::try_new(std::io::Cursor::new(data), None).map_err(stream_err)?;
    let schema = reader.schema();
    let batches = reader
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(stream_err)?;
    Ok(Opened::Stream { schema, batches })
}

/// Bounds every message of a stream, as [`IpcFile::check`] does a file's blocks, before
/// arrow's stream reader (which slices buffers unchecked) decodes it.
fn check_stream(path: &Path, data: &Buffer) -> Result<()> {
    let (mut at, len) = (0usize, data.len());
    let (mut schema, mut version) = (None, MetadataVersion::V5);
    let (mut blocks, mut dictionary_blocks) = (Vec::new(), Vec::new());
    while at + 8 <= len {
        let (prefix, fb_len) = if data[at..at + 4] == CONTINUATION {
            (8, read_i32(data, at + 4))
        } else {
            (4, read_i32(data, at))
        };
        if fb_len == 0 {
            break; // the end-of-stream marker
        }
        let here = |reason: String| corrupt(path, format!("message at byte {at}"), reason);
        let fb_end = usize::try_from(fb_len)
            .ok()
            .and_then(|l| (at + prefix).checked_add(l))
            .filter(|&e| e <= len)
            .ok_or_else(|| here(format!("message length {fb_len} runs past the end")))?;
        let message = arrow_ipc::root_as_message(&data[at + prefix..fb_end])
            .map_err(|e| here(e.to_string()))?;
        let end = usize::try_from(message.bodyLength())
            .ok()
            .and_then(|b| fb_end.checked_add(b))
            .filter(|&e| e <= len)
            .ok_or_else(|| {
                here(format!(
                    "body of {} bytes runs past the end (truncated stream?)",
                    message.bodyLength()
                ))
            })?;
        let block = Block::new(at as i64, (fb_end - at) as i32, (end - fb_end) as i64);
        match message.header_type() {
            MessageHeader::Schema if schema.is_none() => {
                let fb = message
                    .header_as_schema()
                    .ok_or_else(|| here("schema message without a schema".into()))?;
                schema = Some(Arc::new(
                    arrow_ipc::convert::try_fb_to_schema(fb).map_err(|e| here(e.to_string()))?,
                ));
                version = message.version();
            }
            MessageHeader::RecordBatch => blocks.push(block),
            MessageHeader::DictionaryBatch => dictionary_blocks.push(block),
            other => return Err(here(format!("unexpected message type {other:?}"))),
        }
        at = end;
    }
    let schema = schema.ok_or_else(|| corrupt(path, "byte 0", "stream has no schema message"))?;
    IpcFile::new(
        path,
        data.clone(),
        schema,
        version,
        blocks,
        dictionary_blocks,
        len,
    )?;
    Ok(())
}

fn read_i32(data: &[u8], at: usize) -> i32 {
    i32::from_le_bytes(data[at..at + 4].try_into().expect("4 bytes"))
}

/// Checks a compressed buffer's declared uncompressed length against what its codec can
/// make of its compressed bytes. The decoder allocates the declared length before it
/// decompresses, so a damaged length would otherwise ask for terabytes (and abort).
/// LZ4 expands at most about 255 times; a zstd block at most 32,768 times (a 128 KiB
/// run stored as a 4-byte RLE block). Gives the uncompressed length.
fn check_declared_size(
    codec: CompressionType,
    buffer: &[u8],
) -> std::result::Result<usize, String> {
    // An empty buffer has no length prefix; -1 marks a buffer stored uncompressed.
    if buffer.is_empty() {
        return Ok(0);
    }
    let Some(prefix) = buffer.get(..8) else {
        return Err(format!(
            "compressed buffer of {} bytes has no 8-byte length",
            buffer.len()
        ));
    };
    let declared = i64::from_le_bytes(prefix.try_into().expect("8 bytes"));
    let compressed = buffer.len() - 8;
    let ratio = if codec == CompressionType::LZ4_FRAME {
        256
    } else {
        32_768
    };
    let limit = compressed.saturating_mul(ratio).saturating_add(1024);
    match usize::try_from(declared) {
        _ if declared == -1 => Ok(compressed),
        Ok(n) if n <= limit => Ok(n),
        _ => Err(format!(
            "compressed buffer declares {declared} bytes uncompressed, more than {codec:?} can make of {compressed} bytes"
        )),
    }
}

impl IpcFile {
    /// Checks the footer, the schema and every block's metadata against `data`.
    fn check(path: &Path, data: Buffer) -> Result<IpcFile> {
        let len = data.len();
        if len < 8 + 10 {
            return Err(corrupt(
                path,
                format!("byte {len}"),
                "file is shorter than an Arrow file header and trailer (truncated?)",
            ));
        }
        if &data[len - 6..] != FILE_MAGIC {
            return Err(corrupt(
                path,
                format!("byte {}", len - 6),
                "no ARROW1 magic at the end (truncated file?)",
            ));
        }
        let footer_len = read_i32(&data, len - 10);
        let footer_start = usize::try_from(footer_len)
            .ok()
            .and_then(|f| (len - 10).checked_sub(f))
            .filter(|&start| start >= 8)
            .ok_or_else(|| {
                corrupt(
                    path,
                    format!("byte {}", len - 10),
                    format!("footer length {footer_len} does not fit the file"),
                )
            })?;
        let footer = arrow_ipc::root_as_footer(&data[footer_start..len - 10])
            .map_err(|e| corrupt(path, format!("footer (byte {footer_start})"), e.to_string()))?;
        let fb_schema = footer
            .schema()
            .ok_or_else(|| corrupt(path, "footer", "no schema"))?;
        if !fb_schema.endianness().equals_to_target_endianness() {
            return Err(corrupt(
                path,
                "schema",
                "byte order differs from this machine's",
            ));
        }
        let schema: SchemaRef = Arc::new(
            arrow_ipc::convert::try_fb_to_schema(fb_schema)
                .map_err(|e| corrupt(path, "schema", e.to_string()))?,
        );
        let version = footer.version();
        let blocks: Vec<Block> = footer
            .recordBatches()
            .map(|b| b.iter().copied().collect())
            .unwrap_or_default();
        let dictionary_blocks: Vec<Block> = footer
            .dictionaries()
            .map(|b| b.iter().copied().collect())
            .unwrap_or_default();

        IpcFile::new(
            path,
            data,
            schema,
            version,
            blocks,
            dictionary_blocks,
            footer_start,
        )
    }

    /// Checks every block's metadata against `data`, whose blocks end by `footer_start`.
    fn new(
        path: &Path,
        data: Buffer,
        schema: SchemaRef,
        version: MetadataVersion,
        blocks: Vec<Block>,
        dictionary_blocks: Vec<Block>,
        footer_start: usize,
    ) -> Result<IpcFile> {
        let mut file = IpcFile {
            path: path.to_path_buf(),
            data,
            column_bytes: vec![0; schema.fields().len()],
            schema,
            version,
            blocks,
            dictionary_blocks,
            batch_rows: Vec::new(),
            mode: StorageMode::Mapped,
            aligned: true,
        };
        let mut compression = None;
        for i in 0..file.blocks.len() {
            let rows = file.check_block(i, false, footer_start, &mut compression)?;
            file.batch_rows.push(rows);
        }
        for i in 0..file.dictionary_blocks.len() {
            file.check_block(i, true, footer_start, &mut compression)?;
        }
        file.mode = match (compression, file.aligned) {
            (Some(codec), _) => StorageMode::Decoded(format!(
                "{codec} compressed: decompressed when a column is read"
            )),
            (None, false) => {
                StorageMode::Decoded("misaligned buffers: copied when a column is read".into())
            }
            (None, true) => StorageMode::Mapped,
        };
        Ok(file)
    }

    /// Bounds one block's message and buffers; returns its row count.
    fn check_block(
        &mut self,
        index: usize,
        dictionary: bool,
        footer_start: usize,
        compression: &mut Option<String>,
    ) -> Result<usize> {
        let path = self.path.clone();
        let kind = if dictionary {
            "dictionary batch"
        } else {
            "batch"
        };
        let block = if dictionary {
            self.dictionary_blocks[index]
        } else {
            self.blocks[index]
        };
        let here = |reason: String| {
            corrupt(
                &path,
                format!("{kind} {index} (byte {})", block.offset()),
                reason,
            )
        };
        let (offset, meta, body) = (block.offset(), block.metaDataLength(), block.bodyLength());
        let (Ok(offset), Ok(meta), Ok(body)) = (
            usize::try_from(offset),
            usize::try_from(meta),
            usize::try_from(body),
        ) else {
            return Err(here("negative offset or length in the footer".into()));
        };
        let end = offset.checked_add(meta).and_then(|m| m.checked_add(body));
        if offset < 8 || meta < 8 || end.is_none_or(|e| e > footer_start) {
            return Err(here(format!("block of {meta}+{body} bytes at byte {offset} lies outside the data section (truncated file?)")));
        }
        let metadata = &self.data[offset..offset + meta];
        let (fb_start, fb_len) = if metadata[..4] == CONTINUATION {
            (8, read_i32(metadata, 4))
        } else {
            (4, read_i32(metadata, 0))
        };
        let fb_end = usize::try_from(fb_len)
            .ok()
            .map(|l| fb_start + l)
            .filter(|&e| e <= meta);
        let Some(fb_end) = fb_end else {
            return Err(here(format!(
                "message length {fb_len} exceeds its block of {meta} bytes"
            )));
        };
        let message = arrow_ipc::root_as_message(&metadata[fb_start..fb_end])
            .map_err(|e| here(e.to_string()))?;
        if self.version != MetadataVersion::V1 && message.version() != self.version {
            return Err(here(format!(
                "message version {:?} differs from the footer's {:?}",
                message.version(),
                self.version
            )));
        }
        let batch = match (dictionary, message.header_type()) {
            (false, MessageHeader::RecordBatch) => message.header_as_record_batch(),
            (true, MessageHeader::DictionaryBatch) => {
                message.header_as_dictionary_batch().and_then(|d| d.data())
            }
            (_, other) => return Err(here(format!("unexpected message type {other:?}"))),
        }
        .ok_or_else(|| here("message has no record batch".into()))?;
        let rows =
            usize::try_from(batch.length()).map_err(|_| here("negative row count".into()))?;
        // Columns of type Null have no buffers, and a batch may have no columns, so
        // nothing else bounds a batch's length; spindle indexes a batch's rows with u32
        // (arrow's take indices).
        if rows > MAX_BATCH_ROWS {
            return Err(here(format!(
                "{rows} rows in one batch, more than the {MAX_BATCH_ROWS} spindle reads"
            )));
        }
        let codec = batch.compression().map(|c| c.codec());
        if let Some(c) = codec {
            compression.get_or_insert_with(|| format!("{c:?}"));
        }

        // The fields whose layout this message follows: the whole schema for a record
        // batch, the dictionary's value type for a dictionary batch.
        let dict_field;
        let fields: Vec<&arrow_schema::Field> = if dictionary {
            let id = message
                .header_as_dictionary_batch()
                .map(|d| d.id())
                .unwrap_or_default();
            let value_type = self
                .schema
                .fields()
                .iter()
                .find_map(|f| dictionary_value_type(f, id))
                .ok_or_else(|| here(format!("dictionary id {id} belongs to no column")))?;
            dict_field = arrow_schema::Field::new("values", value_type, true);
            vec![&dict_field]
        } else {
            self.schema.fields().iter().map(|f| f.as_ref()).collect()
        };

        let nodes = batch
            .nodes()
            .map(|n| n.iter().copied().collect::<Vec<_>>())
            .unwrap_or_default();
        let buffers = batch
            .buffers()
            .map(|b| b.iter().copied().collect::<Vec<_>>())
            .unwrap_or_default();
        let variadic: Vec<i64> = batch
            .variadicBufferCounts()
            .map(|v| v.iter().collect())
            .unwrap_or_default();
        // Each variadic count is a number of the message's buffers; a damaged one must not
        // size the layout (it would ask for billions of buffer specs).
        let claimed = variadic
            .iter()
            .try_fold(0u64, |sum, &n| sum.checked_add(u64::try_from(n).ok()?));
        if claimed.is_none_or(|n| n > buffers.len() as u64) {
            return Err(here(format!(
                "variadic buffer counts {variadic:?} exceed the message's {} buffers",
                buffers.len()
            )));
        }
        let mut variadic = variadic.into_iter();
        let body_start = offset + meta;
        let (mut specs, mut node_count) = (Vec::<BufferSpec>::new(), 0usize);
        for (column, field) in fields.iter().enumerate() {
            let (first_buffer, first_node) = (specs.len(), node_count);
            field_layout(
                field,
                self.version,
                &mut variadic,
                &mut specs,
                &mut node_count,
            )
            .map_err(here)?;
            if specs.len() > buffers.len() || node_count > nodes.len() {
                return Err(here(format!(
                    "column {:?} needs {} buffers and {} field nodes, the message has {} and {}",
                    field.name(),
                    specs.len(),
                    node_count,
                    buffers.len(),
                    nodes.len()
                )));
            }
            // The column's node and its children's.
            for node in &nodes[first_node..node_count] {
                if node.length() < 0 || node.null_count() < 0 || node.null_count() > node.length() {
                    return Err(here(format!(
                        "column {:?}: bad length {} / null count {}",
                        field.name(),
                        node.length(),
                        node.null_count()
                    )));
                }
            }
            let node = nodes[first_node];
            if !dictionary && node.length() as u64 != rows as u64 {
                return Err(here(format!(
                    "column {:?} has {} rows, its batch {rows}",
                    field.name(),
                    node.length()
                )));
            }
            let mut bytes = 0u64;
            for (spec, buf) in specs[first_buffer..]
                .iter()
                .zip(&buffers[first_buffer..specs.len()])
            {
                let (Ok(b_off), Ok(b_len)) =
                    (usize::try_from(buf.offset()), usize::try_from(buf.length()))
                else {
                    return Err(here(format!(
                        "column {:?}: negative buffer offset or length",
                        field.name()
                    )));
                };
                if b_off.checked_add(b_len).is_none_or(|e| e > body) {
                    return Err(here(format!(
                        "column {:?}: buffer at {b_off}+{b_len} lies outside the {body}-byte message body",
                        field.name()
                    )));
                }
                if b_len > 0 && (body_start + b_off) % spec.align != 0 {
                    self.aligned = false;
                }
                // Arrow views a fixed-width buffer as whole values only (a ragged tail
                // panics inside arrow), so its length must be a multiple of the width.
                let declared = match codec {
                    Some(codec) => {
                        let start = body_start + b_off;
                        check_declared_size(codec, &self.data[start..start + b_len]).map_err(
                            |reason| here(format!("column {:?}: {reason}", field.name())),
                        )?
                    }
                    None => b_len,
                };
                if declared % spec.width != 0 {
                    return Err(here(format!(
                        "column {:?}: a buffer of {declared} bytes is not a whole number of {}-byte values",
                        field.name(),
                        spec.width
                    )));
                }
                bytes += b_len as u64;
            }
            if !dictionary {
                self.column_bytes[column] += bytes;
            }
        }
        Ok(rows)
    }

    /// Decodes one column across all batches, validating offsets and UTF-8 as it goes.
    /// Batches decode in parallel on the current rayon pool.
    pub(crate) fn decode_column(&self, column: usize) -> Result<Vec<ArrayRef>> {
        let field = self.schema.field(column);
        let mut decoder =
            FileDecoder::new(self.schema.clone(), self.version).with_projection(vec![column]);
        if has_dictionary(field.data_type()) {
            for (i, block) in self.dictionary_blocks.iter().enumerate() {
                decoder
                    .read_dictionary(block, &self.block_bytes(block))
                    .map_err(|e| {
                        self.invalid(field.name(), i, 0, format!("dictionary batch: {e}"))
                    })?;
            }
        }
        let first_rows: Vec<usize> = self
            .batch_rows
            .iter()
            .scan(0, |acc, &n| {
                let start = *acc;
                *acc += n;
                Some(start)
            })
            .collect();
        self.blocks
            .par_iter()
            .enumerate()
            .map(|(i, block)| {
                let batch = decoder
                    .read_record_batch(block, &self.block_bytes(block))
                    .map_err(|e| self.invalid(field.name(), i, first_rows[i], e.to_string()))?
                    .ok_or_else(|| {
                        self.invalid(field.name(), i, first_rows[i], "empty message".into())
                    })?;
                Ok(batch.column(0).clone())
            })
            .collect()
    }

    fn block_bytes(&self, block: &Block) -> Buffer {
        let len = block.metaDataLength() as usize + block.bodyLength() as usize;
        self.data.slice_with_length(block.offset() as usize, len)
    }

    fn invalid(&self, column: &str, batch: usize, first_row: usize, reason: String) -> Error {
        Error::InvalidData {
            path: self.path.clone(),
            column: column.to_string(),
            batch,
            first_row,
            reason,
        }
    }

    /// The mapped bytes, for zero-copy checks.
    pub(crate) fn mapped_range(&self) -> std::ops::Range<usize> {
        let start = self.data.as_ptr() as usize;
        start..start + self.data.len()
    }
}
