//! `pmsite tickets sync` against a loopback HTTP server answering with each tracker's
//! documented response shapes (GitHub's issues list with `Link` pages, GitLab's with
//! `X-Next-Page`, Jira's search with `startAt` and `total`), and 401, 404, 429 with
//! `Retry-After` and a timeout; then what builds and the digest show. Fictional company:
//! Quillon Freight.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::harness::*;

/// A request as the server saw it: the path with its query, and the Authorization header.
#[derive(Clone, Debug)]
struct Seen {
    target: String,
    auth: Option<String>,
    host: String,
}

/// An answer: status, extra headers, body.
type Answer = (u16, Vec<(String, String)>, String);

struct Tracker {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Tracker {
    /// Serves `answer` for every request until the test ends.
    fn start(answer: impl Fn(&Seen, usize) -> Option<Answer> + Send + Sync + 'static) -> Tracker {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let log = Arc::clone(&seen);
        let answer = Arc::new(answer);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let (log, answer) = (Arc::clone(&log), Arc::clone(&answer));
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut first = String::new();
                    if reader.read_line(&mut first).is_err() {
                        return;
                    }
                    let target = first.split(' ').nth(1).unwrap_or("").to_string();
                    let (mut auth, mut host) = (None, String::new());
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                            break;
                        }
                        if let Some((k, v)) = line.split_once(':')
                            && k.eq_ignore_ascii_case("authorization")
                        {
                            auth = Some(v.trim().to_string());
                        }
                        if let Some((k, v)) = line.split_once(':')
                            && k.eq_ignore_ascii_case("host")
                        {
                            host = v.trim().to_string();
                        }
                    }
                    let request = Seen { target, auth, host };
                    let n = {
                        let mut l = log.lock().unwrap();
                        l.push(request.clone());
                        l.len()
                    };
                    // None: never answer (a tracker that hangs).
                    let Some((status, headers, body)) = answer(&request, n) else {
                        std::thread::sleep(Duration::from_secs(10));
                        return;
                    };
                    let mut out = format!(
                        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
                        body.len()
                    );
                    for (k, v) in headers {
                        out.push_str(&format!("{k}: {v}\r\n"));
                    }
                    out.push_str("\r\n");
                    out.push_str(&body);
                    let _ = stream.write_all(out.as_bytes());
                    let _ = stream.flush();
                    let mut rest = Vec::new();
                    let _ = reader.read_to_end(&mut rest);
                });
            }
        });
        Tracker { port, seen }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn ok(body: &str) -> Option<Answer> {
    Some((200, Vec::new(), body.to_string()))
}

/// The trackers as their documentation shows them.
fn documented() -> impl Fn(&Seen, usize) -> Option<Answer> + Send + Sync + 'static {
    move |r: &Seen, _| {
        let host = &r.host;
        let t = r.target.as_str();
        if t.starts_with("/github/repos/acme/billing/issues") {
            if t.contains("page=2") {
                return ok(
                    r#"[{"number": 12, "title": "Add backoff", "state": "closed", "state_reason": "completed", "html_url": "https://github.com/acme/billing/issues/12", "assignee": null, "assignees": [], "closed_at": "2026-03-02T10:00:00Z", "pull_request": null}]"#,
                );
            }
            let next = format!(
                "<http://{host}/github/repos/acme/billing/issues?state=all&per_page=100&page=2>; rel=\"next\", <http://{host}/github/repos/acme/billing/issues?state=all&per_page=100&page=2>; rel=\"last\""
            );
            return Some((200, vec![("Link".into(), next)], r#"[{"number": 13, "title": "Alert on queue depth", "state": "open", "html_url": "https://github.com/acme/billing/issues/13", "assignee": {"login": "ana", "id": 1}, "closed_at": null}, {"number": 5, "title": "Other", "state": "open", "assignee": null, "closed_at": null}]"#.into()));
        }
        if t.starts_with("/gitlab/api/v4/projects/infra%2Fvault/issues") {
            // An empty first page that says there is a second.
            if t.ends_with("page=1") {
                return Some((
                    200,
                    vec![
                        ("X-Next-Page".into(), "2".into()),
                        ("X-Total-Pages".into(), "2".into()),
                    ],
                    "[]".into(),
                ));
            }
            return Some((200, vec![("X-Next-Page".into(), String::new())], r#"[{"id": 900, "iid": 4, "title": "Rotate the keys", "state": "closed", "web_url": "https://gitlab.quillon.example/infra/vault/-/issues/4", "assignee": {"username": "kai", "name": "Kai"}, "closed_at": "2026-04-01T09:00:00.000Z"}]"#.into()));
        }
        if t.starts_with("/jira/rest/api/3/search/jql") {
            // Cloud's search: pages by token.
            if t.contains("nextPageToken=") {
                assert!(t.contains("nextPageToken=page%202"), "{t}");
                return ok(
                    r#"{"isLast": true, "issues": [{"id": "2", "key": "OPS-8", "fields": {"summary": "Tune the alert", "status": {"name": "Done", "statusCategory": {"key": "done"}}, "assignee": null, "resolutiondate": "2026-05-05T12:00:00.000+0000"}}]}"#,
                );
            }
            return ok(
                r#"{"isLast": false, "nextPageToken": "page 2", "issues": [{"id": "1", "key": "OPS-7", "fields": {"summary": "Fix the runbook", "status": {"name": "In Progress", "statusCategory": {"key": "indeterminate"}}, "assignee": {"displayName": "Bo Li"}, "resolutiondate": null}}]}"#,
            );
        }
        if t.starts_with("/jira/rest/api/2/search") {
            if t.contains("startAt=0") {
                return ok(
                    r#"{"startAt": 0, "maxResults": 1, "total": 2, "issues": [{"id": "1", "key": "OPS-7", "fields": {"summary": "Fix the runbook", "status": {"name": "In Progress", "statusCategory": {"key": "indeterminate"}}, "assignee": {"displayName": "Bo Li"}, "resolutiondate": null}}]}"#,
                );
            }
            return ok(
                r#"{"startAt": 1, "maxResults": 1, "total": 2, "issues": [{"id": "2", "key": "OPS-8", "fields": {"summary": "Tune the alert", "status": {"name": "Done", "statusCategory": {"key": "done"}}, "assignee": null, "resolutiondate": "2026-05-05T12:00:00.000+0000"}}]}"#,
            );
        }
        Some((404, Vec::new(), r#"{"message": "Not Found"}"#.into()))
    }
}

fn config(port: u16, extra: &str) -> String {
    format!(
        "{CONFIG}\n[tickets]\ntimeout_seconds = 1\nmax_wait_seconds = 3\n{extra}\n[tickets.github]\napi = \"http://127.0.0.1:{port}/github\"\nrepo = \"acme/billing\"\n\n[tickets.gitlab]\napi = \"http://127.0.0.1:{port}/gitlab/api/v4\"\n\n[tickets.jira]\nurl = \"http://127.0.0.1:{port}/jira\"\nuser_env = \"QF_JIRA_USER\"\ntoken_env = \"QF_JIRA_TOKEN\"\n\n[digest]\nfrom = \"Incidents <incidents@quillon.example>\"\nto = [\"sre@quillon.example\"]\n"
    )
}

fn item(text: &str, ticket: &str, done: bool) -> String {
    format!(
        "[[action_items]]\ntext = \"{text}\"\nowner = \"ana\"\nticket = \"{ticket}\"\ndone = {done}\ndue = 2026-01-15\n\n"
    )
}

fn library(port: u16) -> SiteTest {
    let items = [
        item("Add backoff", "#12", false),
        item("Alert on queue depth", "#13", true),
        item("Remove the flag", "#99", false),
        item(
            "Rotate the keys",
            "https://gitlab.quillon.example/infra/vault/-/issues/4",
            true,
        ),
        item("Fix the runbook", "OPS-7", false),
        item("Tune the alert", "OPS-8", true),
        item("Read the design doc", "see the doc", false),
    ]
    .concat();
    SiteTest::new().file("pmsite.toml", &config(port, "")).file(
        "content/a.md",
        &format!("+++\ntitle = \"Billing retries stormed\"\nid = \"INC-1\"\ndate = 2025-12-10T10:00:00Z\npublished = 2025-12-20\n{items}+++\n\n## Summary\n\nRetries stormed.\n"),
    )
}

fn sync(t: &SiteTest) -> Cli {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pmsite"))
        .args(["tickets", "sync", "--today", "2026-11-24"])
        .current_dir(t.root())
        .env("GITHUB_TOKEN", "gh-secret")
        .env("GITLAB_TOKEN", "gl-secret")
        .env("QF_JIRA_USER", "bo@quillon.example")
        .env("QF_JIRA_TOKEN", "jira-secret")
        .output()
        .unwrap();
    Cli {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn tickets_json(t: &SiteTest) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(t.root().join(".pmsite/tickets.json")).unwrap())
        .unwrap()
}

#[test]
fn every_tracker_is_read_page_by_page_and_builds_show_the_drift() {
    let server = Tracker::start(documented());
    let t = library(server.port);
    let out = sync(&t);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("1 missing"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("1 items with a ticket no configured tracker answers for"),
        "{}",
        out.stdout
    );
    let json = tickets_json(&t);
    assert_eq!(json["version"], 1);
    let tickets = &json["tickets"];
    assert_eq!(tickets["github:acme/billing#12"]["state"], "closed");
    assert_eq!(tickets["github:acme/billing#12"]["closed_on"], "2026-03-02");
    assert_eq!(tickets["github:acme/billing#13"]["assignee"], "ana");
    assert_eq!(tickets["github:acme/billing#99"]["missing"], true);
    assert_eq!(tickets["gitlab:infra/vault#4"]["state"], "closed");
    assert_eq!(tickets["gitlab:infra/vault#4"]["assignee"], "kai");
    assert_eq!(tickets["jira:OPS-7"]["status"], "In Progress");
    assert_eq!(tickets["jira:OPS-7"]["state"], "open");
    assert_eq!(tickets["jira:OPS-7"]["assignee"], "Bo Li");
    assert_eq!(tickets["jira:OPS-8"]["state"], "closed");
    // Pages were followed, and each tracker got its token from the environment.
    let seen = server.seen();
    let targets: Vec<&str> = seen.iter().map(|s| s.target.as_str()).collect();
    assert!(
        targets
            .iter()
            .any(|t| t.starts_with("/github/") && t.contains("page=2")),
        "{targets:?}"
    );
    assert!(
        targets
            .iter()
            .any(|t| t.starts_with("/gitlab/") && t.ends_with("page=2")),
        "{targets:?}"
    );
    assert!(
        targets
            .iter()
            .any(|t| t.starts_with("/jira/rest/api/3/") && t.contains("nextPageToken=")),
        "{targets:?}"
    );
    for s in &seen {
        let auth = s.auth.as_deref().unwrap_or("");
        if s.target.starts_with("/github/") {
            assert_eq!(auth, "Bearer gh-secret");
        } else if s.target.starts_with("/gitlab/") {
            assert_eq!(auth, "Bearer gl-secret");
        } else {
            assert_eq!(auth, "Basic Ym9AcXVpbGxvbi5leGFtcGxlOmppcmEtc2VjcmV0");
        }
    }
    // No token is written anywhere.
    let file = std::fs::read_to_string(t.root().join(".pmsite/tickets.json")).unwrap();
    assert!(
        !file.contains("secret") && !out.stdout.contains("secret"),
        "{file}"
    );

    // The build reads the file: state, assignee and drift on the incident page and tracker.
    let t = t.build();
    let page = t.read("incidents/inc-1/index.html");
    assert!(page.contains("<span class=\"ticket-state ticket-closed\">closed</span> <strong class=\"drift\">ticket closed, item still open</strong>"), "{page}");
    assert!(page.contains("<span class=\"ticket-state ticket-open\">open</span> <span class=\"muted\">ana</span> <strong class=\"drift\">item done, ticket still open</strong>"), "{page}");
    assert!(
        page.contains("<strong class=\"drift\">ticket not found in the tracker</strong>"),
        "{page}"
    );
    assert!(
        page.contains("<span class=\"muted\">Bo Li</span>"),
        "{page}"
    );
    assert_eq!(
        page.matches("class=\"drift\"").count(),
        3,
        "the closed and done pairs agree"
    );
    t.contains("actions/index.html", "ticket closed, item still open");
    // The digest names the disagreements and the tickets of overdue items.
    let out = t.cli(&[
        "digest",
        "--today",
        "2026-11-24",
        "--since",
        "2026-11-01",
        "--dry-run",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let message = mail_parser::MessageParser::default()
        .parse(out.stdout.as_bytes())
        .unwrap();
    let text = message.body_text(0).unwrap().replace("\r\n", "\n");
    assert!(
        text.contains("Tickets that disagree with their post-mortems (3)"),
        "{text}"
    );
    assert!(
        text.contains("Add backoff (#12): ticket closed, item still open"),
        "{text}"
    );
    assert!(
        text.contains(
            "Fix the runbook (due 2026-01-15, 313 days overdue; OPS-7, ticket open, Bo Li;"
        ),
        "{text}"
    );
}

/// A library that synced once, and the file that sync wrote.
fn synced_once() -> (SiteTest, Vec<u8>) {
    let server = Tracker::start(|r, _| {
        if r.target.starts_with("/github/") {
            return ok(r#"[{"number": 12, "state": "open", "assignee": null, "closed_at": null}]"#);
        }
        if r.target.starts_with("/gitlab/") {
            return ok("[]");
        }
        ok(r#"{"startAt": 0, "maxResults": 50, "total": 0, "issues": []}"#)
    });
    let t = library(server.port);
    assert_eq!(sync(&t).code, 0);
    let before = std::fs::read(t.root().join(".pmsite/tickets.json")).unwrap();
    (t, before)
}

#[track_caller]
fn fails_and_keeps_the_file(t: &SiteTest, before: &[u8], words: &str) {
    let out = sync(t);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains(words), "{}", out.stderr);
    assert!(
        out.stderr.contains(".pmsite/tickets.json was not changed"),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read(t.root().join(".pmsite/tickets.json")).unwrap(),
        before
    );
}

#[test]
fn a_refused_token_fails_and_leaves_the_previous_file() {
    let (t, before) = synced_once();
    let server =
        Tracker::start(|_, _| Some((401, Vec::new(), r#"{"message": "Bad credentials"}"#.into())));
    let t = t.file("pmsite.toml", &config(server.port, ""));
    fails_and_keeps_the_file(&t, &before, "the token was refused; set `GITHUB_TOKEN`");
}

#[test]
fn a_tracker_that_never_answers_times_out() {
    let (t, before) = synced_once();
    let server = Tracker::start(|_, _| None);
    let t = t.file("pmsite.toml", &config(server.port, ""));
    let started = Instant::now();
    fails_and_keeps_the_file(&t, &before, "no answer within 1 s");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_rate_limit_is_waited_out_or_refused_when_too_long() {
    // The first request is limited for a second, then every one is answered.
    let server = Tracker::start(move |r, n| {
        if n == 1 {
            return Some((429, vec![("Retry-After".into(), "1".into())], "{}".into()));
        }
        documented()(r, n)
    });
    let t = library(server.port);
    let started = Instant::now();
    let out = sync(&t);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(
        server.seen()[0].target,
        server.seen()[1].target,
        "the limited request is asked again"
    );
    // Asked to wait longer than max_wait_seconds: fails, the file stays.
    let before = std::fs::read(t.root().join(".pmsite/tickets.json")).unwrap();
    let limited =
        Tracker::start(|_, _| Some((429, vec![("Retry-After".into(), "120".into())], "{}".into())));
    let t = t.file("pmsite.toml", &config(limited.port, ""));
    fails_and_keeps_the_file(
        &t,
        &before,
        "asks to wait 120 s, more than [tickets] max_wait_seconds (3)",
    );
}

#[test]
fn a_repository_nobody_can_see_marks_its_tickets_missing() {
    let server = Tracker::start(|r, n| {
        if r.target.starts_with("/github/") {
            return Some((404, Vec::new(), r#"{"message": "Not Found"}"#.into()));
        }
        documented()(r, n)
    });
    let t = library(server.port);
    let out = sync(&t);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("warning: GitHub: no repository acme/billing"),
        "{}",
        out.stderr
    );
    let json = tickets_json(&t);
    assert_eq!(json["tickets"]["github:acme/billing#12"]["missing"], true);
    assert_eq!(json["tickets"]["jira:OPS-8"]["state"], "closed");
}

#[test]
fn no_tracker_configured_and_a_broken_file_are_clear() {
    let t = SiteTest::new().file("content/a.md", &toml_pm("INC-1", "A", "", ""));
    let out = t.cli(&["tickets", "sync"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("no tracker is configured: add [tickets.github]"),
        "{}",
        out.stderr
    );
    // A tickets file pmsite cannot read is a warning at its line, and the build goes on.
    let t = t.file(
        ".pmsite/tickets.json",
        "{\n  \"version\": 1,\n  \"tickets\": nope\n}\n",
    );
    let report = t.try_build().expect("the build goes on");
    assert_diag(
        &report.warnings,
        ".pmsite/tickets.json:3: warning",
        "run `pmsite tickets sync` again",
    );
    // A tracker URL must be http or https.
    let t = t.file(
        "pmsite.toml",
        &format!("{CONFIG}\n[tickets.jira]\nurl = \"file:///etc/passwd\"\n"),
    );
    assert_diag(&t.build_errors(), "pmsite.toml:6: error", "[tickets] url");
}

#[test]
fn a_jira_without_the_cloud_search_is_read_with_the_older_one() {
    // Data Center and Server have no /rest/api/3/search/jql: 404, then /rest/api/2/search.
    let server = Tracker::start(|r, n| {
        if r.target.starts_with("/jira/rest/api/3/") {
            return Some((404, Vec::new(), "{}".into()));
        }
        documented()(r, n)
    });
    let t = library(server.port);
    let out = sync(&t);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = tickets_json(&t);
    assert_eq!(json["tickets"]["jira:OPS-7"]["assignee"], "Bo Li");
    assert_eq!(json["tickets"]["jira:OPS-8"]["state"], "closed");
    let jira: Vec<String> = server
        .seen()
        .into_iter()
        .map(|s| s.target)
        .filter(|t| t.starts_with("/jira/"))
        .collect();
    assert!(
        jira.iter()
            .any(|t| t.starts_with("/jira/rest/api/2/search") && t.contains("startAt=1")),
        "{jira:?}"
    );
    // The Cloud search was asked once, not once a page.
    assert_eq!(
        jira.iter()
            .filter(|t| t.starts_with("/jira/rest/api/3/"))
            .count(),
        1,
        "{jira:?}"
    );
}
