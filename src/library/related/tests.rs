//! The related lists against scoring every pair, and updates against fresh builds.
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

/// Every pair scored: what the bounded walk must give, list for list, score for score.
fn every_pair(index: &Index) -> Vec<Scored> {
    (0..index.n)
        .map(|i| {
            let mut all: Vec<(usize, u32)> = (0..index.n)
                .filter(|&j| j != i)
                .map(|j| (j, index.score(i, j)))
                .filter(|(_, s)| *s > 0.0)
                .map(|(j, s)| (j, s.to_bits()))
                .collect();
            all.sort_by_key(|&(j, s)| rank(i, j, s));
            all.truncate(RELATED);
            all
        })
        .collect()
}

#[test]
fn the_bounded_walk_picks_what_scoring_every_pair_picks() {
    // Six components, four root causes and three tags over 1,500 incidents: every value
    // is on hundreds, as `customer-facing` is on a third of a large library.
    let mut rng = Lcg(11);
    let incidents: Vec<Arc<Incident>> = (0..1500).map(|n| incident(&mut rng, n)).collect();
    let index = Index::build(&incidents);
    assert_eq!(index.best, every_pair(&index));
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

#[test]
fn the_bounded_walk_is_exact_with_rare_values_too() {
    // Rare components (a few incidents each) and rare tags beside the common ones: the
    // first bound is weak, and the walk takes the next rarest values' members.
    let mut rng = Lcg(5);
    let incidents: Vec<Arc<Incident>> = (0..900)
        .map(|n| {
            let mut inc = incident(&mut rng, n);
            let inc_mut = Arc::make_mut(&mut inc);
            inc_mut.components.push(format!("svc-{}", n % 97));
            if n % 3 == 0 {
                inc_mut.tags.push(format!("team-{}", n % 41));
            }
            inc
        })
        .collect();
    let index = Index::build(&incidents);
    assert_eq!(index.best, every_pair(&index));
}
