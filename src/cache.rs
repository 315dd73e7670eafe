//! `.pmsite/cache/`: what one build keeps for the next (the parses of post-mortems, the hashes of
//! the pages it wrote, the search analysis of each incident), so a build over a library
//! that barely changed does little. Entries are addressed by the hash of what they were
//! made from, and every file is stamped with the program that wrote it: a new version or a
//! rebuilt binary reads none of them. The cache is never required: one that cannot be read
//! or written is ignored, and `build --no-cache` neither reads nor writes it.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The cache's folder, in the library's root. Beside it in `.pmsite/` are files a team
/// commits (`tickets.json`, `digest.toml`); the cache ignores itself in git with its own
/// `.gitignore`, so deleting it is always safe.
pub const DIR: &str = ".pmsite/cache";

/// A 128-bit content hash (XXH3), for cache keys.
pub fn hash128(parts: &[&[u8]]) -> u128 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for part in parts {
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part);
    }
    h.digest128()
}

/// A 64-bit content hash (XXH3), for a file's bytes.
pub fn hash64(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// The program that writes and reads the cache: its version, and the size and time of its
/// executable, so a rebuilt binary (whose code may render differently) starts afresh.
pub fn program() -> u128 {
    static PROGRAM: OnceLock<u128> = OnceLock::new();
    *PROGRAM.get_or_init(|| {
        let exe = std::env::current_exe()
            .and_then(std::fs::metadata)
            .map(|m| {
                let time = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                format!("{} {time}", m.len())
            })
            .unwrap_or_default();
        hash128(&[env!("CARGO_PKG_VERSION").as_bytes(), exe.as_bytes()])
    })
}

/// The cache folder of one library.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    /// The library's cache, created (with a `.gitignore` that ignores it whole) if need be;
    /// None when it cannot be (a read-only checkout): the build then runs without one.
    pub fn open(root: &Path) -> Option<Store> {
        let dir = root.join(DIR);
        let parent = dir.parent()?;
        if parent.exists() && !real_dir(parent) || dir.exists() && !real_dir(&dir) {
            return None;
        }
        std::fs::create_dir_all(&dir).ok()?;
        let ignore = dir.join(".gitignore");
        if !ignore.exists() {
            std::fs::write(&ignore, "# pmsite's build cache: safe to delete\n*\n").ok()?;
        }
        Some(Store { dir })
    }

    /// The library's cache if a build made one, created nowhere: for `serve`, which reads
    /// what the last build kept and writes nothing.
    pub fn existing(root: &Path) -> Option<Store> {
        let dir = root.join(DIR);
        (real_dir(&dir) && dir.parent().is_some_and(real_dir)).then_some(Store { dir })
    }

    /// A file's bytes, if this program wrote it.
    pub fn read(&self, name: &str) -> Option<Vec<u8>> {
        let mut bytes = std::fs::read(self.dir.join(name)).ok()?;
        let stamp = program().to_le_bytes();
        if !bytes.starts_with(&stamp) {
            return None;
        }
        bytes.drain(..stamp.len());
        Some(bytes)
    }

    /// Removes the files of a folder of the cache that `keep` does not name (entries no
    /// build will ask for again: parses of files since edited or deleted).
    pub fn remove_unused(&self, folder: &str, keep: impl Fn(&str) -> bool) {
        let Ok(entries) = std::fs::read_dir(self.dir.join(folder)) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            if !keep(&name.to_string_lossy()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// Writes a file whole (`name` may name a folder of the cache), stamped with this
    /// program; a failure is ignored (the next build does more work, nothing else).
    pub fn write(&self, name: &str, bytes: &[u8]) {
        let write = || -> std::io::Result<()> {
            use std::io::Write;
            let path = self.dir.join(name);
            let dir = path.parent().unwrap_or(&self.dir);
            std::fs::create_dir_all(dir)?;
            let file = tempfile::NamedTempFile::new_in(dir)?;
            let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
            out.write_all(&program().to_le_bytes())?;
            out.write_all(bytes)?;
            out.into_inner()
                .map_err(|e| e.into_error())?
                .persist(&path)?;
            Ok(())
        };
        let _ = write();
    }
}

/// A folder that is one, not a symlink to one: a checkout whose `.pmsite` links elsewhere
/// does not get to choose where pmsite writes.
fn real_dir(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

/// Little-endian records for the cache's files: plain numbers and strings, no schema to
/// drift (a file from another program is never read).
#[derive(Default)]
pub struct Writer(pub Vec<u8>);

impl Writer {
    pub fn u64(&mut self, n: u64) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    pub fn u32(&mut self, n: u32) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    pub fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
}

/// Reads what `Writer` wrote; None at the first thing out of place.
pub struct Reader<'a>(pub &'a [u8]);

impl<'a> Reader<'a> {
    pub fn u64(&mut self) -> Option<u64> {
        let (head, rest) = self.0.split_first_chunk::<8>()?;
        self.0 = rest;
        Some(u64::from_le_bytes(*head))
    }

    pub fn u8(&mut self) -> Option<u8> {
        let (head, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(*head)
    }

    pub fn u32(&mut self) -> Option<u32> {
        let (head, rest) = self.0.split_first_chunk::<4>()?;
        self.0 = rest;
        Some(u32::from_le_bytes(*head))
    }

    pub fn str(&mut self) -> Option<&'a str> {
        let len = usize::try_from(self.u64()?).ok()?;
        std::str::from_utf8(self.bytes(len)?).ok()
    }

    /// The next `len` bytes.
    pub fn bytes(&mut self, len: usize) -> Option<&'a [u8]> {
        if len > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(len);
        self.0 = rest;
        Some(head)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_back_and_a_short_file_is_refused() {
        let mut w = Writer::default();
        w.u64(7);
        w.str("incidents/a/index.html");
        let mut r = Reader(&w.0);
        assert_eq!(r.u64(), Some(7));
        assert_eq!(r.str(), Some("incidents/a/index.html"));
        assert!(r.is_empty());
        let mut short = Reader(&w.0[..12]);
        assert_eq!(short.u64(), Some(7));
        assert_eq!(short.str(), None);
    }

    #[test]
    fn a_linked_cache_folder_is_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), dir.path().join(".pmsite")).unwrap();
        assert!(Store::open(dir.path()).is_none());
        assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_file_of_another_program_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.write("x", b"abc");
        assert_eq!(store.read("x").as_deref(), Some(&b"abc"[..]));
        std::fs::write(dir.path().join(DIR).join("x"), b"0123456789abcdefabc").unwrap();
        assert_eq!(store.read("x"), None);
        assert!(
            std::fs::read_to_string(dir.path().join(DIR).join(".gitignore"))
                .unwrap()
                .contains('*')
        );
    }
}
