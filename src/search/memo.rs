//! Each incident's search analysis kept between builds (`.pmsite/cache/`), so a build after
//! an edit analyzes only the post-mortems whose text changed.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::{DocTerms, FIELDS, SearchMemo};
use crate::cache::{Reader, Writer};

impl SearchMemo {
    /// The analyses `save` wrote; empty for bytes it cannot read.
    pub fn load(saved: Option<&[u8]>) -> SearchMemo {
        SearchMemo(
            std::sync::Mutex::new(saved.and_then(read).unwrap_or_default()),
            std::sync::atomic::AtomicBool::new(false),
        )
    }

    /// Whether the last render changed what `save` would write.
    pub fn changed(&self) -> bool {
        self.1.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The analyses of the last render, for `load`: the distinct terms once, then per
    /// document its key, field lengths and postings by term number.
    pub fn save(&self) -> Vec<u8> {
        let mut w = Writer::default();
        let Ok(docs) = self.0.lock() else {
            return w.0;
        };
        let mut number: FxHashMap<&str, u32> = FxHashMap::default();
        let mut terms: Vec<&str> = Vec::new();
        for doc in docs.values() {
            for (term, _, _) in &doc.postings {
                number.entry(term).or_insert_with(|| {
                    terms.push(term);
                    terms.len() as u32 - 1
                });
            }
        }
        w.u64(terms.len() as u64);
        for term in &terms {
            w.str(term);
        }
        w.u64(docs.len() as u64);
        for (key, doc) in docs.iter() {
            w.u64(*key);
            for len in doc.lengths {
                w.u32(len);
            }
            w.u32(doc.postings.len() as u32);
            for (term, field, count) in &doc.postings {
                w.u32(number[&**term]);
                w.0.push(*field);
                w.u32(*count);
            }
        }
        w.0
    }
}

fn read(bytes: &[u8]) -> Option<FxHashMap<u64, Arc<DocTerms>>> {
    let mut r = Reader(bytes);
    let count = usize::try_from(r.u64()?).ok()?;
    let mut terms: Vec<Arc<str>> = Vec::with_capacity(count.min(bytes.len()));
    for _ in 0..count {
        terms.push(Arc::from(r.str()?));
    }
    let docs = usize::try_from(r.u64()?).ok()?;
    let mut out = FxHashMap::default();
    for _ in 0..docs {
        let key = r.u64()?;
        let mut lengths = [0u32; FIELDS.len()];
        for len in &mut lengths {
            *len = r.u32()?;
        }
        let n = r.u32()? as usize;
        let mut postings = Vec::with_capacity(n.min(bytes.len() / 9));
        for _ in 0..n {
            let text = terms.get(r.u32()? as usize)?;
            let field = r.u8()?;
            postings.push((Arc::clone(text), field, r.u32()?));
        }
        out.insert(key, Arc::new(DocTerms { lengths, postings }));
    }
    r.is_empty().then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analyses_read_back_as_saved_and_garbage_reads_as_none() {
        let memo = SearchMemo::default();
        let api: Arc<str> = Arc::from("api");
        memo.0.lock().unwrap().insert(
            7,
            Arc::new(DocTerms {
                lengths: [1, 2, 3, 4, 5, 6],
                postings: vec![
                    (Arc::clone(&api), 0, 2),
                    (Arc::from("deploy"), 5, 1),
                    (api, 5, 3),
                ],
            }),
        );
        let saved = memo.save();
        let back = SearchMemo::load(Some(&saved));
        let docs = back.0.lock().unwrap();
        let doc = &docs[&7];
        assert_eq!(doc.lengths, [1, 2, 3, 4, 5, 6]);
        let postings: Vec<(&str, u8, u32)> = doc
            .postings
            .iter()
            .map(|(t, f, c)| (&**t, *f, *c))
            .collect();
        assert_eq!(postings, [("api", 0, 2), ("deploy", 5, 1), ("api", 5, 3)]);
        assert!(read(&saved[..saved.len() - 3]).is_none());
        assert!(
            SearchMemo::load(Some(b"nonsense"))
                .0
                .lock()
                .unwrap()
                .is_empty()
        );
    }
}
