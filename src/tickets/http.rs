//! One HTTP GET to a tracker's REST API, with its rate limits honoured: a 429 (or GitHub's
//! 403 with no requests left) waits for `Retry-After` or `X-RateLimit-Reset` and asks again,
//! unless the wait is longer than `[tickets] max_wait_seconds`.

use std::time::Duration;

use crate::error::{Error, Result};

/// How many times one request is asked again after a rate limit.
const RETRIES: usize = 5;

pub struct Client {
    agent: ureq::Agent,
    timeout: u64,
    max_wait: u64,
    /// The tracker's name, for messages (`GitHub`).
    pub name: &'static str,
    /// The `Authorization` header's value, if a token was found.
    auth: Option<String>,
    /// The environment variable the token comes from, for messages.
    token_env: String,
}

/// An answer: status, the headers pmsite reads, the body.
pub struct Answer {
    pub status: u16,
    pub link: Option<String>,
    pub next_page: Option<String>,
    pub body: String,
}

impl Client {
    pub fn new(
        name: &'static str,
        timeout: u64,
        max_wait: u64,
        auth: Option<String>,
        token_env: &str,
    ) -> Client {
        Client {
            agent: ureq::AgentBuilder::new()
                .timeout(Duration::from_secs(timeout.max(1)))
                .user_agent(concat!("pmsite/", env!("CARGO_PKG_VERSION")))
                .build(),
            timeout,
            max_wait,
            name,
            auth,
            token_env: token_env.to_string(),
        }
    }

    /// GETs `url`; an answer of 200 or 404 (or 410) is returned, anything else is an error
    /// naming the tracker and what to do.
    pub fn get(&self, url: &str) -> Result<Answer> {
        for _ in 0..=RETRIES {
            let mut request = self.agent.get(url).set("Accept", "application/json");
            if let Some(auth) = &self.auth {
                request = request.set("Authorization", auth);
            }
            let response = match request.call() {
                Ok(r) => r,
                Err(ureq::Error::Status(_, r)) => r,
                Err(ureq::Error::Transport(t)) => {
                    let timed_out = t.kind() == ureq::ErrorKind::Io
                        && t.to_string().to_lowercase().contains("timed out");
                    return Err(Error::Refused(if timed_out {
                        format!(
                            "{}: no answer within {} s from {url} ([tickets] timeout_seconds)",
                            self.name, self.timeout
                        )
                    } else {
                        format!("{}: could not reach {url}: {t}", self.name)
                    }));
                }
            };
            let status = response.status();
            let limited = status == 429
                || (status == 403 && response.header("x-ratelimit-remaining") == Some("0"));
            if limited {
                let wait = wait_seconds(&response);
                if wait > self.max_wait {
                    return Err(Error::Refused(format!(
                        "{}: rate limited; it asks to wait {wait} s, more than [tickets] max_wait_seconds ({}); run the sync again later",
                        self.name, self.max_wait
                    )));
                }
                std::thread::sleep(Duration::from_secs(wait));
                continue;
            }
            let answer = Answer {
                status,
                link: response.header("link").map(str::to_string),
                next_page: response.header("x-next-page").map(str::to_string),
                body: response
                    .into_string()
                    .map_err(|e| Error::Refused(format!("{}: {url}: {e}", self.name)))?,
            };
            return match status {
                200 | 404 | 410 => Ok(answer),
                401 | 403 => Err(Error::Refused(format!(
                    "{}: {url} answered {status}: the token was refused; set {} to a token that can read the tracker",
                    self.name,
                    if self.auth.is_some() {
                        format!("`{}`", self.token_env)
                    } else {
                        format!("`{}` (it is not set)", self.token_env)
                    }
                ))),
                _ => Err(Error::Refused(format!(
                    "{}: {url} answered {status}",
                    self.name
                ))),
            };
        }
        Err(Error::Refused(format!(
            "{}: still rate limited after {RETRIES} waits; run the sync again later",
            self.name
        )))
    }
}

/// Seconds a rate limit asks to wait: `Retry-After` (seconds), else GitHub's
/// `X-RateLimit-Reset` (a Unix time), else a minute.
fn wait_seconds(response: &ureq::Response) -> u64 {
    if let Some(s) = response
        .header("retry-after")
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        return s;
    }
    if let Some(reset) = response
        .header("x-ratelimit-reset")
        .and_then(|v| v.trim().parse::<i64>().ok())
    {
        let now = chrono::Utc::now().timestamp();
        return u64::try_from(reset - now).unwrap_or(0) + 1;
    }
    60
}

/// The `rel="next"` URL of a `Link` header (GitHub, GitLab).
pub fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim() == "rel=\"next\"")
            .then(|| {
                url.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_next_link() {
        let h = "<https://api.github.com/repositories/1/issues?page=2>; rel=\"next\", <https://api.github.com/repositories/1/issues?page=5>; rel=\"last\"";
        assert_eq!(
            super::next_link(h).as_deref(),
            Some("https://api.github.com/repositories/1/issues?page=2")
        );
        assert_eq!(super::next_link("<x>; rel=\"prev\""), None);
    }
}
