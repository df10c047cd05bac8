//! Reading Parquet with the `parquet` crate: the file is mapped, its footer read at open,
//! and a column decoded only when a query first touches it, one task per row group on the
//! rayon pool. Each row group becomes one batch of the table.

use std::path::{Path, PathBuf};

use arrow_array::ArrayRef;
use arrow_schema::SchemaRef;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::ProjectionMask;
use rayon::prelude::*;

use crate::error::{Error, Result};

/// A Parquet file whose footer has been read.
#[derive(Debug)]
pub(crate) struct ParquetFile {
    path: PathBuf,
    data: bytes::Bytes,
    metadata: ArrowReaderMetadata,
    /// The row groups that hold rows, in file order; one batch each.
    row_groups: Vec<usize>,
    pub(crate) schema: SchemaRef,
    pub(crate) batch_rows: Vec<usize>,
    /// Uncompressed bytes of each column, from the footer.
    pub(crate) column_bytes: Vec<u64>,
}

fn bad(path: &Path, location: impl Into<String>, reason: impl Into<String>) -> Error {
    Error::BadFile {
        path: path.to_path_buf(),
        format: "Parquet",
        location: location.into(),
        reason: reason.into(),
    }
}

impl ParquetFile {
    /// Maps `path` and reads its footer and schema.
    pub(crate) fn open(path: &Path) -> Result<ParquetFile> {
        let data = super::map_bytes(path)?;
        if data.len() < 12 || &data[..4] != b"PAR1" || &data[data.len() - 4..] != b"PAR1" {
            return Err(bad(
                path,
                format!("byte {}", data.len()),
                "no PAR1 magic at both ends (not Parquet, or truncated)",
            ));
        }
        let metadata = ArrowReaderMetadata::load(&data, ArrowReaderOptions::new())
            .map_err(|e| bad(path, "footer", e.to_string()))?;
        let schema = metadata.schema().clone();
        let parquet = metadata.metadata();
        let descr = metadata.parquet_schema();
        let mut column_bytes = vec![0u64; schema.fields().len()];
        let mut row_groups = Vec::new();
        let mut batch_rows = Vec::new();
        for (i, rg) in parquet.row_groups().iter().enumerate() {
            for (leaf, chunk) in rg.columns().iter().enumerate() {
                let root = descr.get_column_root_idx(leaf);
                if let Some(b) = column_bytes.get_mut(root) {
                    *b += chunk.uncompressed_size().max(0) as u64;
                }
            }
            let rows = usize::try_from(rg.num_rows())
                .map_err(|_| bad(path, format!("row group {i}"), "negative row count"))?;
            if rows > 0 {
                row_groups.push(i);
                batch_rows.push(rows);
            }
        }
        Ok(ParquetFile {
            path: path.to_path_buf(),
            data,
            metadata,
            row_groups,
            schema,
            batch_rows,
            column_bytes,
        })
    }

    /// Decodes one column, each row group on its own task.
    pub(crate) fn decode_column(&self, column: usize) -> Result<Vec<ArrayRef>> {
        let name = self.schema.field(column).name();
        let mask = ProjectionMask::roots(self.metadata.parquet_schema(), [column]);
        self.row_groups
            .par_iter()
            .zip(&self.batch_rows)
            .map(|(&rg, &rows)| {
                let location = || format!("column {name:?}, row group {rg}");
                let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(
                    self.data.clone(),
                    self.metadata.clone(),
                )
                .with_projection(mask.clone())
                .with_row_groups(vec![rg])
                .with_batch_size(rows)
                .build()
                .map_err(|e| bad(&self.path, location(), e.to_string()))?;
                let mut arrays = Vec::with_capacity(1);
                for batch in reader {
                    let batch = batch.map_err(|e| bad(&self.path, location(), e.to_string()))?;
                    arrays.push(batch.column(0).clone());
                }
                let array = match arrays.len() {
                    1 => arrays.pop().expect("one"),
                    _ => {
                        let parts: Vec<&dyn arrow_array::Array> =
                            arrays.iter().map(|a| a.as_ref()).collect();
                        arrow_select::concat::concat(&parts)
                            .map_err(|e| bad(&self.path, location(), e.to_string()))?
                    }
                };
                if array.len() != rows {
                    return Err(bad(
                        &self.path,
                        location(),
                        format!("{} rows decoded, the footer says {rows}", array.len()),
                    ));
                }
                Ok(array)
            })
            .collect()
    }
}
