//! Reading and writing data and models.
//!
//! * [`libsvm`]: the LIBSVM / SVMlight sparse text format (streaming reader
//!   with line-numbered errors, and a writer);
//! * [`atomic`]: the one way files are written (temporary file, fsync,
//!   rename);
//! * [`model`]: linear binary classifiers in LIBLINEAR's model-file format.

pub mod atomic;
pub mod libsvm;
pub mod model;
#[cfg(feature = "serde")]
pub(crate) mod serde_float;

pub use libsvm::{read_libsvm, read_libsvm_file, write_libsvm, CsrMatrix, LibsvmData};
pub use model::LinearModel;
