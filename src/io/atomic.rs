//! The one way this crate writes a file: a temporary file in the same
//! directory, written, flushed and `fsync`ed, then renamed over the target.
//!
//! The target is never truncated: until the rename it keeps its old
//! contents, so a write that fails part-way (disk full, a file-size limit,
//! an error while producing the contents) leaves the old file intact, and
//! the temporary file is removed. The temporary name is
//! `.NAME.PID.COUNTER.tmp` next to NAME, created with `create_new`: an
//! existing file of that name is never overwritten (another name is
//! tried). After the rename the directory is synced (best effort), so the
//! new name survives a crash.
//!
//! Models ([`crate::io::LinearModel::write_file`]), checkpoints
//! ([`crate::Checkpoint::write`]), reports, plots and generated data all
//! go through [`write_file`].

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// Distinguishes the temporary files of one process.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// How many temporary names are tried before giving up.
const ATTEMPTS: u32 = 64;

fn io_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Io(format!("cannot write {}: {e}", path.display()))
}

/// The directory of `path` (`.` for a bare name).
fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Creates a fresh temporary file next to `path`.
fn create_temp(path: &Path) -> Result<(File, PathBuf)> {
    let name = path
        .file_name()
        .ok_or_else(|| io_err(path, "not a file name"))?
        .to_string_lossy()
        .into_owned();
    let dir = dir_of(path);
    let pid = std::process::id();
    for _ in 0..ATTEMPTS {
        let k = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{pid}.{k}.tmp"));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((f, tmp)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io_err(path, e)),
        }
    }
    Err(io_err(path, "no free temporary name"))
}

/// Checks, before any work, that `path` can be written by [`write_file`]:
/// it is not a directory and its directory accepts a new file (one is
/// created and removed).
pub fn check_writable(path: &Path) -> Result<()> {
    if path.is_dir() {
        return Err(io_err(path, "is a directory"));
    }
    let (f, tmp) = create_temp(path)?;
    drop(f);
    let _ = std::fs::remove_file(tmp);
    Ok(())
}

/// Writes `path` atomically with the contents `write` produces (see the
/// [module documentation](self)). An error from `write`, from the flush,
/// the `fsync` or the rename leaves `path` as it was and removes the
/// temporary file; I/O errors are [`Error::Io`] naming `path`, errors of
/// `write` itself are returned as they are.
pub fn write_file(path: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    if path.is_dir() {
        return Err(io_err(path, "is a directory"));
    }
    let (f, tmp) = create_temp(path)?;
    let result = (|| {
        let mut w = BufWriter::with_capacity(1 << 16, f);
        write(&mut w).map_err(|e| match e {
            Error::Io(m) => io_err(path, m),
            other => other,
        })?;
        let f = w.into_inner().map_err(|e| io_err(path, e.error()))?;
        f.sync_all().map_err(|e| io_err(path, e))?;
        drop(f);
        std::fs::rename(&tmp, path).map_err(|e| io_err(path, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
        return result;
    }
    if let Ok(d) = File::open(dir_of(path)) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// [`write_file`] with bytes already in memory.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    write_file(path, |w| Ok(w.write_all(bytes)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("steihaug-atomic-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn entries(d: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_failed_write_keeps_the_old_file_and_leaves_no_temporary() {
        let d = dir("fail");
        let p = d.join("model");
        write_bytes(&p, b"old contents\n").unwrap();
        let r = write_file(&p, |w| {
            w.write_all(b"new, half")?;
            Err(Error::InvalidInput("stopped half-way".into()))
        });
        assert_eq!(r, Err(Error::InvalidInput("stopped half-way".into())));
        assert_eq!(std::fs::read(&p).unwrap(), b"old contents\n");
        assert_eq!(entries(&d), vec!["model".to_string()]);
        write_bytes(&p, b"new\n").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"new\n");
        assert_eq!(entries(&d), vec!["model".to_string()]);
    }

    #[test]
    fn an_existing_tmp_file_is_not_touched_and_a_directory_target_leaves_nothing() {
        let d = dir("tmp");
        let p = d.join("cp.json");
        let foreign = d.join("cp.json.tmp");
        std::fs::write(&foreign, b"someone else's").unwrap();
        write_bytes(&p, b"{}").unwrap();
        assert_eq!(std::fs::read(&foreign).unwrap(), b"someone else's");
        let sub = d.join("sub");
        std::fs::create_dir(&sub).unwrap();
        let e = write_bytes(&sub, b"x").unwrap_err();
        assert!(e.to_string().contains("sub"), "{e}");
        assert!(check_writable(&sub).is_err());
        assert!(check_writable(&d.join("missing-dir").join("f")).is_err());
        assert!(check_writable(&d.join("fresh")).is_ok());
        assert_eq!(
            entries(&d),
            vec!["cp.json".to_string(), "cp.json.tmp".into(), "sub".into()]
        );
    }
}
