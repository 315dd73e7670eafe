//! The action-items section as data: task lists and tables, with owner, due date,
//! priority, type, ticket and done.

use std::sync::LazyLock;

use comrak::nodes::{AstNode, NodeValue};
use regex::Regex;

use super::model::{ActionItem, ActionType, Ticket};
use super::sections::{Inline, LINK_CLOSE, LINK_OPEN, clean_text, inline, line_of, table_rows};
use crate::dates::parse_date as parse_due;
use crate::diagnostics::Diagnostic;

static TICKET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Z][A-Z0-9]*-\d+$").expect("ticket regex"));
static PRIORITY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\(?([Pp][0-4])\)?[,.;]?$").expect("priority regex"));

/// Action items from a section's blocks: a (task) list or a table.
pub fn action_items<'a>(
    blocks: &[&'a AstNode<'a>],
    first_line: usize,
    problems: &mut Vec<Diagnostic>,
) -> Vec<ActionItem> {
    let mut items = Vec::new();
    for block in blocks {
        match &block.data().value {
            NodeValue::List(_) => {
                for item in block.children() {
                    let done =
                        matches!(&item.data().value, NodeValue::TaskItem(t) if t.symbol.is_some());
                    let line = line_of(item, first_line);
                    let content = inline(item);
                    if let Some(a) = list_item(content, done, line, problems) {
                        items.push(a);
                    }
                }
            }
            NodeValue::Table(_) => table_items(block, first_line, problems, &mut items),
            _ => {}
        }
    }
    items
}

fn list_item(
    content: Inline,
    done: bool,
    line: usize,
    problems: &mut Vec<Diagnostic>,
) -> Option<ActionItem> {
    let mut item = ActionItem {
        text: String::new(),
        owner: None,
        due: None,
        priority: None,
        kind: None,
        ticket: None,
        done,
        line,
    };
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
        } else {
            words.push(token);
        }
    }
    item.text = words.join(" ");
    if item.text.is_empty() {
        return None;
    }
    Some(item)
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

fn table_items<'a>(
    table: &'a AstNode<'a>,
    first_line: usize,
    problems: &mut Vec<Diagnostic>,
    items: &mut Vec<ActionItem>,
) {
    let rows = table_rows(table);
    let Some((_, header)) = rows.first() else {
        return;
    };
    let mut columns: Vec<Column> = header
        .iter()
        .map(|c| column_of(&clean_text(&c.text)))
        .collect();
    if !columns.contains(&Column::Text)
        && let Some(first) = columns.first_mut()
    {
        *first = Column::Text;
    }
    for (row, cells) in rows.iter().skip(1) {
        let line = line_of(row, first_line);
        let mut item = ActionItem {
            text: String::new(),
            owner: None,
            due: None,
            priority: None,
            kind: None,
            ticket: None,
            done: false,
            line,
        };
        for (cell, column) in cells.iter().zip(&columns) {
            let text = clean_text(&cell.text);
            if let Some(word) = DONE_WORD.captures(&text) {
                item.done = &word[1] == "DONE";
            }
            let value = DONE_WORD.replace_all(&text, "").trim().to_string();
            let value = value.trim_matches(['*', '_', ' ']).to_string();
            if value.is_empty() || value.eq_ignore_ascii_case("n/a") {
                continue;
            }
            match column {
                Column::Text => item.text = value,
                Column::Owner => item.owner = Some(value.trim_start_matches('@').to_string()),
                Column::Type => {
                    item.kind = ActionType::parse(value.split_whitespace().next().unwrap_or(""))
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
                    None => problems.push(Diagnostic::at(
                        line,
                        format!(
                            "due date `{value}` of an action item is not a date: write 2024-04-01"
                        ),
                    ).code("date")),
                },
                Column::Priority => item.priority = Some(value.to_ascii_uppercase()),
                Column::Status => {
                    let v = value.to_lowercase();
                    item.done = matches!(
                        v.as_str(),
                        "done"
                            | "closed"
                            | "complete"
                            | "completed"
                            | "yes"
                            | "fixed"
                            | "x"
                            | "✓"
                            | "✔"
                    );
                }
                Column::Other => {}
            }
        }
        if !item.text.is_empty() {
            items.push(item);
        }
    }
}
