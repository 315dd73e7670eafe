//! The words two incidents are compared on: an incident's analysis text counted into words
//! that say something (three letters or more, not numbers, not the words every post-mortem
//! uses).

/// Words too common in post-mortems (or English) to say two incidents are alike. Sorted, for
/// binary search.
const STOPWORDS: &[&str] = &[
    "about",
    "after",
    "all",
    "also",
    "and",
    "any",
    "are",
    "back",
    "because",
    "been",
    "before",
    "between",
    "but",
    "can",
    "could",
    "customer",
    "customers",
    "did",
    "does",
    "during",
    "each",
    "for",
    "from",
    "had",
    "has",
    "have",
    "how",
    "impact",
    "incident",
    "into",
    "issue",
    "its",
    "minutes",
    "more",
    "most",
    "not",
    "one",
    "only",
    "other",
    "our",
    "out",
    "over",
    "per",
    "same",
    "should",
    "since",
    "some",
    "such",
    "team",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "they",
    "this",
    "time",
    "times",
    "two",
    "under",
    "until",
    "via",
    "was",
    "were",
    "what",
    "when",
    "which",
    "while",
    "who",
    "why",
    "will",
    "with",
    "would",
];

static STOPWORD_SET: std::sync::LazyLock<rustc_hash::FxHashSet<&'static str>> =
    std::sync::LazyLock::new(|| STOPWORDS.iter().copied().collect());

/// Word counts of an incident's analysis text (`Incident::analysis_text`), sorted by word:
/// words of three letters or more, not numbers, not stop words. Hot at scale: words are
/// borrowed from the text.
pub fn word_counts(text: &str) -> Vec<(String, u32)> {
    let mut counts: rustc_hash::FxHashMap<&str, u32> = Default::default();
    for word in text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_')) {
        let word = word.trim_matches(|c| c == '-' || c == '_');
        if word.len() < 3 || word.bytes().all(|b| b.is_ascii_digit()) || STOPWORD_SET.contains(word)
        {
            continue;
        }
        *counts.entry(word).or_default() += 1;
    }
    let mut words: Vec<(String, u32)> = counts
        .into_iter()
        .map(|(w, c)| (w.to_string(), c))
        .collect();
    words.sort_unstable();
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopwords_are_sorted_for_binary_search() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn word_counts_of_prose_lowercased() {
        assert_eq!(
            word_counts("deadlock the deadlock in pgbouncer; deadlock again pgbouncer 42 "),
            vec![
                ("again".into(), 1),
                ("deadlock".into(), 3),
                ("pgbouncer".into(), 2)
            ]
        );
    }
}
