//! A timeline entry's words as the author wrote them: code, emphasis and links stay, the
//! time stamp that opened the line does not. The entry's plain `text` is read first (for
//! search, feeds and milestones); here the same words are taken out of the tree, the stamp
//! cut by its length in characters, and rendered once the link slots are in.

use comrak::nodes::{AstNode, NodeValue};

use super::body::{new_node, unwrap_paragraph};
use super::sections::Words;
use crate::markdown::Markdown;

/// One part of an entry's words, moved into a paragraph of its own.
pub struct Part<'a> {
    at: usize,
    joiner: &'static str,
    /// None when the words could not be cut out (a line break inside emphasis): the entry
    /// is then shown from its text.
    paragraph: Option<&'a AstNode<'a>>,
}

/// Takes each part's inline nodes out of the tree into a paragraph, with the stamp cut.
/// Every part's nodes are found before any is moved: a paragraph of timed lines gives a
/// part per line.
pub fn take<'a>(arena: &'a comrak::Arena<'a>, words: Vec<Words<'a>>) -> Vec<Part<'a>> {
    let found: Vec<Option<Vec<&'a AstNode<'a>>>> =
        words.iter().map(|w| line_nodes(w.node, w.line)).collect();
    words
        .into_iter()
        .zip(found)
        .map(|(w, nodes)| {
            let paragraph = nodes.map(|nodes| {
                let para = new_node(arena, NodeValue::Paragraph);
                for n in nodes {
                    n.detach();
                    para.append(n);
                }
                cut(para, w.cut);
                para
            });
            Part {
                at: w.at,
                joiner: w.joiner,
                paragraph,
            }
        })
        .collect()
}

/// The entry words' HTML, by entry; an entry any part of which could not be cut out has
/// none.
pub fn render<'a>(
    arena: &'a comrak::Arena<'a>,
    md: &Markdown,
    parts: Vec<Part<'a>>,
) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut failed: Option<usize> = None;
    for part in parts {
        if failed == Some(part.at) {
            continue;
        }
        let Some(para) = part.paragraph else {
            failed = Some(part.at);
            if out.last().is_some_and(|(at, _)| *at == part.at) {
                out.pop();
            }
            continue;
        };
        let doc = new_node(arena, NodeValue::Document);
        doc.append(para);
        let (html, _) = md.render(doc);
        let html = unwrap_paragraph(&html).trim();
        match out.last_mut().filter(|(at, _)| *at == part.at) {
            Some((_, joined)) => {
                if !html.is_empty() {
                    if !joined.is_empty() {
                        joined.push_str(part.joiner);
                    }
                    joined.push_str(html);
                }
            }
            None => out.push((part.at, html.to_string())),
        }
    }
    out.retain(|(_, html)| !html.is_empty());
    out
}

/// The inline nodes of `node`'s `line`-th line (all of them for None); None when a line
/// break lies inside a span, so that lines cannot be told apart by its children.
fn line_nodes<'a>(node: &'a AstNode<'a>, line: Option<usize>) -> Option<Vec<&'a AstNode<'a>>> {
    let is_break =
        |n: &AstNode<'_>| matches!(n.data().value, NodeValue::SoftBreak | NodeValue::LineBreak);
    let Some(line) = line else {
        return Some(node.children().collect());
    };
    let nested = node
        .children()
        .any(|c| c.descendants().skip(1).any(&is_break));
    if nested {
        return None;
    }
    let mut k = 0;
    let mut nodes = Vec::new();
    for child in node.children() {
        if is_break(child) {
            k += 1;
        } else if k == line {
            nodes.push(child);
        }
    }
    Some(nodes)
}

/// Cuts the first `n` characters of the paragraph's text (text and code, in reading order,
/// as `sections::inline` counts them), then the spaces after them, and takes out the spans
/// left with nothing in them (`**16:58 UTC**`).
fn cut<'a>(para: &'a AstNode<'a>, n: usize) {
    if n == 0 {
        return;
    }
    let mut left = n;
    for node in para.descendants() {
        let mut data = node.data_mut();
        let literal: &mut String = match &mut data.value {
            NodeValue::Text(t) => t.to_mut(),
            NodeValue::Code(c) => &mut c.literal,
            _ => continue,
        };
        if left > 0 {
            let take = left.min(literal.chars().count());
            *literal = literal.chars().skip(take).collect();
            left -= take;
        }
        if left == 0 {
            *literal = literal.trim_start().to_string();
            if !literal.is_empty() {
                break;
            }
        }
    }
    prune(para);
}

/// Takes out spans (emphasis, links, code) that hold no words, no image and no HTML: what
/// the stamp left behind.
fn prune<'a>(para: &'a AstNode<'a>) {
    let empty: Vec<&'a AstNode<'a>> = para
        .descendants()
        .skip(1)
        .filter(|n| {
            let span = n.first_child().is_some()
                || matches!(n.data().value, NodeValue::Text(_) | NodeValue::Code(_));
            if !span {
                return false;
            }
            let holds = n.descendants().any(|d| match &d.data().value {
                NodeValue::Text(t) => !t.is_empty(),
                NodeValue::Code(c) => !c.literal.is_empty(),
                NodeValue::Image(_) | NodeValue::HtmlInline(_) => true,
                NodeValue::SoftBreak | NodeValue::LineBreak => false,
                NodeValue::FootnoteReference(_) => true,
                _ => false,
            });
            !holds
        })
        .collect();
    for n in empty {
        n.detach();
    }
}
