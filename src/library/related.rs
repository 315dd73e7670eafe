//! Related incidents: shared root causes, components and tags, and similar words in the
//! summary and analysis. Candidates come from inverted indexes (terms, and each incident's
//! most distinctive words), never from comparing all pairs, so 10,000 incidents stay fast.

use rustc_hash::FxHashMap as HashMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::content::model::Incident;

#[derive(Debug, Clone, Serialize)]
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

/// An incident's text as its most distinctive words (tf-idf), normalised to unit length.
fn text_vectors(incidents: &[Incident]) -> Vec<Vec<(&str, f32)>> {
    let n = incidents.len();
    let df = incidents
        .par_iter()
        .fold(HashMap::<&str, u32>::default, |mut df, inc| {
            for (w, _) in &inc.keywords {
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
    // Words most incidents use say little and cost much: cap how common a word may be.
    let cap = (n / 20).clamp(5, 200) as u32;
    incidents
        .par_iter()
        .map(|inc| {
            let mut v: Vec<(&str, f32)> = inc
                .keywords
                .iter()
                .filter_map(|(w, tf)| {
                    let d = *df.get(w.as_str())?;
                    (d >= 2 && d <= cap).then(|| {
                        (
                            w.as_str(),
                            (1.0 + (*tf as f32).ln()) * (n as f32 / d as f32).ln(),
                        )
                    })
                })
                .collect();
            v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
            v.truncate(WORDS);
            let norm = v.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
            if norm > 0.0 {
                for (_, x) in &mut v {
                    *x /= norm;
                }
            }
            v
        })
        .collect()
}

/// The five incidents most like each one, with why.
pub fn related(incidents: &[Incident]) -> Vec<Vec<Related>> {
    let mut terms: HashMap<(u8, &str), Vec<usize>> = HashMap::default();
    for (i, inc) in incidents.iter().enumerate() {
        for (kind, values) in [
            (0u8, &inc.root_causes),
            (1, &inc.components),
            (2, &inc.tags),
        ] {
            for v in values {
                terms.entry((kind, v.as_str())).or_default().push(i);
            }
        }
    }
    let vectors = text_vectors(incidents);
    let mut words: HashMap<&str, Vec<(usize, f32)>> = HashMap::default();
    for (i, v) in vectors.iter().enumerate() {
        for (w, x) in v {
            words.entry(*w).or_default().push((i, *x));
        }
    }
    let n = incidents.len();
    (0..n)
        .into_par_iter()
        .map_init(
            || (vec![0f32; n], Vec::<usize>::new()),
            |(scores, touched), i| {
                let inc = &incidents[i];
                let mut add = |j: usize, x: f32, scores: &mut Vec<f32>| {
                    if j != i {
                        if scores[j] == 0.0 {
                            touched.push(j);
                        }
                        scores[j] += x;
                    }
                };
                for (kind, values, weight) in [
                    (0u8, &inc.root_causes, ROOT_CAUSE),
                    (1, &inc.components, COMPONENT),
                    (2, &inc.tags, TAG),
                ] {
                    for v in values {
                        for &j in terms
                            .get(&(kind, v.as_str()))
                            .map(Vec::as_slice)
                            .unwrap_or(&[])
                        {
                            add(j, weight, scores);
                        }
                    }
                }
                for (w, x) in &vectors[i] {
                    for &(j, y) in words.get(w).map(Vec::as_slice).unwrap_or(&[]) {
                        add(j, TEXT * x * y, scores);
                    }
                }
                // Highest score first; among equals, the nearer in the list (closer in time).
                let rank = |j: usize| (std::cmp::Reverse(scores[j].to_bits()), j.abs_diff(i), j);
                let mut best: Vec<usize> = Vec::with_capacity(RELATED + 1);
                for &j in touched.iter() {
                    if best.len() < RELATED || rank(j) < rank(best[RELATED - 1]) {
                        let at = best.partition_point(|&b| rank(b) < rank(j));
                        best.insert(at, j);
                        best.truncate(RELATED);
                    }
                }
                for &j in touched.iter() {
                    scores[j] = 0.0;
                }
                touched.clear();
                best.into_iter()
                    .map(|j| Related {
                        index: j,
                        reason: reason(inc, &incidents[j], &vectors[i], &vectors[j]),
                    })
                    .collect()
            },
        )
        .collect()
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
