//! Each incident's search analysis kept between builds (`.pmsite/cache/`), so a build after
//! an edit analyzes only the post-mortems whose text changed.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::{DocTerms, FIELDS, SearchMemo};
use crate::cache::{Reader, Writer};

impl SearchMemo {
    /// The analyses `save` wrote; empty for bytes it cannot read.
    pub fn load(saved: Option<&[u8]>) -> SearchMemo {
        let (docs, shards) = saved.and_then(read).unwrap_or_default();
        SearchMemo {
            docs: std::sync::Mutex::new(docs),
            shards: std::sync::Mutex::new(shards),
            ..SearchMemo::default()
        }
    }

    /// Whether the last render changed what `save` would write.
    pub fn changed(&self) -> bool {
        self.changed.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// (shard files written, shard files in all) by the last render: the rest were the
    /// previous build's, linked.
    pub fn shards_written(&self) -> (usize, usize) {
        self.written.lock().map_or((0, 0), |w| *w)
    }

    /// The analyses of the last render, for `load`: the distinct terms once, then per
    /// document its key, field lengths and postings by term number.
    pub fn save(&self) -> Vec<u8> {
        let mut w = Writer::default();
        let Ok(docs) = self.docs.lock() else {
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
        // Then the shard files' prints, by path.
        if let Ok(shards) = self.shards.lock() {
            w.u64(shards.len() as u64);
            for (path, print) in shards.iter() {
                w.str(path);
                w.u64(print.inputs);
                w.u64(print.bytes);
            }
        }
        w.0
    }
}

type Saved = (
    FxHashMap<u64, Arc<DocTerms>>,
    FxHashMap<String, super::ShardPrint>,
);

fn read(bytes: &[u8]) -> Option<Saved> {
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
    let mut shards = FxHashMap::default();
    let count = usize::try_from(r.u64()?).ok()?;
    for _ in 0..count {
        let path = r.str()?.to_string();
        let inputs = r.u64()?;
        let bytes = r.u64()?;
        shards.insert(path, super::ShardPrint { inputs, bytes });
    }
    r.is_empty().then_some((out, shards))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analyses_read_back_as_saved_and_garbage_reads_as_none() {
        let memo = SearchMemo::default();
        let api: Arc<str> = Arc::from("api");
        memo.docs.lock().unwrap().insert(
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
        memo.shards.lock().unwrap().insert(
            "search/shards/3.json".into(),
            super::super::ShardPrint {
                inputs: 11,
                bytes: 12,
            },
        );
        let saved = memo.save();
        let back = SearchMemo::load(Some(&saved));
        assert_eq!(
            back.shards.lock().unwrap()["search/shards/3.json"],
            super::super::ShardPrint {
                inputs: 11,
                bytes: 12
            }
        );
        let docs = back.docs.lock().unwrap();
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
                .docs
                .lock()
                .unwrap()
                .is_empty()
        );
    }
}
