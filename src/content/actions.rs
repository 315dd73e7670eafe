//! The action-items section as data: task lists and tables, with owner, due date,
//! priority, type, ticket and done.

use std::sync::LazyLock;

use comrak::nodes::{AstNode, NodeValue};
use regex::Regex;

use super::model::{ActionItem, ActionType, Ticket};
use super::sections::{
    Inline, LINK_CLOSE, LINK_OPEN, Read, clean_text, inline, line_of, split_item, table_rows,
};
use crate::dates::parse_date as parse_due;
use crate::diagnostics::Diagnostic;

static TICKET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Z][A-Z0-9]*-\d+$").expect("ticket regex"));
static PRIORITY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\(?([Pp][0-4])\)?[,.;]?$").expect("priority regex"));

/// Action items from a section's blocks: (task or numbered) lists, tables, and paragraphs
/// that start `**Action item:**`. A block all of whose parts became items is shown as them;
/// any other block stays where it stands.
pub fn action_items<'a>(
    blocks: &[&'a AstNode<'a>],
    first_line: usize,
    problems: &mut Vec<Diagnostic>,
) -> Read<'a, ActionItem> {
    let mut read: Read<'a, ActionItem> = Read::new(blocks.len());
    for block in blocks {
        let mark = read.mark();
        let consumed = match &block.data().value {
            NodeValue::List(_) => {
                let mut all = true;
                for item in block.children() {
                    let checked =
                        matches!(&item.data().value, NodeValue::TaskItem(t) if t.symbol.is_some());
                    let line = line_of(item, first_line);
                    let (first, rest) = split_item(item);
                    let Some(first) = first else {
                        all = false;
                        continue;
                    };
                    let done = checked || struck(first);
                    match list_item(inline(first), done, line, problems) {
                        Some(a) => {
                            let at = read.entries.len();
                            read.entries.push(a);
                            read.texts.push((at, first));
                            // Images in the item's words are shown in its text.
                            read.notes.extend(rest.into_iter().map(|n| (at, None, n)));
                        }
                        None => all = false,
                    }
                }
                all && read.gave(mark)
            }
            NodeValue::Table(_) => table_items(block, first_line, problems, &mut read),
            NodeValue::Paragraph => match labelled_item(block) {
                Some(content) => {
                    let line = line_of(block, first_line);
                    match list_item(content, false, line, problems) {
                        Some(a) => {
                            read.texts.push((read.entries.len(), *block));
                            read.entries.push(a);
                            true
                        }
                        None => false,
                    }
                }
                None => false,
            },
            _ => false,
        };
        read.settle(mark, consumed);
    }
    read
}

/// `**Action item:** Rotate the keys. Owner: @ana` as a paragraph of its own: the words
/// after the label.
fn labelled_item<'a>(paragraph: &'a AstNode<'a>) -> Option<Inline> {
    let first = paragraph.first_child()?;
    if !matches!(first.data().value, NodeValue::Strong) {
        return None;
    }
    let label = first.collect_text().to_lowercase();
    let label = label.trim().trim_end_matches(':').trim();
    if !(label == "action item" || label == "action" || label == "ai" || label == "todo") {
        return None;
    }
    let mut content = inline(paragraph);
    let label_len = first.collect_text().len();
    content.text = content
        .text
        .get(label_len..)
        .unwrap_or("")
        .trim_start_matches([':', ' '])
        .to_string();
    Some(content)
}

/// An item whose words are all struck through (`~~Add the alert~~`) is done.
fn struck<'a>(paragraph: &'a AstNode<'a>) -> bool {
    let mut any = false;
    for child in paragraph.children() {
        match &child.data().value {
            NodeValue::Strikethrough => any = true,
            NodeValue::Text(t) if t.trim().is_empty() => {}
            _ => return false,
        }
    }
    any
}

fn list_item(
    content: Inline,
    done: bool,
    line: usize,
    problems: &mut Vec<Diagnostic>,
) -> Option<ActionItem> {
    let mut item = ActionItem::new(line);
    item.done = done || done_word(&content.text);
    // Links whose label is a ticket id are the ticket; others stay in the text.
    let mut text = String::new();
    let mut rest = content.text.as_str();
    let mut links = content.links.iter();
    while let Some(open) = rest.find(LINK_OPEN) {
        text.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find(LINK_CLOSE).unwrap_or(after.len());
        let label = &after[..close];
        let link = links.next();
        if TICKET.is_match(label.trim()) && item.ticket.is_none() {
            item.ticket = Some(Ticket {
                id: label.trim().to_string(),
                url: link.map(|l| l.url.clone()),
            });
            text.push(' ');
        } else {
            text.push_str(label);
        }
        rest = after.get(close + 1..).unwrap_or("");
    }
    text.push_str(rest);

    let mut words = Vec::new();
    let mut in_meta = false;
    let mut tokens = text.split_whitespace().peekable();
    while let Some(token) = tokens.next() {
        let bare = token.trim_end_matches([',', ';', '.']);
        // `(@ana)` is `@ana`.
        let bare = match bare.strip_prefix("(@").and_then(|b| b.strip_suffix(')')) {
            Some(inner) => &bare[1..inner.len() + 2],
            None => bare,
        };
        if let Some(owner) = bare.strip_prefix('@').filter(|o| !o.is_empty()) {
            item.owner = Some(owner.to_string());
            in_meta = true;
        } else if let Some(due) = bare
            .strip_prefix("due:")
            .or_else(|| bare.strip_prefix("Due:"))
        {
            let due = if due.is_empty() {
                tokens.next().unwrap_or("").trim_end_matches([',', ';'])
            } else {
                due
            };
            match parse_due(due) {
                Some(d) => item.due = Some(d),
                None => problems.push(
                    Diagnostic::at(
                        line,
                        format!(
                            "due date `{due}` of an action item is not a date: write due:2024-04-01"
                        ),
                    )
                    .code("date"),
                ),
            }
            in_meta = true;
        } else if let Some(p) = PRIORITY.captures(bare) {
            item.priority = Some(p[1].to_ascii_uppercase());
            in_meta = true;
        } else if let Some(kind) = bare.strip_prefix("type:") {
            item.kind = ActionType::parse(kind);
            if item.kind.is_none() {
                problems.push(Diagnostic::at(
                    line,
                    format!(
                        "action item type `{kind}` is not one of prevent, mitigate, detect, process"
                    ),
                ).code("action-item"));
            }
            in_meta = true;
        } else if in_meta && ActionType::parse(bare).is_some() {
            item.kind = ActionType::parse(bare);
        } else if in_meta && TICKET.is_match(bare) && item.ticket.is_none() {
            item.ticket = Some(Ticket {
                id: bare.to_string(),
                url: None,
            });
        } else if in_meta && (bare == "DONE" || bare == "TODO") {
            item.done = bare == "DONE";
            item.status_word = Some(bare.to_string());
        } else {
            words.push(token);
        }
    }
    item.text = words.join(" ");
    // `Owner: @ana` leaves its label behind when `@ana` became the owner.
    if item.owner.is_some()
        && let Some(rest) = item
            .text
            .strip_suffix("Owner:")
            .or_else(|| item.text.strip_suffix("owner:"))
    {
        item.text = rest.trim_end().to_string();
    }
    if item.owner.is_none()
        && let Some((owner, text)) = owner_in(&item.text)
    {
        item.owner = Some(owner);
        item.text = text;
    }
    if item.text.is_empty() {
        return None;
    }
    Some(item)
}

static OWNER_FORMS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        r"(?i)\s*\((?:owner|owners|assignee|assigned to|who)\s*[:=-]\s*@?(?P<who>[^)]+?)\s*\)",
        r"\s*\b(?i:owner|assignee|assigned to)\s*[:=]\s*@?(?P<who>[\p{L}][\p{L}\p{N}._-]*(?:\s+\p{Lu}[\p{L}._-]*)?)\.?",
        r"^\s*\[(?P<who>\p{Lu}[\p{L}.'-]*(?:\s+\p{Lu}[\p{L}.'-]*){0,2})\]\s*[-–:]?\s*",
        r"\s*\[(?P<who>\p{Lu}[\p{L}.'-]*(?:\s+\p{Lu}[\p{L}.'-]*){0,2})\]\s*\.?$",
    ]
    .iter()
    .map(|p| Regex::new(p).expect("owner regex"))
    .collect()
});

/// An owner written in the item's words: `(owner: Ana)`, `Owner: @ana`, `Assignee: Bo`,
/// `[Rick]` at either end; with the words left when it is taken out.
fn owner_in(text: &str) -> Option<(String, String)> {
    for re in OWNER_FORMS.iter() {
        if let Some(c) = re.captures(text) {
            let who = c["who"].trim().trim_start_matches('@').to_string();
            if who.is_empty() || ["DONE", "TODO", "WIP"].contains(&who.as_str()) {
                continue;
            }
            let whole = c.get(0)?;
            let rest = format!("{} {}", &text[..whole.start()], &text[whole.end()..]);
            return Some((who, rest.split_whitespace().collect::<Vec<_>>().join(" ")));
        }
    }
    None
}

#[derive(Clone, Copy, PartialEq)]
enum Column {
    Text,
    Type,
    Owner,
    Ticket,
    Due,
    Priority,
    Status,
    Other,
}

fn column_of(header: &str) -> Column {
    let h = header.to_lowercase();
    let h = h.trim();
    if h.contains("owner") || h.contains("assignee") || h == "who" {
        Column::Owner
    } else if h.contains("type") || h == "kind" || h == "category" {
        Column::Type
    } else if h.contains("bug")
        || h.contains("ticket")
        || h.contains("issue")
        || h.contains("jira")
        || h == "link"
    {
        Column::Ticket
    } else if h.contains("due") || h == "deadline" {
        Column::Due
    } else if h.contains("priority") || h == "pri" {
        Column::Priority
    } else if h.contains("status") || h == "done" || h == "state" {
        Column::Status
    } else if h.contains("action")
        || h.contains("item")
        || h.contains("task")
        || h.contains("description")
        || h == "what"
    {
        Column::Text
    } else {
        Column::Other
    }
}

static DONE_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(DONE|TODO)\b").expect("done regex"));

/// One item per row of a table with an action column. Columns pmsite reads become the
/// item's fields; any other column (Notes, Comments) and any value it cannot read becomes
/// the item's notes under its column's name, so nothing of the row is lost. Returns whether
/// every row with words became an item.
fn table_items<'a>(
    table: &'a AstNode<'a>,
    first_line: usize,
    problems: &mut Vec<Diagnostic>,
    read: &mut Read<'a, ActionItem>,
) -> bool {
    let start = read.mark();
    let rows = table_rows(table);
    let Some((_, header)) = rows.first() else {
        return false;
    };
    let names: Vec<String> = header.iter().map(|c| clean_text(&c.text)).collect();
    let mut columns: Vec<Column> = names.iter().map(|n| column_of(n)).collect();
    if !columns.contains(&Column::Text)
        && let Some(first) = columns.first_mut()
    {
        *first = Column::Text;
    }
    let mut all = true;
    for (row, cells) in rows.iter().skip(1) {
        let line = line_of(row, first_line);
        let at = read.entries.len();
        let mut item = ActionItem::new(line);
        let mut row_notes = Vec::new();
        let mut text_cell = None;
        let cell_nodes: Vec<&AstNode<'_>> = row.children().collect();
        for (k, (cell, column)) in cells.iter().zip(&columns).enumerate() {
            let node = cell_nodes[k];
            let label = || Some(names.get(k).cloned().unwrap_or_default());
            let text = clean_text(&cell.text);
            if let Some(word) = DONE_WORD.captures(&text) {
                item.done = &word[1] == "DONE";
                item.status_word = Some(word[1].to_string());
            }
            let value = DONE_WORD.replace_all(&text, "").trim().to_string();
            let value = value.trim_matches(['*', '_', ' ']).to_string();
            if value.is_empty() || value.eq_ignore_ascii_case("n/a") {
                continue;
            }
            let mut unread = false;
            match column {
                Column::Text => {
                    item.done |= done_word(&value);
                    item.text = value;
                    text_cell = Some(node);
                }
                Column::Owner => item.owner = Some(value.trim_start_matches('@').to_string()),
                Column::Type => {
                    item.kind = ActionType::parse(value.split_whitespace().next().unwrap_or(""));
                    unread = item.kind.is_none();
                }
                Column::Ticket => {
                    let url = cell.links.first().map(|l| l.url.clone());
                    let id = cell
                        .links
                        .first()
                        .map(|l| l.label.clone())
                        .filter(|l| !l.is_empty())
                        .unwrap_or(value);
                    item.ticket = Some(Ticket { id, url });
                }
                Column::Due => match parse_due(&value) {
                    Some(d) => item.due = Some(d),
                    None => {
                        unread = true;
                        problems.push(Diagnostic::at(
                            line,
                            format!(
                                "due date `{value}` of an action item is not a date: write 2024-04-01"
                            ),
                        ).code("date"));
                    }
                },
                Column::Priority => item.priority = Some(value.to_ascii_uppercase()),
                Column::Status => match status_word(&value) {
                    Some(done) => {
                        item.done = done;
                        item.status_word = Some(value.clone());
                    }
                    None => unread = true,
                },
                Column::Other => unread = true,
            }
            if unread {
                row_notes.push((at, label(), node));
            }
        }
        if item.text.is_empty() {
            all &= cells.iter().all(|c| clean_text(&c.text).is_empty());
            continue;
        }
        if let Some(node) = text_cell {
            read.texts.push((at, node));
        }
        read.notes.extend(row_notes);
        read.entries.push(item);
    }
    all && read.gave(start)
}

/// Done or not, from a Status cell: None for words that say neither ("blocked on vendor"),
/// which stay on the page as the item's notes.
fn status_word(value: &str) -> Option<bool> {
    let v = value.trim().to_lowercase();
    let v = v.trim_matches(|c: char| !c.is_alphanumeric() && !"✓✔✅☑".contains(c));
    match v {
        "done" | "closed" | "complete" | "completed" | "yes" | "fixed" | "resolved" | "x" | "✓"
        | "✔" | "✅" | "☑" | "shipped" | "merged" => Some(true),
        "open" | "todo" | "to do" | "no" | "not started" | "pending" | "planned" | "new"
        | "in progress" | "started" | "" => Some(false),
        _ => None,
    }
}

static DONE_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\W*(?:done|fixed|completed?|✅|☑|✔)\b|(?:\b(?:done|fixed|completed?)|✅|☑|✔)\W*$|[✅☑✔]|\[(?:x|done)\]")
        .expect("done regex")
});

/// Words that mark an item done wherever the author put them: `✅`, `☑`, `[x]`, `DONE`,
/// `Fixed` at either end.
fn done_word(text: &str) -> bool {
    DONE_TEXT.is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(text: &str) -> ActionItem {
        let content = Inline {
            text: text.into(),
            links: Vec::new(),
        };
        list_item(content, false, 1, &mut Vec::new()).expect("an item")
    }

    #[test]
    fn owners_and_done_as_teams_write_them() {
        for (text, owner, done, words) in [
            (
                "Add a canary (owner: Dana) ✅",
                "Dana",
                true,
                "Add a canary ✅",
            ),
            (
                "Alert on zero stops [Malik]",
                "Malik",
                false,
                "Alert on zero stops",
            ),
            ("[Rick] Rotate the keys", "Rick", false, "Rotate the keys"),
            (
                "Write the runbook. Owner: @ines",
                "ines",
                false,
                "Write the runbook.",
            ),
            (
                "Write the runbook. Assignee: Bo Chen",
                "Bo Chen",
                false,
                "Write the runbook.",
            ),
            ("Pin the client (@omar)", "omar", false, "Pin the client"),
            (
                "Document the steps — DONE",
                "",
                true,
                "Document the steps — DONE",
            ),
            ("Fixed: the retry storm", "", true, "Fixed: the retry storm"),
            ("Add a dashboard ✔️", "", true, "Add a dashboard ✔️"),
            (
                "Completed the migration plan",
                "",
                true,
                "Completed the migration plan",
            ),
            (
                "Fix the fixture loader",
                "",
                false,
                "Fix the fixture loader",
            ),
        ] {
            let a = item(text);
            assert_eq!(a.owner.as_deref().unwrap_or(""), owner, "{text}");
            assert_eq!(a.done, done, "{text}");
            assert_eq!(a.text, words, "{text}");
        }
    }
}
