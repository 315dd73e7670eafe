//! `pmsite check --external`: every external link of the library, requested once, one at a
//! time per host (never a burst at one server), with a timeout. Never part of the default run.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::diagnostics::Diagnostic;

/// How many hosts are checked at once.
const HOSTS_AT_ONCE: usize = 8;

#[derive(Debug, Default)]
pub struct ExternalSummary {
    pub checked: usize,
    pub broken: usize,
    pub diagnostics: Vec<Diagnostic>,
}

fn host_of(url: &str) -> String {
    url.split_once("://")
        .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or(rest))
        .unwrap_or(url)
        .to_lowercase()
}

/// Why a URL is broken, or None when it answers with a success (after redirects).
fn probe(agent: &ureq::Agent, url: &str) -> Option<String> {
    let describe = |e: ureq::Error| match e {
        ureq::Error::Status(code, response) => format!("{code} {}", response.status_text()),
        ureq::Error::Transport(t) => t.to_string(),
    };
    match agent.head(url).call() {
        Ok(_) => None,
        // Some servers refuse HEAD; ask again with GET before calling the link broken.
        Err(ureq::Error::Status(405 | 403 | 501, _)) => agent.get(url).call().err().map(describe),
        Err(e) => Some(describe(e)),
    }
}

pub use crate::library::links::LinkPlaces;

/// Checks every link; each broken one is an error at every place it is written.
pub fn external(links: Vec<LinkPlaces>, timeout: Duration) -> ExternalSummary {
    let agent = ureq::AgentBuilder::new()
        .timeout(timeout)
        .redirects(5)
        .user_agent("pmsite link check")
        .build();
    let mut by_host: BTreeMap<String, Vec<LinkPlaces>> = BTreeMap::new();
    for (url, places) in links {
        by_host
            .entry(host_of(&url))
            .or_default()
            .push((url, places));
    }
    let checked = by_host.values().map(Vec::len).sum();
    let queue = Mutex::new(by_host.into_values().collect::<Vec<_>>());
    let broken = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..HOSTS_AT_ONCE {
            scope.spawn(|| {
                while let Some(host_links) = queue.lock().ok().and_then(|mut q| q.pop()) {
                    for (url, places) in host_links {
                        if let Some(why) = probe(&agent, &url)
                            && let Ok(mut b) = broken.lock()
                        {
                            b.push((url, why, places));
                        }
                    }
                }
            });
        }
    });
    let broken = broken.into_inner().unwrap_or_default();
    let mut summary = ExternalSummary {
        checked,
        broken: broken.len(),
        diagnostics: Vec::new(),
    };
    for (url, why, places) in broken {
        for (path, line) in places {
            summary.diagnostics.push(
                Diagnostic::error(path, line, format!("external link {url} is broken: {why}"))
                    .code("external-link"),
            );
        }
    }
    summary
}
