//! The data directory: created if missing, checked writable, and locked so a
//! second server on the same directory (and so the same SQLite file and
//! uploads) refuses to start instead of sharing it.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Name of the lock file inside the data directory.
pub const LOCK_FILE: &str = "kirimin.lock";

/// Creates `dir` if needed (without locking it: nodes on PostgreSQL share it).
pub fn prepare(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create data directory {}: {e}", dir.display()))
}

/// Holds the data directory's lock until dropped (the server stops).
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
    path: PathBuf,
}

impl DataDirLock {
    /// Creates `dir` if needed, checks it is writable and takes its lock.
    pub fn acquire(dir: &Path) -> Result<Self, String> {
        prepare(dir)?;
        let path = dir.join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| format!("data directory {} is not writable: {e}", dir.display()))?;
        // An exclusive advisory lock (flock) held as long as the file is open.
        if file.try_lock().is_err() {
            return Err(format!(
                "another kirimin server is already using the data directory {} (lock {}); stop it or choose another --data-dir",
                dir.display(),
                path.display()
            ));
        }
        let _ = file.set_len(0);
        let _ = writeln!(file, "{}", std::process::id());
        Ok(Self { _file: file, path })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
