//! The body: Markdown parsed once with comrak; links checked against the URL policy and
//! turned into slots where the library fills them in; the sections that become data
//! (timeline, action items, external message, summary) taken out and marked; the rest
//! rendered in the author's order.

use std::cell::RefCell;

use comrak::nodes::{Ast, AstNode, LineColumn, NodeValue};

use super::model::{self, BodyPart, ExternalMessage};
use super::sections::{self, SectionKind};
use crate::diagnostics::Diagnostic;
use crate::markdown::{self, MARK, Markdown};
use crate::urls;

/// What the body gives: rendered parts in order, structured sections, and links.
pub struct ParsedBody {
    pub parts: Vec<BodyPart>,
    pub toc: Vec<model::TocEntry>,
    pub timeline: Vec<super::timeline::RawEntry>,
    pub action_items: Vec<model::ActionItem>,
    pub external_message: Option<ExternalMessage>,
    pub summary: Option<String>,
    /// The text of the body's first paragraph, where a date is often named ("On September
    /// 29, 2025, ...").
    pub first_paragraph: Option<String>,
    pub wiki_links: Vec<model::WikiLink>,
    pub links: Vec<model::PageLink>,
    pub refused_urls: Vec<model::RefusedUrl>,
    pub analysis_text: String,
    pub body_text: String,
    /// What a `## Contributing factors` section's list names.
    pub contributing_factors: Vec<String>,
}

fn marker(kind: &str) -> String {
    format!("{MARK}pmsite:{kind}{MARK}")
}

/// What parsing the body needs from outside it: which structured sections the front
/// matter gives (the body's own are then prose) and the library's day order.
#[derive(Debug, Clone, Copy, Default)]
pub struct Given {
    pub timeline: bool,
    pub action_items: bool,
    /// How `03/04/2020` reads (`[dates] order`).
    pub day_order: crate::dates::written::DayOrder,
}

/// Nodes to render as an entry's words or notes once the link slots are in.
type Pending<'a> = Vec<(usize, Option<String>, &'a AstNode<'a>)>;

pub fn parse_body(
    body: &str,
    body_line: usize,
    md: &Markdown,
    given: Given,
    problems: &mut Vec<Diagnostic>,
) -> ParsedBody {
    let arena = comrak::Arena::new();
    let root = comrak::parse_document(&arena, body, md.options());
    let mut parsed = ParsedBody {
        parts: Vec::new(),
        toc: Vec::new(),
        timeline: Vec::new(),
        action_items: Vec::new(),
        external_message: None,
        summary: None,
        first_paragraph: None,
        wiki_links: Vec::new(),
        links: Vec::new(),
        refused_urls: Vec::new(),
        analysis_text: String::new(),
        body_text: String::with_capacity(body.len()),
        contributing_factors: Vec::new(),
    };

    let slotted = read_links(root, body_line, &mut parsed);
    parsed.first_paragraph = root
        .children()
        .find(|n| matches!(n.data().value, NodeValue::Paragraph))
        .map(|n| n.collect_text());

    let mut analysis: Vec<&AstNode<'_>> = Vec::new();
    let mut external = None;
    let (mut timeline_notes, mut action_notes, mut action_texts): (Pending, Pending, Pending) =
        Default::default();
    let mut timeline_words = Vec::new();
    let children: Vec<&AstNode<'_>> = root.children().collect();
    let mut i = 0;
    while i < children.len() {
        let (level, kind) = match &children[i].data().value {
            NodeValue::Heading(h) => (h.level, sections::classify(&children[i].collect_text())),
            // `**Timeline**:` on a line of its own starts a section as a heading would, up
            // to the next heading or label.
            NodeValue::Paragraph => (7, sections::bold_label(children[i])),
            _ => (0, None),
        };
        let Some(kind) = kind else {
            i += 1;
            continue;
        };
        let end = children[i + 1..]
            .iter()
            .position(|n| match &n.data().value {
                NodeValue::Heading(h) => h.level <= level,
                NodeValue::FootnoteDefinition(_) => true,
                NodeValue::Paragraph if level == 7 => sections::bold_label(n).is_some(),
                _ => false,
            })
            .map_or(children.len(), |p| i + 1 + p);
        let blocks = &children[i + 1..end];
        match kind {
            SectionKind::Summary => {
                parsed.summary = sections::first_paragraph(blocks);
                analysis.extend(blocks.iter().copied());
            }
            SectionKind::Analysis => {
                analysis.extend(blocks.iter().copied());
            }
            SectionKind::ContributingFactors => {
                if parsed.contributing_factors.is_empty() {
                    parsed.contributing_factors = sections::factor_terms(blocks);
                }
                analysis.extend(blocks.iter().copied());
            }
            SectionKind::Timeline if parsed.timeline.is_empty() && !given.timeline => {
                let read = super::timeline::timeline(blocks, body_line, given.day_order);
                mark_consumed(&arena, blocks, &read.consumed, "timeline");
                parsed.timeline = read.entries;
                timeline_notes = read.notes;
                timeline_words = super::entry_words::take(&arena, read.words);
            }
            SectionKind::ActionItems if parsed.action_items.is_empty() && !given.action_items => {
                let read = super::actions::action_items(blocks, body_line, problems);
                mark_consumed(&arena, blocks, &read.consumed, "action_items");
                parsed.action_items = read.entries;
                action_notes = read.notes;
                action_texts = read.texts.into_iter().map(|(i, n)| (i, None, n)).collect();
            }
            SectionKind::ExternalMessage
                if parsed.external_message.is_none() && !blocks.is_empty() =>
            {
                let doc = new_node(&arena, NodeValue::Document);
                let text = blocks
                    .iter()
                    .map(|b| b.collect_text())
                    .collect::<Vec<_>>()
                    .join("\n\n");
                for b in blocks {
                    b.detach();
                    doc.append(b);
                }
                external = Some((doc, text));
                children[i].insert_after(marker_paragraph(&arena, "external_message".into()));
            }
            _ => {}
        }
        i = end;
    }

    // Related incidents compare the summary and analysis; a page without such sections is
    // compared on all its prose.
    parsed.analysis_text = if analysis.is_empty() {
        analysis_text(&[root], parsed.summary.as_deref())
    } else {
        analysis_text(&analysis, parsed.summary.as_deref())
    };
    // Links whose target the library knows become slots, only now: the sections above read
    // their links and text as written.
    for (node, slot) in slotted {
        let open = arena.alloc(AstNode::new(RefCell::new(Ast::new(
            NodeValue::Text(markdown::slot_open(slot).into()),
            LineColumn { line: 1, column: 1 },
        ))));
        node.insert_before(open);
        for child in node.children().collect::<Vec<_>>() {
            node.insert_before(child);
        }
        let close = arena.alloc(AstNode::new(RefCell::new(Ast::new(
            NodeValue::Text(markdown::slot_close().into()),
            LineColumn { line: 1, column: 1 },
        ))));
        node.insert_before(close);
        node.detach();
    }
    if let Some((doc, text)) = external {
        let (html, _) = md.render(doc);
        parsed.external_message = Some(ExternalMessage { html, text });
    }
    for (at, html) in render_pending(&arena, md, timeline_notes, false) {
        if let Some(e) = parsed.timeline.get_mut(at) {
            e.notes.push_str(&html);
        }
    }
    // After the notes: an image in an entry's line is shown among them.
    for (at, html) in super::entry_words::render(&arena, md, timeline_words) {
        if let Some(e) = parsed.timeline.get_mut(at) {
            e.html = html;
        }
    }
    for (at, html) in render_pending(&arena, md, action_notes, false) {
        if let Some(a) = parsed.action_items.get_mut(at) {
            a.notes.push_str(&html);
        }
    }
    for (at, html) in render_pending(&arena, md, action_texts, true) {
        if let Some(a) = parsed.action_items.get_mut(at) {
            a.html = html;
        }
    }
    let (html, toc) = md.render(root);
    parsed.toc = toc;
    parsed.parts = split_parts(&html);
    parsed
}

pub(super) fn new_node<'a>(arena: &'a comrak::Arena<'a>, value: NodeValue) -> &'a AstNode<'a> {
    arena.alloc(AstNode::new(RefCell::new(Ast::new(
        value,
        LineColumn { line: 1, column: 1 },
    ))))
}

/// A paragraph holding only a section marker, split out of the rendered HTML later.
fn marker_paragraph<'a>(arena: &'a comrak::Arena<'a>, kind: String) -> &'a AstNode<'a> {
    let para = new_node(arena, NodeValue::Paragraph);
    para.append(new_node(arena, NodeValue::Text(marker(&kind).into())));
    para
}

/// Each run of blocks that became entries is taken out and one marker put where it stood,
/// naming the entries it became (`timeline:3:7`); every other block stays where it is.
fn mark_consumed<'a>(
    arena: &'a comrak::Arena<'a>,
    blocks: &[&'a AstNode<'a>],
    consumed: &[Option<std::ops::Range<usize>>],
    kind: &str,
) {
    let mut k = 0;
    while k < blocks.len() {
        let Some(Some(first)) = consumed.get(k) else {
            k += 1;
            continue;
        };
        let (from, mut to) = (first.start, first.end);
        let mut last = k;
        while let Some(Some(next)) = consumed.get(last + 1) {
            to = to.max(next.end);
            last += 1;
        }
        blocks[k].insert_before(marker_paragraph(arena, format!("{kind}:{from}:{to}")));
        for b in &blocks[k..=last] {
            b.detach();
        }
        k = last + 1;
    }
}

/// Renders the nodes kept for entries (their words, their notes) after the link slots are
/// in, grouped by entry. `inline` strips the paragraph around words shown in a cell.
fn render_pending<'a>(
    arena: &'a comrak::Arena<'a>,
    md: &Markdown,
    pending: Pending<'a>,
    inline: bool,
) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut k = 0;
    while k < pending.len() {
        let at = pending[k].0;
        let doc = new_node(arena, NodeValue::Document);
        while let Some((_, label, node)) = pending.get(k).filter(|p| p.0 == at) {
            let is_block =
                node.data().value.block() && !matches!(node.data().value, NodeValue::TableCell);
            if is_block && label.is_none() {
                node.detach();
                doc.append(node);
            } else {
                // A table cell's or an inline node's content, as a paragraph of its own,
                // under its column's name.
                let para = new_node(arena, NodeValue::Paragraph);
                if let Some(label) = label.as_ref().filter(|l| !l.is_empty()) {
                    let strong = new_node(arena, NodeValue::Strong);
                    strong.append(new_node(arena, NodeValue::Text(format!("{label}:").into())));
                    para.append(strong);
                    para.append(new_node(arena, NodeValue::Text(" ".into())));
                }
                if matches!(
                    node.data().value,
                    NodeValue::TableCell | NodeValue::Paragraph
                ) {
                    for child in node.children().collect::<Vec<_>>() {
                        para.append(child);
                    }
                } else {
                    node.detach();
                    para.append(node);
                }
                doc.append(para);
            }
            k += 1;
        }
        let (mut html, _) = md.render(doc);
        if inline {
            html = unwrap_paragraph(&html).to_string();
        }
        out.push((at, html));
    }
    out
}

/// Inline content rendered on its own: what is inside the one paragraph comrak puts it in
/// (the HTML as it is when it is not one paragraph).
pub(super) fn unwrap_paragraph(html: &str) -> &str {
    html.trim_end()
        .strip_prefix("<p>")
        .and_then(|h| h.strip_suffix("</p>"))
        .unwrap_or(html)
}

/// An HTML comment is a note to the editor, not text: never shown, never the title.
fn is_comment(html: &str) -> bool {
    let t = html.trim();
    t.starts_with("<!--") && t.ends_with("-->")
}

/// Reads every link and image of the body: a URL the policy refuses becomes its text (and a
/// problem for `check`), wiki links and links to `.md` files are returned to become slots,
/// and the body's plain text is collected for search. HTML comments are taken out, in the
/// same walk.
fn read_links<'a>(
    root: &'a AstNode<'a>,
    body_line: usize,
    parsed: &mut ParsedBody,
) -> Vec<(&'a AstNode<'a>, markdown::LinkSlot)> {
    let mut slotted = Vec::new();
    let mut refused = Vec::new();
    let mut comments = Vec::new();
    for node in root.descendants() {
        let data = node.data();
        let line = data.sourcepos.start.line + body_line - 1;
        let column = data.sourcepos.start.column;
        match &data.value {
            NodeValue::Text(t) => parsed.body_text.push_str(t),
            NodeValue::Code(c) => parsed.body_text.push_str(&c.literal),
            NodeValue::CodeBlock(c) => parsed.body_text.push_str(&c.literal),
            _ => {}
        }
        if !parsed.body_text.ends_with(' ') {
            parsed.body_text.push(' ');
        }
        match &data.value {
            NodeValue::WikiLink(link) => {
                let index = parsed.wiki_links.len();
                parsed.wiki_links.push(model::WikiLink {
                    target: link.url.clone(),
                    line,
                    column,
                });
                slotted.push((node, markdown::LinkSlot::Wiki(index)));
            }
            NodeValue::Link(link) | NodeValue::Image(link) => {
                let used = if matches!(data.value, NodeValue::Image(_)) {
                    urls::Use::Image
                } else {
                    urls::Use::Link
                };
                if let Some(why) = urls::refusal(&link.url, used) {
                    parsed.refused_urls.push(model::RefusedUrl {
                        url: link.url.clone(),
                        why,
                        line,
                        column,
                    });
                    refused.push(node);
                } else if used == urls::Use::Link {
                    let index = parsed.links.len();
                    parsed.links.push(model::PageLink {
                        url: link.url.clone(),
                        title: link.title.clone(),
                        line,
                        column,
                        on_disk: false,
                    });
                    // A link to another post-mortem's file becomes a link to its page once
                    // the library knows every page.
                    if urls::is_markdown_path(&link.url) {
                        slotted.push((node, markdown::LinkSlot::Page(index)));
                    }
                }
            }
            NodeValue::HtmlBlock(h) if is_comment(&h.literal) => comments.push(node),
            NodeValue::HtmlInline(h) if is_comment(h) => comments.push(node),
            _ => {}
        }
    }
    for node in comments {
        node.detach();
    }
    // A refused link keeps its words: its label (an image its alt text) stays as text.
    for node in refused {
        for child in node.children().collect::<Vec<_>>() {
            node.insert_before(child);
        }
        node.detach();
    }
    slotted
}

/// The words of the prose still in the document (structured sections are detached by now)
/// and the summary, lowercased: what related incidents compare (`library::related`).
/// Headings are left out: every post-mortem has "Action items", and that says nothing.
fn analysis_text<'a>(blocks: &[&'a AstNode<'a>], summary: Option<&str>) -> String {
    let mut text = String::with_capacity(8192);
    let mut push = |t: &str| {
        if t.is_ascii() {
            text.extend(t.bytes().map(|b| b.to_ascii_lowercase() as char));
        } else {
            text.push_str(&t.to_lowercase());
        }
        text.push(' ');
    };
    if let Some(s) = summary {
        push(s);
    }
    let mut stack: Vec<&AstNode<'_>> = blocks.iter().rev().copied().collect();
    while let Some(node) = stack.pop() {
        match &node.data().value {
            NodeValue::Text(t) if !t.starts_with(MARK) => push(t),
            NodeValue::Code(c) => push(&c.literal),
            NodeValue::Heading(_) => {}
            _ => stack.extend(node.reverse_children()),
        }
    }
    text
}

/// Splits rendered HTML at the section markers into prose and structured parts.
fn split_parts(html: &str) -> Vec<BodyPart> {
    let mut parts = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&format!("<p>{MARK}pmsite:")) {
        let prose = &rest[..start];
        if !prose.trim().is_empty() {
            parts.push(BodyPart::Prose(prose.to_string()));
        }
        let after = &rest[start + "<p>".len() + MARK.len_utf8() + "pmsite:".len()..];
        let end = after.find(MARK).unwrap_or(after.len());
        let mut words = after[..end].split(':');
        let kind = words.next().unwrap_or("");
        let mut range = words.filter_map(|w| w.parse::<usize>().ok());
        let (from, to) = (range.next().unwrap_or(0), range.next().unwrap_or(0));
        parts.push(match kind {
            "timeline" => BodyPart::Timeline { from, to },
            "action_items" => BodyPart::ActionItems { from, to },
            _ => BodyPart::ExternalMessage,
        });
        let close = after.find("</p>").map_or(after.len(), |p| p + "</p>".len());
        rest = after[close..].trim_start_matches('\n');
    }
    if !rest.trim().is_empty() {
        parts.push(BodyPart::Prose(rest.to_string()));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analysis_text_is_prose_and_summary_lowercased_without_headings() {
        let md = Markdown::new(false);
        let arena = comrak::Arena::new();
        let root = comrak::parse_document(
            &arena,
            "## Why\n\nThe Deadlock in pgbouncer; `pgbouncer`\n",
            md.options(),
        );
        assert_eq!(
            analysis_text(&[root], Some("Deadlock")),
            "deadlock the deadlock in pgbouncer;  pgbouncer "
        );
    }
}
