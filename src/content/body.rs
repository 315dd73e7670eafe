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
    pub wiki_links: Vec<model::WikiLink>,
    pub links: Vec<model::PageLink>,
    pub refused_urls: Vec<model::RefusedUrl>,
    pub analysis_text: String,
    pub body_text: String,
}

fn marker(kind: &str) -> String {
    format!("{MARK}pmsite:{kind}{MARK}")
}

pub fn parse_body(
    body: &str,
    body_line: usize,
    md: &Markdown,
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
        wiki_links: Vec::new(),
        links: Vec::new(),
        refused_urls: Vec::new(),
        analysis_text: String::new(),
        body_text: String::with_capacity(body.len()),
    };

    let slotted = read_links(root, body_line, &mut parsed);

    let mut analysis: Vec<&AstNode<'_>> = Vec::new();
    let mut external = None;
    let children: Vec<&AstNode<'_>> = root.children().collect();
    let mut i = 0;
    while i < children.len() {
        let (level, kind) = match &children[i].data().value {
            NodeValue::Heading(h) => (h.level, sections::classify(&children[i].collect_text())),
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
                _ => false,
            })
            .map_or(children.len(), |p| i + 1 + p);
        let blocks = &children[i + 1..end];
        let replaced = match kind {
            SectionKind::Summary => {
                parsed.summary = sections::first_paragraph(blocks);
                analysis.extend(blocks.iter().copied());
                None
            }
            SectionKind::Analysis => {
                analysis.extend(blocks.iter().copied());
                None
            }
            SectionKind::Timeline if parsed.timeline.is_empty() => {
                parsed.timeline = super::timeline::timeline(blocks, body_line);
                (!parsed.timeline.is_empty()).then_some("timeline")
            }
            SectionKind::ActionItems if parsed.action_items.is_empty() => {
                parsed.action_items = super::actions::action_items(blocks, body_line, problems);
                (!parsed.action_items.is_empty()).then_some("action_items")
            }
            SectionKind::ExternalMessage
                if parsed.external_message.is_none() && !blocks.is_empty() =>
            {
                let doc: &AstNode<'_> = arena.alloc(AstNode::new(RefCell::new(Ast::new(
                    NodeValue::Document,
                    LineColumn { line: 1, column: 1 },
                ))));
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
                Some("external_message")
            }
            _ => None,
        };
        if let Some(kind) = replaced {
            // The external message's blocks have moved to a document of their own.
            if kind != "external_message" {
                for b in blocks {
                    b.detach();
                }
            }
            let para = arena.alloc(AstNode::new(RefCell::new(Ast::new(
                NodeValue::Paragraph,
                LineColumn { line: 1, column: 1 },
            ))));
            let text = arena.alloc(AstNode::new(RefCell::new(Ast::new(
                NodeValue::Text(marker(kind).into()),
                LineColumn { line: 1, column: 1 },
            ))));
            para.append(text);
            children[i].insert_after(para);
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
    let (html, toc) = md.render(root);
    parsed.toc = toc;
    parsed.parts = split_parts(&html);
    parsed
}

/// Reads every link and image of the body: a URL the policy refuses becomes its text (and a
/// problem for `check`), wiki links and links to `.md` files are returned to become slots,
/// and the body's plain text is collected for search.
fn read_links<'a>(
    root: &'a AstNode<'a>,
    body_line: usize,
    parsed: &mut ParsedBody,
) -> Vec<(&'a AstNode<'a>, markdown::LinkSlot)> {
    let mut slotted = Vec::new();
    let mut refused = Vec::new();
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
            _ => {}
        }
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
        parts.push(match &after[..end] {
            "timeline" => BodyPart::Timeline,
            "action_items" => BodyPart::ActionItems,
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
