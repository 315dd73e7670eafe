//! What the preview answers, and for how long it listens. A page on any website can make a
//! reader's browser send requests to 127.0.0.1, and with DNS rebinding read the answers:
//! the preview shows drafts and restricted post-mortems, so it answers only requests whose
//! `Host` names this machine's loopback (or the bound address) and, for its event stream,
//! only its own pages. Connections that send nothing are closed, so idle sockets cannot use
//! up the process's descriptors.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// How long a client may take to send a request's headers, and how long a kept-alive
/// connection may wait for its next request.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections served at once; more wait in the kernel's queue until one closes.
pub const MAX_CONNECTIONS: usize = 512;

/// Where the preview listens: the names a request's `Host` may give.
#[derive(Debug, Clone)]
pub struct Listening {
    pub bind: IpAddr,
    pub port: u16,
}

impl Listening {
    /// Whether `host` (a `Host` header: `name[:port]`) names this preview.
    pub fn allows_host(&self, host: &str) -> bool {
        let host = host.trim();
        let (name, port) = match host.rsplit_once(':') {
            // `[::1]:1111`, `localhost:1111`; a bare IPv6 address has no brackets here.
            Some((name, port)) if !name.is_empty() && !port.contains(']') => (name, Some(port)),
            _ => (host, None),
        };
        if port.is_some_and(|p| p.parse::<u16>().ok() != Some(self.port)) {
            return false;
        }
        let name = name.to_ascii_lowercase();
        let bare = name.trim_start_matches('[').trim_end_matches(']');
        name == "localhost"
            || bare == "127.0.0.1"
            || bare == "::1"
            || bare.parse::<IpAddr>().ok() == Some(self.bind)
    }

    /// Whether `origin` (an `Origin` header: `http://name:port`) is one of this preview's
    /// own pages.
    pub fn allows_origin(&self, origin: &str) -> bool {
        origin
            .strip_prefix("http://")
            .is_some_and(|host| self.allows_host(host))
    }
}

/// Refuses what is not for this preview: a foreign `Host` (421), and a read of the event
/// stream from another site's page (403).
async fn check(State(listening): State<Arc<Listening>>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !listening.allows_host(host) {
        return (
            StatusCode::MISDIRECTED_REQUEST,
            format!(
                "pmsite serve answers only requests for localhost:{0} or 127.0.0.1:{0}",
                listening.port
            ),
        )
            .into_response();
    }
    let foreign_origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .is_some_and(|o| !listening.allows_origin(o));
    let cross_site = request
        .headers()
        .get("sec-fetch-site")
        .and_then(|o| o.to_str().ok())
        .is_some_and(|s| s == "cross-site");
    if request.uri().path() == super::http::EVENTS_PATH && (foreign_origin || cross_site) {
        return (
            StatusCode::FORBIDDEN,
            "the preview's events are for its own pages",
        )
            .into_response();
    }
    next.run(request).await
}

/// The router with the checks in front of every route.
pub fn guarded(app: Router, listening: Listening) -> Router {
    app.layer(axum::middleware::from_fn_with_state(
        Arc::new(listening),
        check,
    ))
}

/// Serves `app` on `listener` until `shutdown` completes: HTTP/1.1 with a header read
/// timeout (which also closes kept-alive connections idle that long) and at most
/// `MAX_CONNECTIONS` at once.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            _ = &mut shutdown => return Ok(()),
            permit = Arc::clone(&slots).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return Ok(()),
            },
        };
        let stream = tokio::select! {
            _ = &mut shutdown => return Ok(()),
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of descriptors or a reset before accept: wait a moment, go on.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let service = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            drop(permit);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_names_with_our_port_are_answered() {
        let l = Listening {
            bind: "127.0.0.1".parse().unwrap(),
            port: 1111,
        };
        for ok in [
            "127.0.0.1:1111",
            "localhost:1111",
            "LOCALHOST:1111",
            "[::1]:1111",
            "127.0.0.1",
            "localhost",
        ] {
            assert!(l.allows_host(ok), "{ok}");
        }
        for bad in [
            "evil.example.com:1111",
            "evil.example.com",
            "127.0.0.1:2222",
            "localhost.evil.example.com:1111",
            "127.0.0.1.nip.io:1111",
            "",
            "10.0.0.1:1111",
        ] {
            assert!(!l.allows_host(bad), "{bad}");
        }
        let any = Listening {
            bind: "10.1.2.3".parse().unwrap(),
            port: 8000,
        };
        assert!(any.allows_host("10.1.2.3:8000"));
        assert!(l.allows_origin("http://localhost:1111"));
        assert!(!l.allows_origin("http://evil.example.com:1111"));
        assert!(!l.allows_origin("null"));
    }
}
