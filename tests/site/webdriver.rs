//! What the browser tests share: a static file server on 127.0.0.1 (optionally under a
//! sub-path, optionally with CORS) and a minimal WebDriver client (plain JSON over HTTP to
//! Debian's chromedriver driving headless Chromium). A missing browser or driver fails.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Serves `dir` at `http://127.0.0.1:PORT{prefix}` until the test ends; returns the origin.
/// `prefix` is "" or a path like "/docs"; anything outside it is 404. With `cors`, every
/// answer allows any origin (as netlify.toml does for incidents.json).
pub fn serve_dir(dir: PathBuf, prefix: &'static str, cors: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            std::thread::spawn(move || answer(&stream, &dir, prefix, cors));
        }
    });
    format!("http://127.0.0.1:{port}")
}

fn answer(stream: &std::net::TcpStream, dir: &std::path::Path, prefix: &str, cors: bool) {
    let mut reader = BufReader::new(stream);
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    let path = request
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .split('?')
        .next()
        .unwrap_or("/")
        .to_string();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).map_or(true, |n| n == 0) || header == "\r\n" {
            break;
        }
    }
    let body = path
        .strip_prefix(prefix)
        .filter(|p| p.starts_with('/') && !p.contains(".."))
        .and_then(|p| {
            let mut file = dir.join(p.trim_start_matches('/'));
            if file.is_dir() {
                file = file.join("index.html");
            }
            Some((std::fs::read(&file).ok()?, file))
        });
    let mut out = stream;
    let _ = match body {
        Some((body, file)) => {
            let kind = match file.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("js") => "text/javascript",
                Some("css") => "text/css",
                Some("svg") => "image/svg+xml",
                Some("json") => "application/json",
                _ => "application/octet-stream",
            };
            let allow = if cors {
                "Access-Control-Allow-Origin: *\r\n"
            } else {
                ""
            };
            write!(out, "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\n{allow}Content-Length: {}\r\nConnection: close\r\n\r\n", body.len())
                .and_then(|_| out.write_all(&body))
        }
        None => write!(
            out,
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
    };
}

fn post_json(url: &str, body: &Value) -> Value {
    let reply = ureq::post(url)
        .set("Content-Type", "application/json")
        .send_string(&body.to_string())
        .unwrap_or_else(|e| match e {
            ureq::Error::Status(_, r) => panic!("{url}: {}", r.into_string().unwrap_or_default()),
            e => panic!("{url}: {e}"),
        });
    serde_json::from_str(&reply.into_string().unwrap()).unwrap()
}

/// How every test runs Chromium: headless, no sandbox (CI runs as root), nothing fetched
/// from the internet, a fresh profile given by the caller.
pub const CHROMIUM_FLAGS: [&str; 7] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
];

/// Headless Chromium, driven through chromedriver.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    _profile: tempfile::TempDir,
}

/// WebDriver's names for keys that are not characters.
pub const ARROW_DOWN: &str = "\u{E015}";
pub const ARROW_UP: &str = "\u{E013}";
pub const ENTER: &str = "\u{E007}";

impl Browser {
    pub fn start() -> Browser {
        Browser::start_with(&[])
    }

    /// A browser with extra Chromium flags (`--force-dark-mode`, ...).
    pub fn start_with(extra: &[&str]) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is not installed: `apt-get install chromium-driver` (the browser tests must not be skipped)");
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while ureq::get(&format!("{base}/status")).call().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let args: Vec<String> = CHROMIUM_FLAGS
            .into_iter()
            .chain(["--hide-scrollbars"])
            .map(String::from)
            .chain([format!("--user-data-dir={}", profile.path().display())])
            .chain(extra.iter().map(|a| a.to_string()))
            .collect();
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:loggingPrefs": {"browser": "ALL"}, "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": args
        }}}});
        let reply = post_json(&format!("{base}/session"), &caps);
        let session = reply["value"]["sessionId"]
            .as_str()
            .expect("session id")
            .to_string();
        Browser {
            driver,
            base,
            session,
            _profile: profile,
        }
    }

    pub fn post(&self, path: &str, body: Value) -> Value {
        post_json(
            &format!("{}/session/{}/{path}", self.base, self.session),
            &body,
        )["value"]
            .clone()
    }

    /// Runs `script` (a function body) in the page and returns its value.
    pub fn run(&self, script: &str) -> Value {
        self.post("execute/sync", json!({"script": script, "args": []}))
    }

    /// Runs an async `script` whose last argument is the callback to call with its value.
    pub fn run_async(&self, script: &str) -> Value {
        self.post("execute/async", json!({"script": script, "args": []}))
    }

    /// Sets the window's size in CSS pixels.
    pub fn resize(&self, width: u32, height: u32) {
        self.post("window/rect", json!({"width": width, "height": height}));
    }

    /// A PNG of the viewport.
    pub fn screenshot(&self) -> Vec<u8> {
        use base64::Engine as _;
        let reply: Value = ureq::get(&format!(
            "{}/session/{}/screenshot",
            self.base, self.session
        ))
        .call()
        .ok()
        .and_then(|r| r.into_string().ok())
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
        let b64 = &reply["value"];
        base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap_or_default())
            .unwrap_or_default()
    }

    pub fn goto(&self, url: &str) {
        self.post("url", json!({ "url": url }));
    }

    pub fn url(&self) -> String {
        self.run("return location.href")
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The browser console's messages since the last call (Chromium logs every
    /// Content-Security-Policy violation there).
    pub fn console(&self) -> Vec<String> {
        self.post("se/log", json!({"type": "browser"}))
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .filter_map(|e| e["message"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Presses each character (or key constant) of `keys` in turn, on whatever has focus.
    pub fn keys(&self, keys: &str) {
        let mut actions = Vec::new();
        for c in keys.chars() {
            actions.push(json!({"type": "keyDown", "value": c.to_string()}));
            actions.push(json!({"type": "keyUp", "value": c.to_string()}));
        }
        self.post(
            "actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}),
        );
    }

    /// Waits until `script` returns true; fails with its last value after 15 seconds.
    #[track_caller]
    pub fn wait(&self, what: &str, script: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let value = self.run(&format!(
                "try {{ return ({script}); }} catch (e) {{ return String(e); }}"
            ));
            if value == true {
                return;
            }
            assert!(Instant::now() < deadline, "{what}: last {value}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = ureq::delete(&format!("{}/session/{}", self.base, self.session)).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
