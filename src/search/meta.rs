//! `search/meta.json` and the per-document data beside it.
//!
//! `meta.json` holds what every query needs and nothing per document: the shard layout, the
//! fields and boosts, the facets' names. What a query needs per document it matches (field
//! lengths for scoring, facet values for the counts) is in `search/meta/<k>.json`, a
//! fragment of [`DOCS_PER_FRAGMENT`] documents each, so a query with a few dozen results
//! fetches the fragments that hold them, not the whole library's; `search/meta/all.json` holds
//! every document, for a query that matches most of them. Numbers are written as strings of
//! base-64 digits ([`Digits`]).

use std::ops::Range;

use serde::Serialize;

use super::{DOCS_PER_CHUNK, FIELDS, PART_CHARS, PREFIX_CHARS};
use crate::library::Library;
use crate::library::terms::{Taxonomy, Terms};

/// Documents per `search/meta/<k>.json`. At 10,000 post-mortems a fragment is about 1 KB
/// gzipped: "checkout-api 502" (42 results) fetches 33 of them, 36 KB, where the whole
/// library's per-document data is 77 KB.
pub const DOCS_PER_FRAGMENT: usize = 64;

#[derive(Serialize)]
struct Facets<'a> {
    severity: Vec<&'a str>,
    component: Vec<&'a str>,
    root_cause: Vec<&'a str>,
    contributing_factor: Vec<&'a str>,
    #[serde(rename = "type")]
    incident_type: Vec<&'a str>,
    year: Vec<i32>,
}

#[derive(Serialize)]
struct Header<'a> {
    /// Changes whenever any index file changes; `search.js` adds it to every fetch so a
    /// cached shard of an older build is never mixed with a newer one.
    version: String,
    /// Number of documents.
    n: usize,
    shards: u32,
    /// Per shard, the parts it is cut into (`search::part_of`); 1 for most.
    parts: Vec<u32>,
    part_chars: usize,
    prefix: usize,
    chunk: usize,
    /// Documents per `meta/<k>.json`.
    fragment: usize,
    fields: Vec<&'static str>,
    boost: Vec<f64>,
    facets: Facets<'a>,
}

/// Per document (numbered from the fragment's first), what scoring and facets need. A facet
/// with no values is an empty list, whatever the documents.
struct PerDoc {
    /// Index into `facets.severity`, or -1.
    severity: Vec<i32>,
    component: Vec<Vec<u32>>,
    root_cause: Vec<Vec<u32>>,
    contributing_factor: Vec<Vec<u32>>,
    /// Index into `facets.type`, or -1.
    incident_type: Vec<i32>,
    /// Index into `facets.year`, or -1.
    year: Vec<i32>,
    /// Per field, per document: the field's token count.
    lengths: Vec<Vec<u32>>,
}

/// The digits of [`Digits`]: base 64, each one character that JSON writes as itself.
const DIGITS: &[u8; 64] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

/// Numbers as a string of base-64 digits, `width` per number, and the width: gzipped, a
/// quarter smaller than a JSON array of the same numbers (at 10,000 post-mortems the
/// per-document data is 62 KB instead of 75 KB). Width 0 is an empty list. A list of lists
/// (`component`) is its lists' digits joined by spaces.
#[derive(Serialize)]
struct Digits(usize, String);

fn width(max: u32) -> usize {
    let mut w = 1;
    while w < 6 && u64::from(max) >= 64u64.pow(w as u32) {
        w += 1;
    }
    w
}

fn push_digits(out: &mut String, mut v: u32, w: usize) {
    let start = out.len();
    for _ in 0..w {
        out.insert(start, DIGITS[(v % 64) as usize] as char);
        v /= 64;
    }
}

/// One number per document; -1 (none) is written as 0, every other value one up.
fn one_each(values: &[i32]) -> Digits {
    if values.is_empty() {
        return Digits(0, String::new());
    }
    let up = |v: i32| (v + 1).max(0) as u32;
    let w = width(values.iter().map(|&v| up(v)).max().unwrap_or(0));
    let mut s = String::with_capacity(values.len() * w);
    for &v in values {
        push_digits(&mut s, up(v), w);
    }
    Digits(w, s)
}

fn counts(values: &[u32]) -> Digits {
    let w = width(values.iter().copied().max().unwrap_or(0));
    let mut s = String::with_capacity(values.len() * w);
    for &v in values {
        push_digits(&mut s, v, w);
    }
    Digits(if values.is_empty() { 0 } else { w }, s)
}

fn lists(values: &[Vec<u32>]) -> Digits {
    if values.is_empty() {
        return Digits(0, String::new());
    }
    let w = width(values.iter().flatten().copied().max().unwrap_or(0));
    let mut s = String::new();
    for (d, list) in values.iter().enumerate() {
        if d > 0 {
            s.push(' ');
        }
        for &v in list {
            push_digits(&mut s, v, w);
        }
    }
    Digits(w, s)
}

/// The numbers a [`Digits`] string holds (for `pmsite similar` and tests); `None` when it is
/// not one.
pub fn decode_digits(width: usize, digits: &str) -> Option<Vec<u32>> {
    if width == 0 {
        return Some(Vec::new());
    }
    let bytes = digits.as_bytes();
    if width > 6 || !bytes.len().is_multiple_of(width) {
        return None;
    }
    bytes
        .chunks(width)
        .map(|c| {
            c.iter().try_fold(0u32, |n, b| {
                let d = DIGITS.iter().position(|x| x == b)? as u32;
                Some(n * 64 + d)
            })
        })
        .collect()
}

#[derive(Serialize)]
struct Encoded {
    severity: Digits,
    component: Digits,
    root_cause: Digits,
    contributing_factor: Digits,
    #[serde(rename = "type")]
    incident_type: Digits,
    year: Digits,
    lengths: Vec<Digits>,
}

fn part<T: Clone>(v: &[T], docs: &Range<usize>) -> Vec<T> {
    if v.is_empty() {
        Vec::new()
    } else {
        v[docs.clone()].to_vec()
    }
}

impl PerDoc {
    fn encode(&self, docs: Range<usize>) -> Vec<u8> {
        let encoded = Encoded {
            severity: one_each(&part(&self.severity, &docs)),
            component: lists(&part(&self.component, &docs)),
            root_cause: lists(&part(&self.root_cause, &docs)),
            contributing_factor: lists(&part(&self.contributing_factor, &docs)),
            incident_type: one_each(&part(&self.incident_type, &docs)),
            year: one_each(&part(&self.year, &docs)),
            lengths: self
                .lengths
                .iter()
                .map(|l| counts(&part(l, &docs)))
                .collect(),
        };
        to_json(&encoded)
    }
}

/// The shard layout `meta.json` describes.
pub struct Layout {
    pub shards: u32,
    pub parts: Vec<u32>,
    pub boost: Vec<f64>,
}

/// `meta.json`, `meta/all.json` and the fragments, by path in the site. `version` has
/// hashed the other index files; it hashes these too and is written into `meta.json`.
pub fn files(
    lib: &Library,
    lengths: Vec<Vec<u32>>,
    layout: Layout,
    mut version: impl std::hash::Hasher,
) -> Vec<(String, Vec<u8>)> {
    let all = per_doc(lib, lengths);
    let n = lib.incidents.len();
    let mut files = Vec::with_capacity(n.div_ceil(DOCS_PER_FRAGMENT) + 2);
    for (k, start) in (0..n).step_by(DOCS_PER_FRAGMENT).enumerate() {
        let docs = start..(start + DOCS_PER_FRAGMENT).min(n);
        files.push((format!("search/meta/{k}.json"), all.encode(docs)));
    }
    files.push(("search/meta/all.json".to_string(), all.encode(0..n)));
    for (_, bytes) in &files {
        version.write(bytes);
    }
    let mut header = header(lib, layout);
    version.write(&to_json(&header));
    header.version = format!("{:016x}", version.finish());
    files.push(("search/meta.json".to_string(), to_json(&header)));
    files
}

fn to_json(value: &impl Serialize) -> Vec<u8> {
    serde_json::to_vec(value).expect("the search metadata serializes")
}

fn header(lib: &Library, layout: Layout) -> Header<'_> {
    let names = |t: Taxonomy| lib.terms(t).terms.iter().map(|t| t.name.as_str()).collect();
    Header {
        version: String::new(),
        n: lib.incidents.len(),
        shards: layout.shards,
        parts: layout.parts,
        part_chars: PART_CHARS,
        prefix: PREFIX_CHARS,
        chunk: DOCS_PER_CHUNK,
        fragment: DOCS_PER_FRAGMENT,
        fields: FIELDS.to_vec(),
        boost: layout.boost,
        facets: Facets {
            severity: names(Taxonomy::Severities),
            component: names(Taxonomy::Components),
            root_cause: names(Taxonomy::RootCauses),
            contributing_factor: names(Taxonomy::ContributingFactors),
            incident_type: names(Taxonomy::Types),
            year: lib.years(),
        },
    }
}

fn per_doc(lib: &Library, lengths: Vec<Vec<u32>>) -> PerDoc {
    let n = lib.incidents.len();
    // A single-valued facet: per document, the index of its term, or -1.
    let one_per_doc = |terms: &Terms, len: usize| {
        let mut v = vec![-1i32; len];
        for (k, t) in terms.terms.iter().enumerate() {
            for &i in &t.incidents {
                v[i] = k as i32;
            }
        }
        v
    };
    // A facet with no values costs nothing per document.
    let many_per_doc = |terms: &Terms| {
        if terms.terms.is_empty() {
            return Vec::new();
        }
        let mut v: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (k, t) in terms.terms.iter().enumerate() {
            for &i in &t.incidents {
                v[i].push(k as u32);
            }
        }
        v
    };
    let types = lib.terms(Taxonomy::Types);
    let years = lib.years();
    let year = lib
        .incidents
        .iter()
        .map(|i| {
            i.date
                .and_then(|d| {
                    let y = chrono::Datelike::year(&d.date());
                    years.iter().position(|&x| x == y)
                })
                .map_or(-1, |p| p as i32)
        })
        .collect();
    PerDoc {
        severity: one_per_doc(lib.terms(Taxonomy::Severities), n),
        component: many_per_doc(lib.terms(Taxonomy::Components)),
        root_cause: many_per_doc(lib.terms(Taxonomy::RootCauses)),
        contributing_factor: many_per_doc(lib.terms(Taxonomy::ContributingFactors)),
        // Types other than the default only (`Taxonomy::values`): none, no facet.
        incident_type: one_per_doc(types, if types.terms.is_empty() { 0 } else { n }),
        year,
        lengths,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_read_back_as_written() {
        let values = [0u32, 1, 63, 64, 4095, 4096, 262_143, 300_000];
        let d = counts(&values);
        assert_eq!(d.0, 4);
        assert_eq!(decode_digits(d.0, &d.1).unwrap(), values);
        let small = counts(&[3, 17, 0]);
        assert_eq!((small.0, small.1.as_str()), (1, "3h0"));
        // None is 0; every value one up.
        let one = one_each(&[-1, 0, 2]);
        assert_eq!((one.0, one.1.as_str()), (1, "013"));
        let l = lists(&[vec![1, 2], vec![], vec![63]]);
        assert_eq!((l.0, l.1.as_str()), (1, "12  _"));
        assert_eq!(lists(&[]).0, 0);
        assert_eq!(decode_digits(0, "").unwrap(), Vec::<u32>::new());
        assert_eq!(decode_digits(2, "abc"), None);
        assert_eq!(decode_digits(1, "*"), None);
    }
}
