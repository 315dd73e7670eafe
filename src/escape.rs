//! Text made safe for where it goes, beside `markdown::escape_html` for HTML: XML 1.0 (the
//! feeds and the charts), CSV cells and headers read by spreadsheets, and a terminal or CI
//! log (file names in diagnostics).

use std::borrow::Cow;

/// Whether XML 1.0 allows `c` at all. Control characters pasted from a terminal (ESC, NUL,
/// vertical tab, form feed) make a whole feed invalid, so XML outputs leave them out.
pub fn xml_allows(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The text with every character XML 1.0 forbids removed.
pub fn xml_text(text: &str) -> Cow<'_, str> {
    if text.chars().all(xml_allows) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|&c| xml_allows(c)).collect())
    }
}

/// The first character of `text` that XML 1.0 forbids, if any.
pub fn first_xml_forbidden(text: &str) -> Option<(usize, char)> {
    text.char_indices().find(|(_, c)| !xml_allows(*c))
}

/// A CSV cell (or header) that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`,
/// and tab or carriage return before them) gets a leading `'`.
pub fn csv_cell(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A path or name as a terminal or CI log shows it: newlines, escape sequences and other
/// control characters written as `\n`, `\u{1b}`, so a file name cannot forge a
/// `file:line:` of its own or recolour the log.
pub fn terminal(text: &str) -> Cow<'_, str> {
    if text.chars().any(char::is_control) {
        Cow::Owned(
            text.chars()
                .map(|c| {
                    if c.is_control() {
                        c.escape_default().to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_keeps_text_and_drops_what_xml_forbids() {
        assert_eq!(xml_text("a\u{1b}[31mred\u{0}\u{b}\u{c}b"), "a[31mredb");
        assert_eq!(xml_text("tab\tnewline\n é 数 🔥"), "tab\tnewline\n é 数 🔥");
        assert_eq!(first_xml_forbidden("ok\u{1b}"), Some((2, '\u{1b}')));
        assert!(matches!(xml_text("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn csv_formulas_are_neutralised() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_cell("@SUM(1)"), "'@SUM(1)");
        assert_eq!(csv_cell("customers"), "customers");
    }

    #[test]
    fn terminal_shows_control_characters_escaped() {
        assert_eq!(
            terminal("a\nb.md:1: error: forged"),
            "a\\nb.md:1: error: forged"
        );
        assert_eq!(terminal("\u{1b}[2Jx.md"), "\\u{1b}[2Jx.md");
        assert_eq!(terminal("plain/ü.md"), "plain/ü.md");
    }
}
