//! The output directory, written atomically: everything goes into a temporary directory
//! beside the target, which is swapped in only when the whole site is written. An existing
//! target is replaced only if a previous pmsite build made it (it carries the marker file),
//! so a mistyped `-o` can never wipe a user's folder.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext, Result};

/// The file that marks a directory as pmsite's output.
pub const MARKER: &str = ".pmsite-build";

/// Writes one file whole or not at all: a temporary file beside it, renamed over it, so a
/// reader (or a crash) never sees half of it. For files outside a build's output: the
/// digest's state, the pages `pmsite wiki` writes.
pub fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.pmsite-tmp-{}", std::process::id()));
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, path).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

/// Where rendered outputs go: a directory on disk for `build`, memory for `serve`.
pub trait Sink: Sync {
    /// `path` is relative to the site root, with `/` separators (`incidents/x/index.html`).
    fn write(&self, path: &str, bytes: &[u8]) -> Result<()>;

    /// Writes a file given in pieces, for pages of many megabytes that need not be joined
    /// in memory first.
    fn write_parts(&self, path: &str, parts: &[&[u8]]) -> Result<()> {
        self.write(path, &parts.concat())
    }

    /// Writes again the file the previous build wrote at `path`, if its bytes still hash to
    /// `hash` (`cache::hash64`): a page whose inputs did not change need not be rendered.
    /// False when there is no such file; the caller then renders it.
    fn reuse(&self, _path: &str, _hash: u64) -> Result<bool> {
        Ok(false)
    }
}

/// A build's output folder, staged beside the target and swapped in whole. A file whose
/// bytes equal the previous build's is linked to it rather than written, so it keeps its
/// time (and a sync to a CDN sends only what changed).
pub struct OutputDir {
    target: PathBuf,
    staging: tempfile::TempDir,
    /// The previous build's output, when the target is one.
    previous: Option<PathBuf>,
    unchanged: std::sync::atomic::AtomicUsize,
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
        remove_leftovers(&parent, &name);
        let staging = tempfile::Builder::new()
            .prefix(&format!("{}{}-", staging_prefix(&name), std::process::id()))
            .tempdir_in(&parent)
            .at(&parent)?;
        Ok(OutputDir {
            target: target.to_path_buf(),
            previous: target.join(MARKER).is_file().then(|| target.to_path_buf()),
            staging,
            unchanged: std::sync::atomic::AtomicUsize::new(0),
        })
    }

    /// How many files were the previous build's, unchanged, linked rather than written.
    pub fn unchanged(&self) -> usize {
        self.unchanged.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// A file written twice in one build must not write through a link into the previous
    /// build's output, which stays whole until the swap (and for good if the build fails).
    fn unlink_staged(&self, full: &Path) {
        if self.previous.is_some() {
            let _ = fs::remove_file(full);
        }
    }

    /// Links the previous build's file at `path` into the staging folder if `same` says its
    /// bytes are the ones wanted; false when there is none or they differ.
    fn link_previous(
        &self,
        path: &str,
        len: Option<usize>,
        same: impl FnOnce(&[u8]) -> bool,
    ) -> Result<bool> {
        let Some(previous) = &self.previous else {
            return Ok(false);
        };
        let old = previous.join(path);
        if len.is_some_and(|len| fs::metadata(&old).map_or(true, |m| m.len() != len as u64)) {
            return Ok(false);
        }
        let Ok(bytes) = fs::read(&old) else {
            return Ok(false);
        };
        if !same(&bytes) {
            return Ok(false);
        }
        let full = self.staging.path().join(path);
        if let Some(parent) = full.parent() {
            fs::create_dir_all(parent).at(parent)?;
        }
        if fs::hard_link(&old, &full).is_err() {
            fs::write(&full, &bytes).at(&full)?;
        }
        self.unchanged
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(true)
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
        if self.target.exists() && exchange(&staged, &self.target).is_ok() {
            // The target never went missing; the previous site is now at `staged`.
            fs::remove_dir_all(&staged).at(&staged)?;
        } else if self.target.exists() {
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
        if self.link_previous(path, Some(bytes.len()), |old| old == bytes)? {
            return Ok(());
        }
        let full = self.staging.path().join(path);
        if let Some(parent) = full.parent() {
            fs::create_dir_all(parent).at(parent)?;
        }
        self.unlink_staged(&full);
        fs::write(&full, bytes).at(&full)
    }

    fn write_parts(&self, path: &str, parts: &[&[u8]]) -> Result<()> {
        use std::io::Write;
        let len: usize = parts.iter().map(|p| p.len()).sum();
        let same = |old: &[u8]| {
            old.len() == len && {
                let mut at = 0;
                parts.iter().all(|p| {
                    at += p.len();
                    old[at - p.len()..at] == **p
                })
            }
        };
        if self.link_previous(path, Some(len), same)? {
            return Ok(());
        }
        let full = self.staging.path().join(path);
        if let Some(parent) = full.parent() {
            fs::create_dir_all(parent).at(parent)?;
        }
        self.unlink_staged(&full);
        let mut file =
            std::io::BufWriter::with_capacity(1 << 16, fs::File::create(&full).at(&full)?);
        for part in parts {
            file.write_all(part).at(&full)?;
        }
        file.flush().at(&full)
    }

    fn reuse(&self, path: &str, hash: u64) -> Result<bool> {
        self.link_previous(path, None, |old| crate::cache::hash64(old) == hash)
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

/// Staging folders are named `.<output>.pmsite-tmp-<pid>-<random>` (and `….old` during a
/// swap): a build killed half way leaves one, and the next build removes it.
fn staging_prefix(output_name: &str) -> String {
    format!(".{output_name}.pmsite-tmp-")
}

/// Removes the staging folders of builds into the same output that are no longer running
/// (on Linux, their process is gone; elsewhere, a day old), so killed builds leave nothing
/// behind for long. A build running beside this one keeps its folder.
fn remove_leftovers(parent: &Path, output_name: &str) {
    let prefix = staging_prefix(output_name);
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(&prefix) else {
            continue;
        };
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        let running = match pid {
            Some(pid) if Path::new("/proc/self").exists() => {
                pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists()
            }
            _ => entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_none_or(|age| age < std::time::Duration::from_secs(24 * 3600)),
        };
        if !running && entry.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Swaps two directories in one step, where the platform can (Linux `renameat2` with
/// `RENAME_EXCHANGE`), so the output path is never missing; an error means the caller
/// falls back to two renames.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
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
