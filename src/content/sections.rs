//! Conventional post-mortem sections recognised by heading and turned into data: the
//! timeline, action items, the external message and the summary. Works on comrak's AST so
//! every entry keeps its source line.

use std::sync::LazyLock;

use comrak::nodes::{AstNode, NodeValue};
use regex::Regex;

use super::model::Source;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    Timeline,
    ActionItems,
    ExternalMessage,
    Summary,
    /// What went wrong and why: the text related incidents are compared on.
    Analysis,
    /// Analysis whose list items name the contributing factors, when front matter names
    /// none.
    ContributingFactors,
}

/// A heading's words, lowercased, one space apart, punctuation gone (`Follow-up Actions:` is
/// `follow up actions`): what section names are matched against.
pub fn heading_words(heading: &str) -> String {
    let norm: String = heading
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    norm.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Which conventional section a heading starts, by its words (case-insensitive, with the
/// synonyms the common templates use).
pub fn classify(heading: &str) -> Option<SectionKind> {
    let h = heading_words(heading);
    let h = h.as_str();
    match h {
        "timeline" | "incident timeline" | "timeline of events" | "detailed timeline"
        | "chronology" | "sequence of events" | "event timeline" => Some(SectionKind::Timeline),
        "summary" | "overview" | "executive summary" | "incident summary" | "tl dr" | "tldr" => {
            Some(SectionKind::Summary)
        }
        "analysis"
        | "root cause"
        | "root causes"
        | "root cause analysis"
        | "what happened"
        | "trigger"
        | "cause"
        | "causes"
        | "technical details"
        | "background" => Some(SectionKind::Analysis),
        "contributing factors" | "contributing factor" | "contributing causes" => {
            Some(SectionKind::ContributingFactors)
        }
        "external"
        | "external message"
        | "external messaging"
        | "external communication"
        | "external communications"
        | "customer communication"
        | "customer communications"
        | "customer message"
        | "customer facing message"
        | "public message"
        | "public statement"
        | "status page message"
        | "status page update" => Some(SectionKind::ExternalMessage),
        _ if h.starts_with("action item")
            || h.starts_with("follow up")
            || h.starts_with("corrective action")
            || h.starts_with("remediation")
            || h == "actions"
            || h == "next steps" =>
        {
            Some(SectionKind::ActionItems)
        }
        _ => None,
    }
}

/// A paragraph that is only a bold label (`**Timeline**:`, `**Action Items:**`) names a
/// section as a heading would; one with words after its label (`**Action item:** Rotate
/// the keys`) does not.
pub fn bold_label<'a>(paragraph: &'a AstNode<'a>) -> Option<SectionKind> {
    if !matches!(paragraph.data().value, NodeValue::Paragraph) {
        return None;
    }
    let mut children = paragraph.children();
    let strong = children.next()?;
    if !matches!(strong.data().value, NodeValue::Strong) {
        return None;
    }
    let rest_is_empty = children.all(|c| match &c.data().value {
        NodeValue::Text(t) => t.trim().trim_matches(':').trim().is_empty(),
        NodeValue::SoftBreak | NodeValue::LineBreak => true,
        _ => false,
    });
    if !rest_is_empty {
        return None;
    }
    classify(strong.collect_text().trim().trim_end_matches(':'))
}

/// Plain text of inline content with its links, and link labels marked so that a
/// parenthesised source link can be dropped from the text.
pub(super) struct Inline {
    pub text: String,
    pub links: Vec<Source>,
}

pub(super) const LINK_OPEN: char = '\u{1}';
pub(super) const LINK_CLOSE: char = '\u{2}';

/// Walks inline content with a stack of its own, never the call stack: an author's text can
/// nest emphasis or quotes hundreds of thousands deep.
fn inline_of<'a>(node: &'a AstNode<'a>, out: &mut Inline) {
    enum Step<'a> {
        Node(&'a AstNode<'a>),
        /// The end of a link whose label starts at this byte of `out.text`.
        LinkEnd(String, usize),
    }
    let mut stack = vec![Step::Node(node)];
    while let Some(step) = stack.pop() {
        let node = match step {
            Step::Node(node) => node,
            Step::LinkEnd(url, start) => {
                let label = out.text[start..].to_string();
                out.links.push(Source { label, url });
                out.text.push(LINK_CLOSE);
                continue;
            }
        };
        match &node.data().value {
            // Link markers are control characters; any in the text itself are dropped.
            NodeValue::Text(t) => out
                .text
                .extend(t.chars().filter(|c| *c != LINK_OPEN && *c != LINK_CLOSE)),
            NodeValue::Code(c) => out.text.extend(
                c.literal
                    .chars()
                    .filter(|c| *c != LINK_OPEN && *c != LINK_CLOSE),
            ),
            NodeValue::SoftBreak | NodeValue::LineBreak => out.text.push('\n'),
            NodeValue::Link(link) => {
                out.text.push(LINK_OPEN);
                stack.push(Step::LinkEnd(link.url.clone(), out.text.len()));
                stack.extend(node.reverse_children().map(Step::Node));
            }
            NodeValue::List(_) => {}
            _ => stack.extend(node.reverse_children().map(Step::Node)),
        }
    }
}

pub(super) fn inline<'a>(node: &'a AstNode<'a>) -> Inline {
    let mut out = Inline {
        text: String::new(),
        links: Vec::new(),
    };
    for child in node.children() {
        inline_of(child, &mut out);
    }
    out
}

static PAREN_LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("\\s*\\(\u{1}[^\u{2}]*\u{2}\\)").expect("paren regex"));

/// The text with parenthesised source links removed and link markers dropped.
pub(super) fn clean_text(text: &str) -> String {
    let t = PAREN_LINK.replace_all(text, "");
    let t: String = t
        .chars()
        .filter(|c| *c != LINK_OPEN && *c != LINK_CLOSE)
        .collect();
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(super) fn line_of<'a>(node: &'a AstNode<'a>, first_line: usize) -> usize {
    node.data().sourcepos.start.line + first_line - 1
}

/// A cell made of links alone (a "Data Link" column) holds sources, not text.
pub(super) fn only_links(marked: &str) -> bool {
    let mut outside = String::new();
    let mut depth = 0;
    for c in marked.chars() {
        match c {
            LINK_OPEN => depth += 1,
            LINK_CLOSE => depth -= 1,
            _ if depth == 0 => outside.push(c),
            _ => {}
        }
    }
    marked.contains(LINK_OPEN) && outside.trim().trim_matches(['(', ')', ',', ' ']).is_empty()
}

pub(super) fn is_bare_url(text: &str) -> bool {
    !text.contains(' ') && (text.starts_with("http://") || text.starts_with("https://"))
}

/// What a section's blocks give: its entries (timeline entries, action items), for each
/// block the entries it was turned into when the whole block was (it is then shown as
/// those entries, an empty range meaning it joined the entry before; any other block stays
/// where it stands, as the author wrote it), and the blocks to render as an entry's notes.
pub struct Read<'a, T> {
    pub entries: Vec<T>,
    pub consumed: Vec<Option<std::ops::Range<usize>>>,
    /// Blocks to render as an entry's notes (nested bullets, a log, an image), each with a
    /// label when it came from a named column (`Notes`).
    pub notes: Vec<(usize, Option<String>, &'a AstNode<'a>)>,
    /// The node holding an entry's words as written (an item's paragraph, a table cell),
    /// rendered as its text so that links stay links.
    pub texts: Vec<(usize, &'a AstNode<'a>)>,
    /// Where a timeline entry's words stand in the tree, to be rendered with their inline
    /// markup once the time stamp is cut from them.
    pub words: Vec<Words<'a>>,
}

/// Part of an entry's words as written: the `line`-th line (lines end at soft breaks) of
/// `node`'s inline content, or all of it when None, after its first `cut` characters (the
/// time stamp and what separates it from the words). An entry with several parts (a time
/// heading and the paragraphs under it, a table row's cells) joins them with `joiner`.
pub struct Words<'a> {
    pub at: usize,
    pub node: &'a AstNode<'a>,
    pub line: Option<usize>,
    pub cut: usize,
    pub joiner: &'static str,
}

/// Where a block's reading started: how many entries, notes and texts there were.
#[derive(Clone, Copy)]
pub struct Mark(usize, usize, usize);

impl<'a, T> Read<'a, T> {
    pub fn new(blocks: usize) -> Self {
        Read {
            entries: Vec::new(),
            consumed: Vec::with_capacity(blocks),
            notes: Vec::new(),
            texts: Vec::new(),
            words: Vec::new(),
        }
    }

    /// Before a block is read into this.
    pub fn mark(&self) -> Mark {
        Mark(self.entries.len(), self.notes.len(), self.texts.len())
    }

    /// Whether reading since `mark` gave any entry.
    pub fn gave(&self, mark: Mark) -> bool {
        self.entries.len() > mark.0
    }

    /// After: a block that became data is recorded as the entries it gave; one that did
    /// not gives none, and stays where it stands.
    pub fn settle(&mut self, mark: Mark, consumed: bool) {
        if consumed {
            self.consumed.push(Some(mark.0..self.entries.len()));
        } else {
            self.entries.truncate(mark.0);
            self.notes.truncate(mark.1);
            self.texts.truncate(mark.2);
            self.consumed.push(None);
        }
    }
}

/// An item's first paragraph (its entry's text) and the blocks after it (its notes).
pub(super) fn split_item<'a>(
    item: &'a AstNode<'a>,
) -> (Option<&'a AstNode<'a>>, Vec<&'a AstNode<'a>>) {
    let mut children = item.children();
    match children.next() {
        Some(first) if matches!(first.data().value, NodeValue::Paragraph) => {
            (Some(first), children.collect())
        }
        Some(first) => (None, std::iter::once(first).chain(children).collect()),
        None => (None, Vec::new()),
    }
}

/// Images inside a paragraph that becomes an entry's text: shown as its notes, so that no
/// image is lost (their alt text stays in the text too).
pub(super) fn images_in<'a>(paragraph: &'a AstNode<'a>) -> Vec<&'a AstNode<'a>> {
    paragraph
        .descendants()
        .filter(|n| matches!(n.data().value, NodeValue::Image(_)))
        .collect()
}

/// The first paragraph of a section, as plain text.
pub fn first_paragraph<'a>(blocks: &[&'a AstNode<'a>]) -> Option<String> {
    blocks
        .iter()
        .find(|b| matches!(b.data().value, NodeValue::Paragraph))
        .map(|b| clean_text(&inline(b).text))
        .filter(|t| !t.is_empty())
}

pub(super) fn table_rows<'a>(table: &'a AstNode<'a>) -> Vec<(&'a AstNode<'a>, Vec<Inline>)> {
    table
        .children()
        .map(|row| (row, row.children().map(|cell| inline(cell)).collect()))
        .collect()
}

/// The terms a contributing-factors section's list names: each top-level item's bold lead
/// (`**Alert fatigue**: the pager ...`), or its whole text when it is a short name (five
/// words or fewer: `Stale runbook`). A sentence names no term; it stays in the page.
pub fn factor_terms<'a>(blocks: &[&'a AstNode<'a>]) -> Vec<String> {
    const LONGEST: usize = 60;
    const MOST_WORDS: usize = 5;
    let mut out = Vec::new();
    for list in blocks
        .iter()
        .filter(|b| matches!(b.data().value, NodeValue::List(_)))
    {
        for item in list.children() {
            let Some(para) = item.first_child() else {
                continue;
            };
            let lead = para
                .first_child()
                .filter(|n| matches!(n.data().value, NodeValue::Strong))
                .map(|n| n.collect_text());
            let bold = lead.is_some();
            let text = lead.unwrap_or_else(|| para.collect_text());
            if !bold && text.split_whitespace().count() > MOST_WORDS {
                continue;
            }
            let text = text
                .trim()
                .trim_end_matches([':', '.', ';', ','])
                .trim()
                .to_string();
            if !text.is_empty() && text.chars().count() <= LONGEST && !out.contains(&text) {
                out.push(text);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_synonyms() {
        assert_eq!(classify("Timeline"), Some(SectionKind::Timeline));
        assert_eq!(classify("Action Items"), Some(SectionKind::ActionItems));
        assert_eq!(
            classify("Follow-up actions"),
            Some(SectionKind::ActionItems)
        );
        assert_eq!(
            classify("Customer Communication"),
            Some(SectionKind::ExternalMessage)
        );
        assert_eq!(classify("Root Cause Analysis"), Some(SectionKind::Analysis));
        assert_eq!(classify("Lessons learned"), None);
    }
}
