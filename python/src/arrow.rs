//! The Arrow PyCapsule interface, both ways, with no copy of any value.
//!
//! Out: a frame is an `arrow_array_stream` capsule (`__arrow_c_stream__`) over its batches,
//! and its schema an `arrow_schema` capsule (`__arrow_c_schema__`). The exported arrays
//! hold references to their buffers, so a mapped file stays mapped for as long as a
//! consumer (pyarrow, polars, duckdb) keeps the data, after the spindle frame is gone.
//!
//! In: anything with `__arrow_c_stream__` (pyarrow tables and readers, polars and pandas
//! frames, duckdb relations) or `__arrow_c_array__` (record batches, struct arrays) is read
//! through arrow's C stream and C data interfaces; the buffers are the producer's.
//!
//! The capsules' pointers are the only unsafe code of the package; each use is argued.

use std::ffi::CStr;

use arrow_array::ffi::{from_ffi, FFI_ArrowArray, FFI_ArrowSchema};
use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::{Array, RecordBatch, RecordBatchIterator, RecordBatchReader, StructArray};
use arrow_schema::{ArrowError, Schema, SchemaRef};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyTuple};

const STREAM: &CStr = c"arrow_array_stream";
const SCHEMA: &CStr = c"arrow_schema";
const ARRAY: &CStr = c"arrow_array";

fn arrow_error(e: ArrowError) -> PyErr {
    PyValueError::new_err(format!("Arrow C interface: {e}"))
}

/// An `arrow_array_stream` capsule over `batches`.
pub(crate) fn stream_capsule<'py>(
    py: Python<'py>,
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
    requested: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyCapsule>> {
    if let Some(requested) = requested.filter(|r| !r.is_none()) {
        // A consumer may ask for a schema; spindle gives its own unless they are equal
        // (casting on export is the consumer's choice, as the interface allows).
        let _ = schema_from_capsule(&requested)?;
    }
    let reader: Box<dyn RecordBatchReader + Send> = Box::new(RecordBatchIterator::new(
        batches.into_iter().map(Ok),
        schema,
    ));
    let stream = FFI_ArrowArrayStream::new(reader);
    PyCapsule::new_with_value(py, stream, STREAM)
}

/// An `arrow_schema` capsule for `schema`.
pub(crate) fn schema_capsule<'py>(
    py: Python<'py>,
    schema: &Schema,
) -> PyResult<Bound<'py, PyCapsule>> {
    let ffi = FFI_ArrowSchema::try_from(schema).map_err(arrow_error)?;
    PyCapsule::new_with_value(py, ffi, SCHEMA)
}

fn schema_from_capsule(capsule: &Bound<'_, PyAny>) -> PyResult<Schema> {
    let capsule = capsule.cast::<PyCapsule>()?;
    let ptr = capsule.pointer_checked(Some(SCHEMA))?;
    // SAFETY: the capsule is named `arrow_schema`, which the PyCapsule interface reserves
    // for a pointer to an `ArrowSchema` struct that lives as long as the capsule; it is
    // only read here, while the capsule is borrowed.
    let ffi = unsafe { ptr.cast::<FFI_ArrowSchema>().as_ref() };
    Schema::try_from(ffi).map_err(arrow_error)
}

/// The schema and record batches of any object that exports Arrow through the PyCapsule
/// interface.
pub(crate) fn import(obj: &Bound<'_, PyAny>) -> PyResult<(SchemaRef, Vec<RecordBatch>)> {
    if obj.hasattr("__arrow_c_stream__")? {
        let capsule = obj.call_method0("__arrow_c_stream__")?;
        let capsule = capsule.cast::<PyCapsule>()?;
        let ptr = capsule.pointer_checked(Some(STREAM))?;
        // SAFETY: the capsule is named `arrow_array_stream`: it points to a valid
        // `ArrowArrayStream`, which `from_raw` moves out of (leaving it released), as the
        // interface lets a consumer do; the capsule's destructor then has nothing to free.
        let reader = unsafe { RecordBatchStreamReader::from_raw(ptr.cast().as_ptr()) }
            .map_err(arrow_error)?;
        let schema = reader.schema();
        let batches = reader.collect::<Result<Vec<_>, _>>().map_err(arrow_error)?;
        return Ok((schema, batches));
    }
    if obj.hasattr("__arrow_c_array__")? {
        let pair = obj.call_method0("__arrow_c_array__")?;
        let pair = pair.cast::<PyTuple>()?;
        let (schema_capsule, array_capsule) = (pair.get_item(0)?, pair.get_item(1)?);
        let schema_capsule = schema_capsule.cast::<PyCapsule>()?;
        let array_capsule = array_capsule.cast::<PyCapsule>()?;
        let schema_ptr = schema_capsule.pointer_checked(Some(SCHEMA))?;
        let array_ptr = array_capsule.pointer_checked(Some(ARRAY))?;
        // SAFETY: named `arrow_array`, the capsule points to a valid `ArrowArray`; it is
        // moved out (the capsule's copy is left released), as the interface allows.
        let array = unsafe { FFI_ArrowArray::from_raw(array_ptr.cast().as_ptr()) };
        // SAFETY: named `arrow_schema`, it points to a valid `ArrowSchema`, only read here
        // while the capsule is borrowed.
        let schema = unsafe { schema_ptr.cast::<FFI_ArrowSchema>().as_ref() };
        // SAFETY: `array` and `schema` come from the same producer call, which describes
        // the array by that schema.
        let data = unsafe { from_ffi(array, schema) }.map_err(arrow_error)?;
        let array = arrow_array::make_array(data);
        let Some(columns) = array.as_any().downcast_ref::<StructArray>() else {
            return Err(PyTypeError::new_err(format!(
                "an Arrow array of type {} is not a table; pass a record batch, a table or \
                 a struct array",
                array.data_type()
            )));
        };
        let batch = RecordBatch::from(columns.clone());
        return Ok((batch.schema(), vec![batch]));
    }
    let type_name = obj.get_type().name()?;
    Err(PyTypeError::new_err(format!(
        "spindle.from_arrow takes an object with the Arrow PyCapsule interface \
         (__arrow_c_stream__ or __arrow_c_array__): a pyarrow Table, RecordBatch or \
         RecordBatchReader, a pandas or polars DataFrame, a duckdb relation; got {type_name}"
    )))
}
