//! Root causes, components and tags by number: each value's postings (the incidents with
//! it, in list order) and each incident's values, so that whether two incidents share a
//! value is a comparison of small numbers, and a value's postings need not be walked to
//! learn it. A common value also has a bitmap of the incidents with it (12.5 KB at
//! 100,000, in cache), as asking whether an incident has it is what the bounded walk does
//! most.

use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use crate::content::model::Incident;

/// What sharing one value of each kind adds to a score: root cause, component, tag. Whole
/// numbers, so a sum of them is exact in any order.
pub(super) const WEIGHTS: [u32; 3] = [3, 2, 1];

pub(super) fn values_of(inc: &Incident) -> [&Vec<String>; 3] {
    [&inc.root_causes, &inc.components, &inc.tags]
}

/// One value an incident has: its kind, number, weight and how many incidents have it.
#[derive(Clone, Copy)]
pub(super) struct Feature {
    pub kind: usize,
    pub id: u32,
    pub weight: u32,
    pub postings: usize,
}

#[derive(Default)]
struct Kind {
    ids: HashMap<Box<str>, u32>,
    postings: Vec<Vec<usize>>,
    /// Per value on at least [`BITMAP_SHARE`] of the library, who has it, a bit each.
    bitmaps: Vec<Option<Vec<u64>>>,
}

/// A value on at least one incident in this many gets a bitmap.
const BITMAP_SHARE: usize = 64;

impl Kind {
    fn id(&mut self, value: &str) -> u32 {
        if let Some(&id) = self.ids.get(value) {
            return id;
        }
        let id = self.postings.len() as u32;
        self.ids.insert(Box::from(value), id);
        self.postings.push(Vec::new());
        self.bitmaps.push(None);
        id
    }
}

#[derive(Default)]
pub(super) struct Terms {
    kinds: [Kind; 3],
    /// Per incident, per kind, the numbers of its values in the order it lists them.
    own: Vec<[Vec<u32>; 3]>,
}

impl Terms {
    pub fn build(incidents: &[Arc<Incident>]) -> Terms {
        let mut terms = Terms::default();
        for (i, inc) in incidents.iter().enumerate() {
            let own = terms.ids_of(inc);
            for (kind, ids) in own.iter().enumerate() {
                for &id in ids {
                    let list = &mut terms.kinds[kind].postings[id as usize];
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
            }
            terms.own.push(own);
        }
        let n = incidents.len();
        for kind in &mut terms.kinds {
            for (id, list) in kind.postings.iter().enumerate() {
                if list.len() >= 64 && list.len() * BITMAP_SHARE >= n {
                    let mut bits = vec![0u64; n.div_ceil(64)];
                    for &j in list {
                        bits[j / 64] |= 1 << (j % 64);
                    }
                    kind.bitmaps[id] = Some(bits);
                }
            }
        }
        terms
    }

    fn ids_of(&mut self, inc: &Incident) -> [Vec<u32>; 3] {
        let values = values_of(inc);
        std::array::from_fn(|k| values[k].iter().map(|v| self.kinds[k].id(v)).collect())
    }

    /// The incidents with a value, in list order.
    pub fn postings(&self, kind: usize, id: u32) -> &[usize] {
        &self.kinds[kind].postings[id as usize]
    }

    /// Every value incident `i` lists (a value listed twice, twice, as it counts twice).
    pub fn features(&self, i: usize) -> Vec<Feature> {
        let mut out = Vec::new();
        for (kind, ids) in self.own[i].iter().enumerate() {
            for &id in ids {
                out.push(Feature {
                    kind,
                    id,
                    weight: WEIGHTS[kind],
                    postings: self.kinds[kind].postings[id as usize].len(),
                });
            }
        }
        out
    }

    /// Whether incident `j` has the value.
    pub fn has(&self, j: usize, f: &Feature) -> bool {
        match &self.kinds[f.kind].bitmaps[f.id as usize] {
            Some(bits) => bits[j / 64] & (1 << (j % 64)) != 0,
            None => self.own[j][f.kind].contains(&f.id),
        }
    }

    /// Incident `e` now has `inc`'s values; returns every incident that shares a value
    /// with it, before or after, whose score for it changed.
    pub fn replace(&mut self, e: usize, inc: &Incident) -> Vec<usize> {
        let old = std::mem::take(&mut self.own[e]);
        let new = self.ids_of(inc);
        let mut neighbours = Vec::new();
        for kind in 0..3 {
            let k = &mut self.kinds[kind];
            for &id in &old[kind] {
                super::remove_sorted(&mut k.postings[id as usize], e);
                if let Some(bits) = &mut k.bitmaps[id as usize] {
                    bits[e / 64] &= !(1 << (e % 64));
                }
            }
            for &id in &new[kind] {
                super::insert_sorted(&mut k.postings[id as usize], e);
                if let Some(bits) = &mut k.bitmaps[id as usize] {
                    bits[e / 64] |= 1 << (e % 64);
                }
            }
            for &id in old[kind].iter().chain(&new[kind]) {
                neighbours.extend(&self.kinds[kind].postings[id as usize]);
            }
        }
        self.own[e] = new;
        neighbours
    }
}
