//! The email digest: built, written, and received by a real SMTP server on 127.0.0.1
//! (Python's aiosmtpd), then parsed back with a real MIME parser (mail-parser).

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::*;

const DIGEST: &str = "\n[digest]\nfrom = \"Incident library <incidents@example.com>\"\nto = [\"sre@example.com\"]\nsubject = \"Weekly incidents\"\nunsubscribe = \"<mailto:leave@example.com>\"\n";

fn library() -> SiteTest {
    SiteTest::new()
        .file("pmsite.toml", &format!("{CONFIG}{DIGEST}"))
        .file(
            "content/new.md",
            &toml_pm(
                "INC-NEW",
                "Payments <failed> & retried",
                "date = 2026-11-20T10:00:00Z\nresolved = 2026-11-20T11:30:00Z\npublished = 2026-11-22\nseverity = \"SEV2\"\ncomponents = [\"payments\"]\nsummary = \"Card payments failed for 90 minutes.\"",
                "\n## Action items\n\n- [ ] Open item, not yet due @kai due:2027-01-01\n",
            ),
        )
        .file(
            "content/old.md",
            &toml_pm(
                "INC-OLD",
                "An old one",
                "date = 2024-01-01\npublished = 2024-01-05",
                "\n## Action items\n\n- [ ] Overdue thing @bob due:2024-02-01\n- [ ] Ownerless overdue due:2024-03-01\n- [x] Done thing @bob due:2024-01-10\n",
            ),
        )
}

fn digest(t: &SiteTest, args: &[&str]) -> Cli {
    let mut all = vec!["digest", "--today", "2026-11-24"];
    all.extend_from_slice(args);
    t.cli(&all)
}

#[test]
fn dry_run_prints_a_multipart_message_and_records_nothing() {
    let t = library();
    let out = digest(&t, &["--since", "2026-11-01", "--dry-run"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let message = mail_parser::MessageParser::default()
        .parse(out.stdout.as_bytes())
        .expect("MIME parses");
    assert_eq!(
        message.subject(),
        Some("Weekly incidents: 1 new post-mortem, 2 overdue action items")
    );
    assert_eq!(message.text_body_count(), 1);
    assert_eq!(message.html_body_count(), 1);
    assert!(!t.root().join(".pmsite/digest.toml").exists());
}

#[test]
fn written_message_lists_published_and_overdue_by_owner() {
    let t = library();
    let out = digest(&t, &["--since", "2026-11-01", "--out", "digest.eml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let raw = std::fs::read(t.root().join("digest.eml")).unwrap();
    check_message(&raw, 1, 2);
    let text = mail_parser::MessageParser::default()
        .parse(&raw)
        .unwrap()
        .body_text(0)
        .unwrap()
        .replace("\r\n", "\n");
    // Overdue items by owner, no owner last; the done and not-yet-due items are not reminders.
    let (bob, none) = (
        text.find("\nbob\n").expect("bob"),
        text.find("\nno owner\n").expect("no owner"),
    );
    assert!(bob < none, "{text}");
    assert!(text.contains("Overdue thing (due 2024-02-01, 1027 days overdue; INC-OLD: https://incidents.example.com/incidents/inc-old/)"), "{text}");
    assert!(
        !text.contains("Done thing") && !text.contains("not yet due"),
        "{text}"
    );
    // --out never overwrites, and writing a file is not sending: nothing recorded.
    let again = digest(&t, &["--since", "2026-11-01", "--out", "digest.eml"]);
    assert_ne!(again.code, 0);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    assert!(!t.root().join(".pmsite/digest.toml").exists());
}

/// Checks a digest as a mail client would read it.
fn check_message(raw: &[u8], published: usize, overdue: usize) {
    let message = mail_parser::MessageParser::default()
        .parse(raw)
        .expect("MIME parses");
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    assert_eq!(
        message.subject().unwrap(),
        format!(
            "Weekly incidents: {}, {}",
            plural(published, "new post-mortem", "new post-mortems"),
            plural(overdue, "overdue action item", "overdue action items")
        )
    );
    let from = message.from().and_then(|a| a.first()).unwrap();
    assert_eq!(
        (from.name(), from.address()),
        (Some("Incident library"), Some("incidents@example.com"))
    );
    assert_eq!(
        message
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address()),
        Some("sre@example.com")
    );
    assert!(message.date().is_some(), "Date header");
    assert!(
        message
            .message_id()
            .is_some_and(|id| id.ends_with("@example.com")),
        "Message-ID"
    );
    assert_eq!(
        message.header_raw("List-Unsubscribe").map(str::trim),
        Some("<mailto:leave@example.com>")
    );
    assert_eq!(
        (message.text_body_count(), message.html_body_count()),
        (1, 1),
        "multipart/alternative with both parts"
    );
    let html = message.body_html(0).unwrap();
    let text = message.body_text(0).unwrap();
    if published > 0 {
        assert!(
            html.contains("<a href=\"https://incidents.example.com/incidents/inc-new/\""),
            "absolute links in HTML: {html}"
        );
        assert!(
            html.contains("Payments &lt;failed&gt; &amp; retried"),
            "escaped in HTML"
        );
        assert!(
            text.contains("Payments <failed> & retried")
                && text.contains("https://incidents.example.com/incidents/inc-new/"),
            "{text}"
        );
        assert!(text.contains("resolved in 1h 30m"), "{text}");
    }
    for link in html.split("href=\"").skip(1) {
        assert!(
            link.starts_with("https://incidents.example.com/"),
            "every link is absolute: {link}"
        );
    }
}

#[test]
fn nothing_to_send_is_not_an_error() {
    let t = SiteTest::new()
        .file("pmsite.toml", &format!("{CONFIG}{DIGEST}"))
        .file(
            "content/a.md",
            &toml_pm(
                "A",
                "Old and done",
                "date = 2020-01-01",
                "\n## Action items\n\n- [x] Done @a due:2020-02-01\n",
            ),
        );
    let out = digest(
        &t,
        &["--since", "2026-01-01", "--smtp", "smtp://127.0.0.1:9"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("Nothing to send") && out.stdout.contains("No email was sent"),
        "{}",
        out.stdout
    );
}

/// A loopback port with nothing listening.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn refused_connection_changes_nothing_and_says_why() {
    let t = library().file(
        ".pmsite/digest.toml",
        "last_sent = \"2026-11-01T00:00:00Z\"\nsent = []\n",
    );
    let before = std::fs::read_to_string(t.root().join(".pmsite/digest.toml")).unwrap();
    let out = digest(
        &t,
        &["--smtp", &format!("smtp://127.0.0.1:{}", closed_port())],
    );
    assert_ne!(out.code, 0);
    assert!(
        out.stderr
            .contains("sending the digest to smtp://127.0.0.1:")
            && out.stderr.contains("nothing was recorded"),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read_to_string(t.root().join(".pmsite/digest.toml")).unwrap(),
        before
    );
}

#[test]
fn configuration_problems_are_clear() {
    let t = library().file("pmsite.toml", CONFIG);
    let out = digest(&t, &["--since", "2026-11-01", "--dry-run"]);
    assert!(
        out.stderr.contains("set `from` under [digest]"),
        "{}",
        out.stderr
    );
    let t = library();
    let out = digest(&t, &["--since", "2026-11-01"]);
    assert!(out.stderr.contains("no SMTP server"), "{}", out.stderr);
    let out = digest(&t, &["--since", "yesterday"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("`yesterday` is not a date"),
        "{}",
        out.stderr
    );
    let t = library().file(
        "pmsite.toml",
        &format!("{CONFIG}{DIGEST}user = \"mailer\"\n"),
    );
    let out = digest(
        &t,
        &["--since", "2026-11-01", "--smtp", "smtp://127.0.0.1:9"],
    );
    assert!(
        out.stderr.contains("PMSITE_SMTP_PASSWORD"),
        "the password only from the environment: {}",
        out.stderr
    );
}

/// aiosmtpd on a free loopback port, storing what it receives in a Maildir; stopped on drop.
struct SmtpServer {
    child: Child,
    port: u16,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
}

impl SmtpServer {
    fn start() -> SmtpServer {
        let dir = tempfile::tempdir().unwrap();
        let maildir = dir.path().join("Maildir");
        let port = closed_port();
        let child = Command::new("python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3 is needed for the SMTP tests");
        let mut server = SmtpServer {
            child,
            port,
            maildir,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                let mut err = String::new();
                std::io::Read::read_to_string(server.child.stderr.as_mut().unwrap(), &mut err).ok();
                panic!(
                    "aiosmtpd exited ({status}): {err}\nInstall it with `pip install aiosmtpd` (the SMTP tests must not be skipped)"
                );
            }
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The messages received so far.
    fn received(&self) -> Vec<Vec<u8>> {
        let new = self.maildir.join("new");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&new)
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        // Maildir names are `<seconds>.M<microseconds>P<pid>Q<n>.<host>` with nothing padded,
        // so names do not sort in delivery order within a second; `Q<n>` counts deliveries.
        let delivery = |p: &PathBuf| -> u64 {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.split_once('Q')
                .and_then(|(_, rest)| rest.split('.').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(u64::MAX)
        };
        files.sort_by_key(|p| (delivery(p), p.clone()));
        files.iter().map(|p| std::fs::read(p).unwrap()).collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn state(root: &Path) -> String {
    std::fs::read_to_string(root.join(".pmsite/digest.toml")).unwrap_or_default()
}

#[test]
#[ignore = "needs Python's aiosmtpd; .ci/run installs it and runs ignored tests"]
fn sent_to_a_real_smtp_server_and_since_last_sends_nothing_twice() {
    let server = SmtpServer::start();
    let t = library();
    let out = digest(&t, &["--since", "2026-11-01", "--smtp", &server.url()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains(
            "Sent the digest (1 post-mortems, 2 overdue action items) to sre@example.com"
        ),
        "{}",
        out.stdout
    );
    let received = server.received();
    assert_eq!(received.len(), 1);
    check_message(&received[0], 1, 2);
    assert!(
        state(t.root()).contains("sent = [\"INC-NEW\"]"),
        "{}",
        state(t.root())
    );

    // Since the last digest: the post-mortem is not sent again; the overdue reminder is.
    let out = digest(&t, &["--smtp", &server.url()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let received = server.received();
    assert_eq!(received.len(), 2);
    check_message(&received[1], 0, 2);
    let second = mail_parser::MessageParser::default()
        .parse(&received[1])
        .unwrap();
    assert!(
        !second.body_text(0).unwrap().contains("Payments"),
        "not sent twice"
    );

    // Nothing new and nothing overdue: no email at all.
    let t2 = SiteTest::new()
        .file("pmsite.toml", &format!("{CONFIG}{DIGEST}"))
        .file(
            "content/a.md",
            &toml_pm(
                "A",
                "Fresh",
                "date = 2026-11-20\npublished = 2026-11-21",
                "",
            ),
        );
    assert_eq!(
        digest(&t2, &["--since", "2026-11-01", "--smtp", &server.url()]).code,
        0
    );
    let out = digest(&t2, &["--smtp", &server.url()]);
    assert!(out.stdout.contains("Nothing to send"), "{}", out.stdout);
    assert_eq!(server.received().len(), 3);
}

#[test]
#[ignore = "needs Python's aiosmtpd; .ci/run installs it and runs ignored tests"]
fn smtp_settings_from_the_config() {
    let server = SmtpServer::start();
    let config = format!(
        "{CONFIG}{DIGEST}host = \"127.0.0.1\"\nport = {}\ntls = \"none\"\n",
        server.port
    );
    let t = library().file("pmsite.toml", &config);
    let out = digest(&t, &["--since", "2026-11-01", "--to", "other@example.com"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let received = server.received();
    let message = mail_parser::MessageParser::default()
        .parse(&received[0])
        .unwrap();
    assert_eq!(
        message
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address()),
        Some("other@example.com")
    );
}

/// The library with two teams: payments owns `payments` and has `kai`; ops has `bob` and
/// no address.
fn with_teams(teams_setting: bool) -> SiteTest {
    let digest = if teams_setting {
        format!("{DIGEST}teams = true\n")
    } else {
        DIGEST.to_string()
    };
    library()
        .file("pmsite.toml", &format!("{CONFIG}{digest}"))
        .file(
            "taxonomy.toml",
            "[components.payments]\nowner = \"payments\"\n\n[teams.payments]\nmembers = [\"kai\"]\nemail = \"payments@example.com\"\n\n[teams.ops]\nmembers = [\"bob\"]\n",
        )
        .file(
            "content/near.md",
            &toml_pm(
                "NM-1",
                "Payments nearly failed",
                "type = \"near-miss\"\ndate = 2026-11-21\npublished = 2026-11-23\ncomponents = [\"payments\"]",
                "",
            ),
        )
}

#[test]
fn a_near_miss_is_listed_but_not_counted_in_the_subject() {
    let t = with_teams(false);
    let out = digest(&t, &["--since", "2026-11-01", "--dry-run"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let message = mail_parser::MessageParser::default()
        .parse(out.stdout.as_bytes())
        .unwrap();
    assert_eq!(
        message.subject(),
        Some("Weekly incidents: 1 new post-mortem (+1 near miss), 2 overdue action items")
    );
    assert!(
        message
            .body_text(0)
            .unwrap()
            .contains("Payments nearly failed")
    );
}

#[test]
#[ignore = "needs Python's aiosmtpd; .ci/run installs it and runs ignored tests"]
fn a_team_digest_has_only_the_teams_post_mortems_and_items() {
    let server = SmtpServer::start();
    let t = with_teams(false);
    let out = digest(
        &t,
        &[
            "--since",
            "2026-11-01",
            "--team",
            "payments",
            "--smtp",
            &server.url(),
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("to payments@example.com"),
        "{}",
        out.stdout
    );
    let received = server.received();
    assert_eq!(received.len(), 1);
    let message = mail_parser::MessageParser::default()
        .parse(&received[0])
        .unwrap();
    assert_eq!(
        message.subject(),
        Some(
            "Weekly incidents for payments: 1 new post-mortem (+1 near miss), 0 overdue action items"
        )
    );
    assert_eq!(
        message
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address()),
        Some("payments@example.com")
    );
    let text = message.body_text(0).unwrap();
    assert!(text.contains("INC-NEW") && text.contains("NM-1"), "{text}");
    assert!(
        !text.contains("Overdue thing"),
        "bob's item is ops': {text}"
    );
    assert!(
        !state(t.root()).contains("last_sent"),
        "a team digest records nothing"
    );
    // ops has an overdue item but no address.
    let out = digest(
        &t,
        &[
            "--since",
            "2026-11-01",
            "--team",
            "ops",
            "--smtp",
            &server.url(),
        ],
    );
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains("team `ops` has no address"),
        "{}",
        out.stderr
    );
    let out = digest(&t, &["--team", "nobody", "--dry-run"]);
    assert!(
        out.stderr
            .contains("no team `nobody`: the teams are ops, payments"),
        "{}",
        out.stderr
    );
}

#[test]
#[ignore = "needs Python's aiosmtpd; .ci/run installs it and runs ignored tests"]
fn teams_true_sends_each_team_with_an_address_its_own_after_the_main_one() {
    let server = SmtpServer::start();
    let t = with_teams(true);
    let out = digest(&t, &["--since", "2026-11-01", "--smtp", &server.url()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("Sent payments's digest to payments@example.com"),
        "{}",
        out.stdout
    );
    let received = server.received();
    assert_eq!(
        received.len(),
        2,
        "the main digest, then payments'; ops has no address"
    );
    let subjects: Vec<String> = received
        .iter()
        .map(|r| {
            mail_parser::MessageParser::default()
                .parse(r)
                .unwrap()
                .subject()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(
        subjects[0].starts_with("Weekly incidents: "),
        "{subjects:?}"
    );
    assert!(
        subjects[1].starts_with("Weekly incidents for payments: "),
        "{subjects:?}"
    );
}
