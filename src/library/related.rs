//! Related incidents: shared root causes, components and tags, and similar words in the
//! summary and analysis. Candidates come from inverted indexes (terms, and each incident's
//! most distinctive words), never from comparing all pairs, so 10,000 incidents stay fast.
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

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Related {
    pub index: usize,
    pub reason: String,
}

/// How many related incidents a page lists.
pub const RELATED: usize = 5;
/// How many distinctive words stand for an incident's text.
const WORDS: usize = 8;
const ROOT_CAUSE: f32 = 3.0;
const COMPONENT: f32 = 2.0;
const TAG: f32 = 1.0;
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

/// Root causes, components, tags: which incidents have each value, in list order.
type TermPostings = [HashMap<Box<str>, Vec<usize>>; 3];

/// The incidents in a related list, with their scores as bits.
type Scored = Vec<(usize, u32)>;

const KINDS: [f32; 3] = [ROOT_CAUSE, COMPONENT, TAG];

fn terms_of(inc: &Incident) -> [&Vec<String>; 3] {
    [&inc.root_causes, &inc.components, &inc.tags]
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
    terms: TermPostings,
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
        let mut terms: TermPostings = Default::default();
        for (i, inc) in incidents.iter().enumerate() {
            for (postings, values) in terms.iter_mut().zip(terms_of(inc)) {
                for v in values {
                    let list = match postings.get_mut(v.as_str()) {
                        Some(list) => list,
                        None => postings.entry(Box::from(v.as_str())).or_default(),
                    };
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
            }
        }
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
                || (vec![0f32; self.n], Vec::<usize>::new()),
                |(scores, touched), &i| self.related_of(incidents, i, scores, touched),
            )
            .unzip()
    }

    /// The score of `j` as `i`'s candidate, added up in the order `related_of` adds it, so
    /// the two agree to the bit.
    fn score(&self, incidents: &[Arc<Incident>], i: usize, j: usize) -> f32 {
        let mut score = 0f32;
        for ((mine, theirs), weight) in terms_of(&incidents[i])
            .into_iter()
            .zip(terms_of(&incidents[j]))
            .zip(KINDS)
        {
            for v in mine {
                if theirs.contains(v) {
                    score += weight;
                }
            }
        }
        for &(w, x) in &self.vectors[i] {
            if let Some(&(_, y)) = self.vectors[j].iter().find(|(v, _)| *v == w) {
                score += TEXT * x * y;
            }
        }
        score
    }

    /// `scores` is zero everywhere and `touched` empty, on entry and on return.
    fn related_of(
        &self,
        incidents: &[Arc<Incident>],
        i: usize,
        scores: &mut [f32],
        touched: &mut Vec<usize>,
    ) -> (Vec<Related>, Scored) {
        let inc = &incidents[i];
        let mut add = |j: usize, x: f32, scores: &mut [f32]| {
            if j != i {
                if scores[j] == 0.0 {
                    touched.push(j);
                }
                scores[j] += x;
            }
        };
        for ((postings, values), weight) in self.terms.iter().zip(terms_of(inc)).zip(KINDS) {
            for v in values {
                for &j in postings.get(v.as_str()).map(Vec::as_slice).unwrap_or(&[]) {
                    add(j, weight, scores);
                }
            }
        }
        for &(w, x) in &self.vectors[i] {
            for &(j, y) in &self.top[w as usize] {
                add(j, TEXT * x * y, scores);
            }
        }
        let rank = |j: usize| rank(i, j, scores[j].to_bits());
        let mut best: Vec<usize> = Vec::with_capacity(RELATED + 1);
        for &j in touched.iter() {
            if best.len() < RELATED || rank(j) < rank(best[RELATED - 1]) {
                let at = best.partition_point(|&b| rank(b) < rank(j));
                best.insert(at, j);
                best.truncate(RELATED);
            }
        }
        let scored: Vec<(usize, u32)> = best.iter().map(|&j| (j, scores[j].to_bits())).collect();
        for &j in touched.iter() {
            scores[j] = 0.0;
        }
        touched.clear();
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
            let (was, now) = (terms_of(&previous[e]), terms_of(&incidents[e]));
            if was == now {
                continue;
            }
            let neighbours = moved.entry(e).or_default();
            for ((postings, old), new) in self.terms.iter_mut().zip(was).zip(now) {
                for v in old {
                    if let Some(list) = postings.get_mut(v.as_str()) {
                        remove_sorted(list, e);
                    }
                }
                for v in new {
                    let list = match postings.get_mut(v.as_str()) {
                        Some(list) => list,
                        None => postings.entry(Box::from(v.as_str())).or_default(),
                    };
                    insert_sorted(list, e);
                }
                // Whoever shares a value, before or after, scores it differently.
                for v in old.iter().chain(new) {
                    neighbours.extend(postings.get(v.as_str()).into_iter().flatten());
                }
            }
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
                    let score = self.score(incidents, *i, j);
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
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::markdown::Markdown;

    /// A small deterministic generator (no test may depend on chance).
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 33) as usize) % n
        }

        fn pick<'a>(&mut self, from: &[&'a str], n: usize) -> Vec<&'a str> {
            (0..n).map(|_| from[self.below(from.len())]).collect()
        }
    }

    /// Made-up words, rare enough across the library to count as distinctive.
    fn word(k: usize) -> String {
        let letter = |x: usize| char::from(b'a' + (x % 26) as u8);
        format!("zq{}{}", letter(k / 26), letter(k))
    }

    const COMPONENTS: &[&str] = &["api", "db", "cdn", "queue", "auth", "search"];
    const CAUSES: &[&str] = &["config-change", "capacity", "expiry", "bug"];
    const TAGS: &[&str] = &["customer-facing", "data-loss", "security"];

    fn incident(rng: &mut Lcg, n: usize) -> Arc<Incident> {
        let list = |v: Vec<&str>| {
            v.iter()
                .map(|s| format!("\"{s}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (c, r, t, w) = (
            rng.below(3),
            rng.below(2) + 1,
            rng.below(2),
            6 + rng.below(20),
        );
        let text = format!(
            "+++\nid = \"INC-{n}\"\ntitle = \"Incident {n}\"\ndate = 2024-01-{:02}\n\
             status = \"published\"\ncomponents = [{}]\nroot_causes = [{}]\ntags = [{}]\n+++\n\n\
             ## Analysis\n\n{}\n",
            n % 28 + 1,
            list(rng.pick(COMPONENTS, c)),
            list(rng.pick(CAUSES, r)),
            list(rng.pick(TAGS, t)),
            (0..w)
                .map(|_| word(rng.below(300)))
                .collect::<Vec<_>>()
                .join(" "),
        );
        let path = format!("content/{n}.md");
        let (inc, problems) = crate::content::load_bytes(
            std::path::Path::new(&path),
            text.as_bytes(),
            &crate::content::ParseSettings::of(&Config::default()),
            &Markdown::new(false),
        );
        assert!(problems.iter().all(|p| !p.is_error()), "{problems:?}");
        Arc::new(inc.expect("a post-mortem"))
    }

    #[test]
    fn updating_after_edits_gives_the_lists_of_a_fresh_build() {
        let mut rng = Lcg(7);
        let mut incidents: Vec<Arc<Incident>> = (0..120).map(|n| incident(&mut rng, n)).collect();
        let mut index = Index::build(&incidents);
        for round in 0..40 {
            let previous = incidents.clone();
            // One to three post-mortems rewritten, keeping their id and date (their place).
            for _ in 0..1 + round % 3 {
                let at = rng.below(incidents.len());
                let n: usize = incidents[at].id[4..].parse().unwrap();
                let mut fresh = incident(&mut rng, n);
                Arc::get_mut(&mut fresh).unwrap().source = incidents[at].source.clone();
                incidents[at] = fresh;
            }
            let again = index
                .update(&previous, &incidents)
                .expect("same incidents in the same order");
            assert!(
                again < incidents.len(),
                "round {round}: every list compared again"
            );
            assert_eq!(index.lists(), related(&incidents), "round {round}");
        }
        // Another list, or another order, cannot be updated.
        let fewer = incidents[1..].to_vec();
        assert!(index.update(&incidents, &fewer).is_none());
    }
}
