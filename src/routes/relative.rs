//! Relative links (`relative_urls = true`, as Hugo's `relativeURLs`): every link a page
//! makes to the site becomes relative to that page, and a link to a folder names its
//! `index.html`, so a build reads the same from `file://`, a CI artifact or a bucket
//! without a domain as from its host.

/// The attributes whose values are links to the site.
const ATTRIBUTES: &[&str] = &[" href=\"", " src=\"", " action=\"", " data-root=\""];

/// `html` of the page at `page` (its path in the output, `incidents/x/index.html`) with
/// every link under `root` (the site's path, ending in `/`) made relative to it.
pub fn relative_links(html: &str, page: &str, root: &str) -> String {
    let up = "../".repeat(page.matches('/').count());
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut rest = html;
    while let Some((at, attr)) = next_attribute(rest) {
        let value_start = at + attr.len();
        out.push_str(&rest[..value_start]);
        rest = &rest[value_start..];
        let end = rest.find('"').unwrap_or(rest.len());
        let value = &rest[..end];
        match value
            .strip_prefix(root)
            .filter(|_| !value.starts_with("//"))
        {
            Some(target) if attr == " data-root=\"" => {
                out.push_str(if up.is_empty() { "./" } else { &up });
                out.push_str(target);
            }
            Some(target) => {
                let cut = target.find(['?', '#']).unwrap_or(target.len());
                let (path, tail) = target.split_at(cut);
                let path = if path.is_empty() || path.ends_with('/') {
                    format!("{path}index.html")
                } else {
                    path.to_string()
                };
                // A link to the page itself stays a link to its own anchor.
                if path == page && tail.starts_with('#') {
                    out.push_str(tail);
                } else {
                    out.push_str(&up);
                    out.push_str(&path);
                    out.push_str(tail);
                }
            }
            None => out.push_str(value),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The first link attribute in `html`: where it starts, and which.
fn next_attribute(html: &str) -> Option<(usize, &'static str)> {
    ATTRIBUTES
        .iter()
        .filter_map(|a| html.find(a).map(|i| (i, *a)))
        .min_by_key(|(i, _)| *i)
}

#[cfg(test)]
mod tests {
    use super::relative_links;

    #[test]
    fn links_become_relative_to_the_page() {
        let html = r##"<link href="/style.css"><a href="/">Home</a><a href="/incidents/x/#timeline">x</a><a href="https://example.com/a">e</a><a href="//cdn.example.com/x">c</a><form action="/search/"><div data-root="/"><img src="/media/a.png"><a href="#top">t</a>"##;
        assert_eq!(
            relative_links(html, "incidents/y/index.html", "/"),
            r##"<link href="../../style.css"><a href="../../index.html">Home</a><a href="../../incidents/x/index.html#timeline">x</a><a href="https://example.com/a">e</a><a href="//cdn.example.com/x">c</a><form action="../../search/index.html"><div data-root="../../"><img src="../../media/a.png"><a href="#top">t</a>"##
        );
        assert_eq!(
            relative_links(
                r#"<a href="/sub/feed.xml">f</a><a href="/other/">o</a><div data-root="/sub/">"#,
                "index.html",
                "/sub/"
            ),
            r#"<a href="feed.xml">f</a><a href="/other/">o</a><div data-root="./">"#
        );
    }
}
