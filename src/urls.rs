//! The one URL policy for every `href` and `src` pmsite writes: prose links and images, timeline
//! sources, action-item tickets, feeds, JSON read by scripts, the digest. A post-mortem comes
//! from any contributor and is read by the whole company, so a URL that could run script
//! (`javascript:`, `vbscript:`, `data:text/html`, and their disguises) never reaches a page.

/// Schemes a link may have. Anything without a scheme (a relative path, `/…`, `#…`, `?…`) is
/// allowed too.
const LINK_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// `data:` types an image may have: pictures pasted into a post-mortem. SVG is left out.
const IMAGE_DATA_TYPES: &[&str] = &[
    "data:image/png",
    "data:image/jpeg",
    "data:image/gif",
    "data:image/webp",
    "data:image/avif",
];

/// Where a URL goes: an image's `src` may also be a pasted picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    Link,
    Image,
}

/// The URL as a browser reads it: leading and trailing spaces and control characters
/// trimmed, tabs and newlines anywhere removed (WHATWG URL parsing), so `java\tscript:` is
/// `javascript:`.
fn as_browser_reads(url: &str) -> String {
    url.trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

/// The scheme of a URL, lowercased, or None for a relative URL.
pub fn scheme(url: &str) -> Option<String> {
    scheme_as_read(&as_browser_reads(url))
}

/// The scheme of a URL already read as a browser reads it.
fn scheme_as_read(url: &str) -> Option<String> {
    let colon = url.find(':')?;
    let candidate = &url[..colon];
    // A `/`, `?` or `#` before the colon makes it a relative path (`a/b:c`).
    if candidate.is_empty()
        || !candidate.starts_with(|c: char| c.is_ascii_alphabetic())
        || !candidate
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    Some(candidate.to_ascii_lowercase())
}

/// Why pmsite will not write this URL, or None when it may. The reason names the scheme.
pub fn refusal(url: &str, used: Use) -> Option<String> {
    let browser = as_browser_reads(url);
    if browser.chars().any(char::is_control) {
        return Some("it holds control characters".into());
    }
    let scheme = scheme_as_read(&browser)?;
    if LINK_SCHEMES.contains(&scheme.as_str()) {
        return None;
    }
    if used == Use::Image {
        let lower = browser.to_ascii_lowercase();
        if IMAGE_DATA_TYPES
            .iter()
            .any(|t| lower.starts_with(t) && lower[t.len()..].starts_with([';', ',']))
        {
            return None;
        }
    }
    Some(format!("its scheme is `{scheme}:`"))
}

/// True when the URL may be written as a link.
pub fn is_allowed(url: &str) -> bool {
    refusal(url, Use::Link).is_none()
}

/// The message for a refused URL, as `build` and `check` print it.
pub fn refused_message(url: &str, why: &str) -> String {
    format!(
        "link to `{}` is shown as text ({why}): pmsite writes only http, https, mailto and relative links, so no link can run script in a reader's browser",
        url.escape_debug()
    )
}

/// A relative link to a Markdown file (`../2024/a.md`, `b.md#timeline`): a link to another
/// post-mortem, which becomes a link to its page.
pub fn is_markdown_path(url: &str) -> bool {
    let path = url.split(['#', '?']).next().unwrap_or("");
    !url.contains("://")
        && !url.starts_with("mailto:")
        && (path.ends_with(".md") || path.ends_with(".markdown"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_urls_and_their_disguises_are_refused() {
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            " \u{1}javascript:alert(1)",
            "vbscript:msgbox(1)",
            "data:text/html,<script>alert(1)</script>",
            "data:image/svg+xml,<svg onload=alert(1)>",
            "javascript:alert(1)//x.md",
            "pmsite-md:0",
            "pmsite-wiki:0",
            "file:///etc/passwd",
            "jar:http://x",
        ] {
            assert!(refusal(bad, Use::Link).is_some(), "{bad:?}");
        }
        assert!(refusal("data:image/svg+xml;base64,AAAA", Use::Image).is_some());
    }

    #[test]
    fn web_mail_relative_and_anchor_links_pass() {
        for good in [
            "https://grafana.example.com/d/x?from=1#panel",
            "http://status.example.com",
            "HTTPS://EXAMPLE.COM",
            "mailto:sre@example.com",
            "../2024/a.md#timeline",
            "/incidents/inc-1/",
            "#timeline",
            "?q=dns",
            "a/b:c",
            "",
        ] {
            assert!(refusal(good, Use::Link).is_none(), "{good:?}");
        }
        assert!(refusal("data:image/png;base64,iVBOR", Use::Image).is_none());
        assert!(refusal("data:image/png;base64,iVBOR", Use::Link).is_some());
    }

    #[test]
    fn schemes_are_read_as_a_browser_reads_them() {
        assert_eq!(scheme("  HTTPS://x").as_deref(), Some("https"));
        assert_eq!(scheme("ja\r\nvascript:x").as_deref(), Some("javascript"));
        assert_eq!(scheme("./a:b"), None);
        assert_eq!(scheme("1http:x"), None);
    }
}
