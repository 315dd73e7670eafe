//! Markdown with comrak (GFM), headings with stable anchors collected into a table of
//! contents, and code highlighted by syntect with bat's maintained grammars (two-face) as
//! CSS classes, so the theme owns the colours.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::{self, Write};
use std::sync::{Mutex, OnceLock};

use comrak::adapters::{HeadingAdapter, HeadingMeta, SyntaxHighlighterAdapter};
use comrak::nodes::{AstNode, Sourcepos};
use comrak::options::Plugins;
use comrak::{Anchorizer, Options};
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// A heading of a page, for its table of contents.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// Marks a place in rendered HTML that pmsite fills in once the whole library is known (a
/// wiki link's target, a `.md` link's page) or a structured section stands. It is a
/// private-use character that loading strips from every author's text, so no post-mortem
/// can forge one; the slot travels as data in the parsed body, not as a URL.
pub const MARK: char = '\u{E000}';

/// A link whose target is known only after loading: the index into the incident's wiki
/// links or page links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkSlot {
    Wiki(usize),
    Page(usize),
}

/// The text that opens a link slot; the link's label follows, then `slot_close()`.
pub fn slot_open(slot: LinkSlot) -> String {
    match slot {
        LinkSlot::Wiki(i) => format!("{MARK}w{i}{MARK}"),
        LinkSlot::Page(i) => format!("{MARK}m{i}{MARK}"),
    }
}

pub fn slot_close() -> String {
    format!("{MARK}/{MARK}")
}

/// Fills every link slot of rendered HTML: `open` gives the opening and closing HTML of a
/// slot. HTML without slots is borrowed, not copied.
pub fn fill_slots<'h>(
    html: &'h str,
    mut open: impl FnMut(LinkSlot) -> (String, String),
) -> Cow<'h, str> {
    if !html.contains(MARK) {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len() + 64);
    let mut closing: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(MARK) {
        out.push_str(&rest[..start]);
        let after = &rest[start + MARK.len_utf8()..];
        let Some(end) = after.find(MARK) else {
            rest = after;
            break;
        };
        let token = &after[..end];
        rest = &after[end + MARK.len_utf8()..];
        let index = || token[1..].parse::<usize>().ok();
        match (token.chars().next(), index()) {
            (Some('/'), _) => out.push_str(&closing.pop().unwrap_or_default()),
            (Some('w'), Some(i)) => {
                let (o, c) = open(LinkSlot::Wiki(i));
                out.push_str(&o);
                closing.push(c);
            }
            (Some('m'), Some(i)) => {
                let (o, c) = open(LinkSlot::Page(i));
                out.push_str(&o);
                closing.push(c);
            }
            // Anything else is not a slot of ours: dropped, never shown.
            _ => {}
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Text with its slot marks removed: a heading's words for its anchor and the contents.
pub fn strip_slots(text: &str) -> Cow<'_, str> {
    if !text.contains(MARK) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut inside = false;
    for c in text.chars() {
        if c == MARK {
            inside = !inside;
        } else if !inside {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The class prefix of highlighted tokens; `themes/default/static/syntax.css` styles them.
pub const HIGHLIGHT_PREFIX: &str = "hl-";

/// Loaded once per process, on the first code block, and shared by all threads.
fn syntax_set() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(two_face::syntax::extra_newlines)
}

/// Comrak options for a library; built once per build.
pub struct Markdown {
    options: Options<'static>,
}

impl Markdown {
    pub fn new(allow_html: bool) -> Self {
        let mut options = Options::default();
        let ext = &mut options.extension;
        ext.strikethrough = true;
        ext.table = true;
        ext.autolink = true;
        ext.tasklist = true;
        ext.footnotes = true;
        ext.wikilinks_title_after_pipe = true;
        ext.header_id_prefix = Some(String::new());
        options.render.r#unsafe = allow_html;
        options.render.escape = !allow_html;
        options.render.tasklist_classes = true;
        Markdown { options }
    }

    pub fn options(&self) -> &Options<'static> {
        &self.options
    }

    /// Renders a document (or any node) to HTML, collecting its headings.
    pub fn render<'a>(&self, node: &'a AstNode<'a>) -> (String, Vec<TocEntry>) {
        let headings = Headings::default();
        let mut plugins = Plugins::default();
        plugins.render.codefence_syntax_highlighter = Some(&Highlighter);
        plugins.render.heading_adapter = Some(&headings);
        let mut html = String::new();
        // Writing to a String cannot fail.
        let _ = comrak::format_html_with_plugins(node, &self.options, &mut html, &plugins);
        let toc = headings
            .state
            .into_inner()
            .map(|s| s.toc)
            .unwrap_or_default();
        (html, toc)
    }
}

#[derive(Default)]
struct HeadingState {
    anchorizer: Anchorizer,
    current: Vec<String>,
    toc: Vec<TocEntry>,
}

/// Writes `<hN id="…">` with an anchor link, and records the heading for the table of contents.
#[derive(Default)]
struct Headings {
    state: Mutex<HeadingState>,
}

impl HeadingAdapter for Headings {
    fn enter(
        &self,
        out: &mut dyn Write,
        heading: &HeadingMeta,
        _: Option<Sourcepos>,
    ) -> fmt::Result {
        let mut state = self.state.lock().map_err(|_| fmt::Error)?;
        let content = strip_slots(&heading.content);
        let id = state.anchorizer.anchorize(&content);
        write!(out, "<h{} id=\"{}\">", heading.level, escape_html(&id))?;
        state.toc.push(TocEntry {
            level: heading.level,
            id: id.clone(),
            title: content.into_owned(),
        });
        state.current.push(id);
        Ok(())
    }

    fn exit(&self, out: &mut dyn Write, heading: &HeadingMeta) -> fmt::Result {
        let mut state = self.state.lock().map_err(|_| fmt::Error)?;
        let id = state.current.pop().unwrap_or_default();
        write!(
            out,
            " <a class=\"anchor\" href=\"#{}\" aria-label=\"Link to this section\">#</a></h{}>",
            escape_html(&id),
            heading.level
        )
    }
}

struct Highlighter;

impl SyntaxHighlighterAdapter for Highlighter {
    fn write_highlighted(
        &self,
        out: &mut dyn Write,
        lang: Option<&str>,
        code: &str,
    ) -> fmt::Result {
        let token = lang
            .and_then(|l| l.split_whitespace().next())
            .filter(|l| !l.is_empty());
        let Some(token) = token else {
            return out.write_str(&escape_html(code));
        };
        let set = syntax_set();
        let Some(syntax) = set.find_syntax_by_token(token) else {
            return out.write_str(&escape_html(code));
        };
        let mut generator = ClassedHTMLGenerator::new_with_class_style(
            syntax,
            set,
            ClassStyle::SpacedPrefixed {
                prefix: HIGHLIGHT_PREFIX,
            },
        );
        for line in LinesWithEndings::from(code) {
            if generator
                .parse_html_for_line_which_includes_newline(line)
                .is_err()
            {
                return out.write_str(&escape_html(code));
            }
        }
        out.write_str(&generator.finalize())
    }

    fn write_pre_tag(
        &self,
        out: &mut dyn Write,
        attributes: HashMap<&'static str, Cow<'_, str>>,
    ) -> fmt::Result {
        write_tag(out, "pre", attributes, "highlight")
    }

    fn write_code_tag(
        &self,
        out: &mut dyn Write,
        attributes: HashMap<&'static str, Cow<'_, str>>,
    ) -> fmt::Result {
        write_tag(out, "code", attributes, "")
    }
}

fn write_tag(
    out: &mut dyn Write,
    tag: &str,
    attributes: HashMap<&'static str, Cow<'_, str>>,
    class: &str,
) -> fmt::Result {
    let mut attrs: Vec<_> = attributes.into_iter().collect();
    attrs.sort();
    write!(out, "<{tag}")?;
    let mut wrote_class = false;
    for (name, value) in attrs {
        if name == "class" && !class.is_empty() {
            write!(out, " class=\"{class} {}\"", escape_html(&value))?;
            wrote_class = true;
        } else {
            write!(out, " {name}=\"{}\"", escape_html(&value))?;
        }
    }
    if !wrote_class && !class.is_empty() {
        write!(out, " class=\"{class}\"")?;
    }
    out.write_str(">")
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut start = 0;
    // The five characters are ASCII, so byte positions are character boundaries.
    for (i, b) in text.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        out.push_str(entity);
        start = i + 1;
    }
    out.push_str(&text[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(md: &str, allow: bool) -> String {
        let m = Markdown::new(allow);
        let arena = comrak::Arena::new();
        let root = comrak::parse_document(&arena, md, m.options());
        m.render(root).0
    }

    #[test]
    fn raw_html_is_escaped_unless_allowed() {
        assert!(html("<script>x</script>\n", false).contains("&lt;script&gt;"));
        assert!(html("<b>x</b>\n", true).contains("<b>x</b>"));
    }

    #[test]
    fn code_is_highlighted_with_classes() {
        let out = html("```rust\nfn main() {}\n```\n", false);
        assert!(out.contains("<pre class=\"highlight"), "{out}");
        assert!(out.contains("hl-"), "{out}");
        let plain = html("```\n<a>\n```\n", false);
        assert!(plain.contains("&lt;a&gt;"), "{plain}");
    }

    #[test]
    fn headings_get_ids_and_toc() {
        let m = Markdown::new(false);
        let arena = comrak::Arena::new();
        let root = comrak::parse_document(&arena, "## Root cause\n\n## Root cause\n", m.options());
        let (out, toc) = m.render(root);
        assert!(out.contains("<h2 id=\"root-cause\">"), "{out}");
        assert_eq!(toc[1].id, "root-cause-1");
    }
}

#[cfg(test)]
mod escape_tests {
    use super::escape_html;

    #[test]
    fn escapes_the_five_and_keeps_the_rest() {
        assert_eq!(
            escape_html(r#"<a href="x">Tom & 'Jé'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jé&#39;&lt;/a&gt;"
        );
        assert_eq!(escape_html("plain / text ü"), "plain / text ü");
        assert_eq!(escape_html(""), "");
    }
}
