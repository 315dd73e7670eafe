//! Related incidents: shared root causes, components and tags, and similar words in the
//! summary and analysis. Candidates come from inverted indexes (terms, and each incident's
//! most distinctive words), never from comparing all pairs. A value on a third of the
//! library (`customer-facing`) would still make each list walk a third of it, so the walk
//! is bounded as search engines bound theirs (MaxScore): a first guess at the list gives a
//! score the fifth incident must reach, and a value whose weight, with every value rarer
//! than it left out, cannot reach that score is only looked up for the candidates the
//! rarer ones found. The lists are exactly those of walking every posting (a test says so).
//!
//! The indexes are an `Index`, which the preview keeps between rebuilds: after an edit it
//! updates the word counts and postings of what changed and names the incidents whose lists
//! may differ, and only those are compared again. Both ways give the same lists.

use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::Serialize;

use super::words::word_counts;
use crate::content::model::Incident;

mod terms;
use terms::{Feature, Terms, values_of};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Related {
    pub index: usize,
    pub reason: String,
}

/// How many related incidents a page lists.
pub const RELATED: usize = 5;
/// How many distinctive words stand for an incident's text.
const WORDS: usize = 8;
const ROOT_CAUSE: f32 = terms::WEIGHTS[0] as f32;
const COMPONENT: f32 = terms::WEIGHTS[1] as f32;
const TAG: f32 = terms::WEIGHTS[2] as f32;
/// A text cosine of 0.5 counts as much as a shared component.
const TEXT: f32 = 4.0;

/// The five incidents most like each one, with why.
pub fn related(incidents: &[Arc<Incident>]) -> Vec<Vec<Related>> {
    Index::build(incidents).lists
}

/// A word by number, so the postings need no strings.
type WordId = u32;

/// An incident's text as its most distinctive words (tf-idf), normalised to unit length.
type Vector = Vec<(WordId, f32)>;

/// The incidents in a related list, with their scores as bits.
type Scored = Vec<(usize, u32)>;

/// Per thread, what one list's comparison writes, zero (and empty) between lists.
struct Scratch {
    /// A candidate's score; 0 for one given up.
    scores: Vec<f32>,
    /// What its words shared add, summed in the order of the incident's vector.
    text: Vec<f32>,
    worded: Vec<bool>,
    /// Those sharing a word.
    words: Vec<usize>,
    seen: Vec<bool>,
    /// Those scored (or given up).
    touched: Vec<usize>,
}

impl Scratch {
    fn new(n: usize) -> Scratch {
        Scratch {
            scores: vec![0.0; n],
            text: vec![0.0; n],
            worded: vec![false; n],
            words: Vec::new(),
            seen: vec![false; n],
            touched: Vec::new(),
        }
    }
}

/// The best scores so far, highest first: the fifth is a bound the list's fifth reaches.
#[derive(Default)]
struct Top(Vec<f32>);

impl Top {
    fn push(&mut self, x: f32) {
        if self.0.len() < RELATED || x > self.0[RELATED - 1] {
            let at = self.0.partition_point(|&y| y >= x);
            self.0.insert(at, x);
            self.0.truncate(RELATED);
        }
    }

    fn bound(&self) -> f32 {
        if self.0.len() == RELATED {
            self.0[RELATED - 1]
        } else {
            0.0
        }
    }
}

/// Everything the comparison reads, for one list of incidents.
pub struct Index {
    n: usize,
    /// Words most incidents use say little and cost much: how common a word may be.
    cap: u32,
    vocabulary: HashMap<Box<str>, WordId>,
    words: Vec<Box<str>>,
    /// Per word, how many incidents use it.
    df: Vec<u32>,
    /// Per incident, its word counts.
    keywords: Vec<Vec<(WordId, u32)>>,
    vectors: Vec<Vector>,
    /// Per word, the incidents with it among their distinctive words, in list order.
    top: Vec<Vec<(usize, f32)>>,
    terms: Terms,
    /// Per word, every incident using it; built by the first update.
    containing: Option<Vec<Vec<usize>>>,
    /// Per incident, its related list, and the scores (as bits) of those in it.
    lists: Vec<Vec<Related>>,
    best: Vec<Scored>,
}

/// Where `j` ranks among `i`'s candidates: highest score first; among equals, the nearer in
/// the list (closer in time).
fn rank(i: usize, j: usize, score: u32) -> (std::cmp::Reverse<u32>, usize, usize) {
    (std::cmp::Reverse(score), j.abs_diff(i), j)
}

/// Inserts `x` into a sorted list unless present.
fn insert_sorted<T: Ord + Copy>(list: &mut Vec<T>, x: T) {
    if let Err(at) = list.binary_search(&x) {
        list.insert(at, x);
    }
}

fn remove_sorted<T: Ord + Copy>(list: &mut Vec<T>, x: T) {
    if let Ok(at) = list.binary_search(&x) {
        list.remove(at);
    }
}

impl Index {
    pub fn build(incidents: &[Arc<Incident>]) -> Index {
        let n = incidents.len();
        let counted: Vec<Vec<(String, u32)>> = incidents
            .par_iter()
            .map(|inc| word_counts(&inc.analysis_text))
            .collect();
        let counts = counted
            .par_iter()
            .fold(HashMap::<&str, u32>::default, |mut df, words| {
                for (w, _) in words {
                    *df.entry(w.as_str()).or_default() += 1;
                }
                df
            })
            .reduce(HashMap::default, |mut a, b| {
                for (w, c) in b {
                    *a.entry(w).or_default() += c;
                }
                a
            });
        let mut words = Vec::with_capacity(counts.len());
        let mut df = Vec::with_capacity(counts.len());
        let mut vocabulary = HashMap::default();
        vocabulary.reserve(counts.len());
        for (w, c) in counts {
            vocabulary.insert(Box::from(w), words.len() as WordId);
            words.push(Box::from(w));
            df.push(c);
        }
        let keywords: Vec<Vec<(WordId, u32)>> = counted
            .par_iter()
            .map(|words| {
                words
                    .iter()
                    .filter_map(|(w, tf)| vocabulary.get(w.as_str()).map(|&id| (id, *tf)))
                    .collect()
            })
            .collect();
        let terms = Terms::build(incidents);
        let mut index = Index {
            n,
            cap: (n / 20).clamp(5, 200) as u32,
            top: vec![Vec::new(); words.len()],
            vocabulary,
            words,
            df,
            keywords,
            vectors: Vec::new(),
            terms,
            containing: None,
            lists: Vec::new(),
            best: Vec::new(),
        };
        index.vectors = (0..n).into_par_iter().map(|i| index.vector(i)).collect();
        for (i, v) in index.vectors.iter().enumerate() {
            for &(w, x) in v {
                index.top[w as usize].push((i, x));
            }
        }
        (index.lists, index.best) = index.compare(incidents, &(0..n).collect::<Vec<_>>());
        index
    }

    /// Every incident's related list, in list order.
    pub fn lists(&self) -> &[Vec<Related>] {
        &self.lists
    }

    fn vector(&self, i: usize) -> Vector {
        let n = self.n as f32;
        let mut v: Vector = self.keywords[i]
            .iter()
            .filter_map(|&(w, tf)| {
                let d = self.df[w as usize];
                (d >= 2 && d <= self.cap)
                    .then(|| (w, (1.0 + (tf as f32).ln()) * (n / d as f32).ln()))
            })
            .collect();
        v.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then_with(|| self.words[a.0 as usize].cmp(&self.words[b.0 as usize]))
        });
        v.truncate(WORDS);
        let norm = v.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, x) in &mut v {
                *x /= norm;
            }
        }
        v
    }

    /// The related lists of the incidents at `positions`, in that order, with the scores.
    fn compare(
        &self,
        incidents: &[Arc<Incident>],
        positions: &[usize],
    ) -> (Vec<Vec<Related>>, Vec<Scored>) {
        positions
            .par_iter()
            .map_init(
                || Scratch::new(self.n),
                |scratch, &i| self.related_of(incidents, i, scratch),
            )
            .unzip()
    }

    /// The score of `j` as `i`'s candidate, added up as `related_of` adds it, so the two
    /// agree to the bit: the shared values (a whole number) plus the words' sum, taken in
    /// the order of `i`'s vector.
    fn score(&self, i: usize, j: usize) -> f32 {
        let shared: u32 = self
            .terms
            .features(i)
            .iter()
            .filter(|f| self.terms.has(j, f))
            .map(|f| f.weight)
            .sum();
        let mut text = 0f32;
        for &(w, x) in &self.vectors[i] {
            if let Some(&(_, y)) = self.vectors[j].iter().find(|(v, _)| *v == w) {
                text += TEXT * x * y;
            }
        }
        shared as f32 + text
    }

    /// Scores candidate `j` once: its values looked up heaviest first, given up (left at
    /// 0) as soon as even every value not yet looked up could not lift it to the bound.
    fn evaluate(
        &self,
        j: usize,
        heavy: &[Feature],
        total: u32,
        scratch: &mut Scratch,
        top: &mut Top,
    ) {
        if scratch.seen[j] {
            return;
        }
        scratch.seen[j] = true;
        scratch.touched.push(j);
        let text = scratch.text[j];
        let bound = top.bound();
        let (mut got, mut left) = (0u32, total);
        for f in heavy {
            left -= f.weight;
            if self.terms.has(j, f) {
                got += f.weight;
            } else if ((got + left) as f32 + text) < bound {
                return;
            }
        }
        let score = got as f32 + text;
        if score > 0.0 {
            scratch.scores[j] = score;
            top.push(score);
        }
    }

    /// `scratch` is zero everywhere and `touched` empty, on entry and on return.
    fn related_of(
        &self,
        incidents: &[Arc<Incident>],
        i: usize,
        scratch: &mut Scratch,
    ) -> (Vec<Related>, Scored) {
        let inc = &incidents[i];
        // Words first: each candidate sharing a distinctive word gets its text's share.
        for &(w, x) in &self.vectors[i] {
            for &(j, y) in &self.top[w as usize] {
                if j != i {
                    scratch.text[j] += TEXT * x * y;
                    if !scratch.worded[j] {
                        scratch.worded[j] = true;
                        scratch.words.push(j);
                    }
                }
            }
        }
        // Then candidates are scored whole, heaviest value first, each given up as soon as
        // it cannot reach the fifth best scored so far (a score the list's fifth reaches at
        // least). Those sharing a word come first, then those with `i`'s rarest value.
        // Anyone else lacks that value, so to reach the fifth it must have every value
        // weighing more than the slack left: it is found by walking the rarest of those
        // and keeping who has the others. When nothing weighs more than the slack, the
        // next rarest value's members are scored, and so on.
        let mut features = self.terms.features(i);
        features.sort_by_key(|f| f.postings);
        let mut heavy = features.clone();
        heavy.sort_by_key(|f| std::cmp::Reverse(f.weight));
        let total: u32 = features.iter().map(|f| f.weight).sum();
        let mut top = Top::default();
        for k in 0..scratch.words.len() {
            let j = scratch.words[k];
            self.evaluate(j, &heavy, total, scratch, &mut top);
        }
        if let Some(rarest) = features.first() {
            for &j in self.terms.postings(rarest.kind, rarest.id) {
                if j != i {
                    self.evaluate(j, &heavy, total, scratch, &mut top);
                }
            }
        }
        // After the members of `features[..k]`, anyone else lacks all of them.
        let mut k = 1;
        while let Some(others) = features.get(k..).filter(|o| !o.is_empty()) {
            let most: u32 = others.iter().map(|f| f.weight).sum();
            let bound = top.bound();
            if (most as f32) < bound {
                break;
            }
            let slack = most as f32 - bound;
            let required: Vec<&Feature> =
                others.iter().filter(|f| f.weight as f32 > slack).collect();
            if let Some((walk, check)) = required.split_first() {
                for &j in self.terms.postings(walk.kind, walk.id) {
                    if j != i && check.iter().all(|f| self.terms.has(j, f)) {
                        self.evaluate(j, &heavy, total, scratch, &mut top);
                    }
                }
                break;
            }
            for &j in self.terms.postings(others[0].kind, others[0].id) {
                if j != i {
                    self.evaluate(j, &heavy, total, scratch, &mut top);
                }
            }
            k += 1;
        }
        let scores = &scratch.scores;
        let rank = |j: usize| rank(i, j, scores[j].to_bits());
        let mut best: Vec<usize> = Vec::with_capacity(RELATED + 1);
        for &j in scratch.touched.iter() {
            if scores[j] == 0.0 {
                continue;
            }
            if best.len() < RELATED || rank(j) < rank(best[RELATED - 1]) {
                let at = best.partition_point(|&b| rank(b) < rank(j));
                best.insert(at, j);
                best.truncate(RELATED);
            }
        }
        let scored: Vec<(usize, u32)> = best.iter().map(|&j| (j, scores[j].to_bits())).collect();
        for &j in scratch.touched.iter() {
            scratch.scores[j] = 0.0;
            scratch.seen[j] = false;
        }
        for &j in scratch.words.iter() {
            scratch.text[j] = 0.0;
            scratch.worded[j] = false;
        }
        scratch.touched.clear();
        scratch.words.clear();
        let words = |v: &Vector| -> Vec<(&str, f32)> {
            v.iter()
                .map(|&(w, x)| (&*self.words[w as usize], x))
                .collect()
        };
        let mine = words(&self.vectors[i]);
        let list = best
            .into_iter()
            .map(|j| Related {
                index: j,
                reason: reason(inc, &incidents[j], &mine, &words(&self.vectors[j])),
            })
            .collect();
        (list, scored)
    }

    fn word_id(&mut self, w: &str) -> WordId {
        if let Some(&id) = self.vocabulary.get(w) {
            return id;
        }
        let id = self.words.len() as WordId;
        self.vocabulary.insert(Box::from(w), id);
        self.words.push(Box::from(w));
        self.df.push(0);
        self.top.push(Vec::new());
        if let Some(c) = &mut self.containing {
            c.push(Vec::new());
        }
        id
    }

    /// Brings the index and its lists from `previous` to `incidents`: the same
    /// post-mortems in the same order, some edited (by pointer: an unchanged incident is the
    /// same `Arc`). Returns how many lists were compared again; None when the lists differ
    /// in length or order, and the index must be built again.
    pub fn update(
        &mut self,
        previous: &[Arc<Incident>],
        incidents: &[Arc<Incident>],
    ) -> Option<usize> {
        if previous.len() != incidents.len()
            || previous.len() != self.n
            || previous
                .iter()
                .zip(incidents)
                .any(|(a, b)| a.source != b.source)
        {
            return None;
        }
        let changed: Vec<usize> = (0..self.n)
            .filter(|&i| !Arc::ptr_eq(&previous[i], &incidents[i]))
            .collect();
        if changed.is_empty() {
            return Some(0);
        }
        if changed.len() > self.n / 4 {
            // Most of the library is new (a setting that shapes parsing changed).
            return None;
        }
        // Incidents whose scores against others changed, with who may feel it.
        let mut moved: HashMap<usize, HashSet<usize>> = HashMap::default();
        let df_before = self.count_words(incidents, &changed);
        for &e in &changed {
            if values_of(&previous[e]) == values_of(&incidents[e]) {
                continue;
            }
            // Whoever shares a value, before or after, scores it differently.
            let neighbours = self.terms.replace(e, &incidents[e]);
            moved.entry(e).or_default().extend(neighbours);
        }
        // A word's weight depends on how many use it: where it counts (neither too rare
        // nor too common, before or after), every incident using it gets its vector again.
        let counts = |d: u32| d >= 2 && d <= self.cap;
        let mut candidates: HashSet<usize> = changed.iter().copied().collect();
        let containing = self.containing.as_ref().expect("built by count_words");
        for (&w, &before) in &df_before {
            if counts(before) || counts(self.df[w as usize]) {
                candidates.extend(&containing[w as usize]);
            }
        }
        let mut candidates: Vec<usize> = candidates.into_iter().collect();
        candidates.sort_unstable();
        let vectors: Vec<Vector> = candidates.par_iter().map(|&i| self.vector(i)).collect();
        let bits = |v: &Vector| v.iter().map(|&(w, x)| (w, x.to_bits())).collect::<Vec<_>>();
        for (i, v) in candidates.into_iter().zip(vectors) {
            if bits(&v) == bits(&self.vectors[i]) {
                continue;
            }
            let old = std::mem::replace(&mut self.vectors[i], v);
            for &(w, _) in &old {
                let list = &mut self.top[w as usize];
                if let Ok(at) = list.binary_search_by_key(&i, |&(j, _)| j) {
                    list.remove(at);
                }
            }
            for &(w, x) in &self.vectors[i] {
                let list = &mut self.top[w as usize];
                match list.binary_search_by_key(&i, |&(j, _)| j) {
                    Ok(at) => list[at].1 = x,
                    Err(at) => list.insert(at, (i, x)),
                }
            }
            // Who shares a distinctive word with it now; those who shared one before and
            // no longer do have new vectors themselves.
            let neighbours = moved.entry(i).or_default();
            for &(w, _) in old.iter().chain(&self.vectors[i]) {
                neighbours.extend(self.top[w as usize].iter().map(|&(j, _)| j));
            }
        }
        // An incident that moved is compared again; so is a neighbour when one that moved
        // was in its list, or now scores its way in. Others keep their lists.
        let mut again: HashSet<usize> = changed.iter().copied().collect();
        again.extend(moved.keys());
        let mut felt: HashMap<usize, Vec<usize>> = HashMap::default();
        for (&j, neighbours) in &moved {
            for &i in neighbours {
                if i != j && !moved.contains_key(&i) {
                    felt.entry(i).or_default().push(j);
                }
            }
        }
        let felt: Vec<(usize, Vec<usize>)> = felt.into_iter().collect();
        let touched: Vec<usize> = felt
            .par_iter()
            .filter(|(i, js)| {
                let best = &self.best[*i];
                js.iter().any(|&j| {
                    let score = self.score(*i, j);
                    best.iter().any(|&(b, _)| b == j)
                        || (score > 0.0
                            && (best.len() < RELATED
                                || best.last().is_some_and(|&(b, s)| {
                                    rank(*i, j, score.to_bits()) < rank(*i, b, s)
                                })))
                })
            })
            .map(|(i, _)| *i)
            .collect();
        again.extend(touched);
        let mut again: Vec<usize> = again.into_iter().collect();
        again.sort_unstable();
        let (lists, best) = self.compare(incidents, &again);
        for ((i, list), best) in again.iter().zip(lists).zip(best) {
            self.lists[*i] = list;
            self.best[*i] = best;
        }
        Some(again.len())
    }

    /// Builds what updates need ahead of the first, so that one is as quick as the rest.
    pub fn prepare_updates(&mut self, incidents: &[Arc<Incident>]) {
        self.count_words(incidents, &[]);
    }

    /// Updates the word counts for the incidents at `changed`; returns the words whose
    /// count changed, with the count before.
    fn count_words(
        &mut self,
        incidents: &[Arc<Incident>],
        changed: &[usize],
    ) -> HashMap<WordId, u32> {
        if self.containing.is_none() {
            let mut containing = vec![Vec::new(); self.words.len()];
            for (i, kw) in self.keywords.iter().enumerate() {
                for &(w, _) in kw {
                    containing[w as usize].push(i);
                }
            }
            self.containing = Some(containing);
        }
        let mut df_before: HashMap<WordId, u32> = HashMap::default();
        for &e in changed {
            let old = std::mem::take(&mut self.keywords[e]);
            let new: Vec<(WordId, u32)> = word_counts(&incidents[e].analysis_text)
                .iter()
                .map(|(w, tf)| (self.word_id(w), *tf))
                .collect();
            let old_words: HashSet<WordId> = old.iter().map(|&(w, _)| w).collect();
            let new_words: HashSet<WordId> = new.iter().map(|&(w, _)| w).collect();
            let containing = self.containing.as_mut().expect("built above");
            for &w in old_words.difference(&new_words) {
                df_before.entry(w).or_insert(self.df[w as usize]);
                self.df[w as usize] -= 1;
                remove_sorted(&mut containing[w as usize], e);
            }
            for &w in new_words.difference(&old_words) {
                df_before.entry(w).or_insert(self.df[w as usize]);
                self.df[w as usize] += 1;
                insert_sorted(&mut containing[w as usize], e);
            }
            self.keywords[e] = new;
        }
        df_before
    }
}

/// The largest share of the score, in words: "same root cause: config-change".
fn reason(a: &Incident, b: &Incident, va: &[(&str, f32)], vb: &[(&str, f32)]) -> String {
    let shared = |x: &[String], y: &[String]| {
        x.iter()
            .filter(|s| y.contains(s))
            .cloned()
            .collect::<Vec<_>>()
    };
    let rc = shared(&a.root_causes, &b.root_causes);
    let c = shared(&a.components, &b.components);
    let t = shared(&a.tags, &b.tags);
    let mut text: Vec<(&str, f32)> = va
        .iter()
        .filter_map(|(w, x)| vb.iter().find(|(v, _)| v == w).map(|(_, y)| (*w, x * y)))
        .collect();
    text.sort_by(|p, q| q.1.total_cmp(&p.1));
    let text_score = TEXT * text.iter().map(|(_, s)| s).sum::<f32>();
    let candidates = [
        (ROOT_CAUSE * rc.len() as f32, "same root cause", rc),
        (COMPONENT * c.len() as f32, "same component", c),
        (
            text_score,
            "similar text",
            text.iter().take(3).map(|(w, _)| w.to_string()).collect(),
        ),
        (TAG * t.len() as f32, "shared tags", t),
    ];
    let best =
        candidates
            .into_iter()
            .fold(None::<(f32, &str, Vec<String>)>, |best, c| match best {
                Some(b) if b.0 >= c.0 => Some(b),
                _ if c.2.is_empty() => best,
                _ => Some(c),
            });
    match best {
        Some((_, label, items)) => format!("{label}: {}", items.join(", ")),
        None => "similar".to_string(),
    }
}

#[cfg(test)]
mod tests;
