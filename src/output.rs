//! The output directory, written atomically: everything goes into a temporary directory
//! beside the target, which is swapped in only when the whole site is written. An existing
//! target is replaced only if a previous pmsite build made it (it carries the marker file),
//! so a mistyped `-o` can never wipe a user's folder.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext, Result};

/// The file that marks a directory as pmsite's output.
pub const MARKER: &str = ".pmsite-build";

/// Where rendered outputs go: a directory on disk for `build`, memory for `serve`.
pub trait Sink: Sync {
    /// `path` is relative to the site root, with `/` separators (`incidents/x/index.html`).
    fn write(&self, path: &str, bytes: &[u8]) -> Result<()>;

    /// Writes a file given in pieces, for pages of many megabytes that need not be joined
    /// in memory first.
    fn write_parts(&self, path: &str, parts: &[&[u8]]) -> Result<()> {
        self.write(path, &parts.concat())
    }
}

pub struct OutputDir {
    target: PathBuf,
    staging: tempfile::TempDir,
}

impl OutputDir {
    /// Checks that the target may be replaced and creates the staging directory beside it.
    pub fn prepare(target: &Path) -> Result<OutputDir> {
        check_replaceable(target)?;
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).at(&parent)?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "public".into());
        let staging = tempfile::Builder::new()
            .prefix(&format!(".{name}.pmsite-tmp-"))
            .tempdir_in(&parent)
            .at(&parent)?;
        Ok(OutputDir {
            target: target.to_path_buf(),
            staging,
        })
    }

    pub fn staging_path(&self) -> &Path {
        self.staging.path()
    }

    /// Marks the staging directory and swaps it in for the target.
    pub fn commit(self) -> Result<()> {
        let marker = self.staging.path().join(MARKER);
        fs::write(
            &marker,
            "This directory is written by pmsite build and replaced on every build.\n",
        )
        .at(&marker)?;
        // Checked again: the target may have appeared while the site was rendering.
        check_replaceable(&self.target)?;
        let staged = self.staging.keep();
        if self.target.exists() {
            let old = staged.with_file_name(format!(
                "{}.old",
                staged
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default()
            ));
            fs::rename(&self.target, &old).at(&self.target)?;
            if let Err(e) = fs::rename(&staged, &self.target) {
                let _ = fs::rename(&old, &self.target);
                let _ = fs::remove_dir_all(&staged);
                return Err(Error::io(&self.target, e));
            }
            fs::remove_dir_all(&old).at(&old)?;
        } else if let Err(e) = fs::rename(&staged, &self.target) {
            let _ = fs::remove_dir_all(&staged);
            return Err(Error::io(&self.target, e));
        }
        Ok(())
    }
}

impl Sink for OutputDir {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<()> {
        let full = self.staging.path().join(path);
        if let Some(parent) = full.parent() {
            fs::create_dir_all(parent).at(parent)?;
        }
        fs::write(&full, bytes).at(&full)
    }

    fn write_parts(&self, path: &str, parts: &[&[u8]]) -> Result<()> {
        use std::io::Write;
        let full = self.staging.path().join(path);
        if let Some(parent) = full.parent() {
            fs::create_dir_all(parent).at(parent)?;
        }
        let mut file =
            std::io::BufWriter::with_capacity(1 << 16, fs::File::create(&full).at(&full)?);
        for part in parts {
            file.write_all(part).at(&full)?;
        }
        file.flush().at(&full)
    }
}

/// Writes a file of the user's only if nothing is there yet (`new`, `init`, `digest --out`):
/// pmsite never overwrites a file it was not asked to replace.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).at(parent)?;
    }
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Error::Refused(format!(
                    "{} already exists; pmsite never overwrites a file",
                    path.display()
                ))
            } else {
                Error::io(path, e)
            }
        })?;
    file.write_all(bytes).at(path)
}

fn check_replaceable(target: &Path) -> Result<()> {
    let Ok(meta) = fs::symlink_metadata(target) else {
        return Ok(());
    };
    if !meta.is_dir() {
        return Err(Error::Refused(format!(
            "{} exists and is not a directory: choose another output with -o",
            target.display()
        )));
    }
    if target.join(MARKER).is_file() {
        return Ok(());
    }
    let empty = fs::read_dir(target).at(target)?.next().is_none();
    if empty {
        return Ok(());
    }
    Err(Error::Refused(format!(
        "{} exists and was not made by pmsite (it has no {MARKER} file); refusing to replace it: choose another output with -o, or move it away yourself",
        target.display()
    )))
}
