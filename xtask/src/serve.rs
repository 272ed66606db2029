//! A small static file server for the playground and the browser tests, 127.0.0.1 only.
//!
//! It sends the headers listed for `/*` in the served folder's `_headers` file (the format static
//! hosts read), so the Content-Security-Policy tested here is the one a deployment gets.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::thread;

use tiny_http::{Header, Response, StatusCode};

use crate::cmd::Result;

pub struct Server {
    inner: Arc<tiny_http::Server>,
    port: u16,
    threads: Vec<thread::JoinHandle<()>>,
}

impl Server {
    /// Serves `dir` on 127.0.0.1:`port` (0 picks a free port) from a few threads.
    pub fn start(dir: &Path, port: u16) -> Result<Server> {
        let inner = tiny_http::Server::http(("127.0.0.1", port))
            .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
        let port = inner
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .unwrap_or(port);
        let inner = Arc::new(inner);
        let headers = Arc::new(read_headers(dir)?);
        let dir = Arc::new(dir.to_path_buf());
        let threads = (0..4)
            .map(|_| {
                let (inner, headers, dir) = (inner.clone(), headers.clone(), dir.clone());
                thread::spawn(move || {
                    for request in inner.incoming_requests() {
                        let response = respond(&dir, request.url(), &headers);
                        let _ = request.respond(response);
                    }
                })
            })
            .collect();
        Ok(Server {
            inner,
            port,
            threads,
        })
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// Serves until the process is stopped.
    pub fn wait(self) {
        for thread in self.threads {
            let _ = thread.join();
        }
    }

    pub fn stop(self) {
        self.inner.unblock();
        for _ in 1..self.threads.len() {
            self.inner.unblock();
        }
    }
}

/// The `/*` block of a Netlify/Cloudflare-style `_headers` file.
fn read_headers(dir: &Path) -> Result<Vec<Header>> {
    let path = dir.join("_headers");
    let text =
        std::fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let mut in_all = false;
    let mut headers = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if !line.starts_with(char::is_whitespace) {
            in_all = line.trim() == "/*";
            continue;
        }
        if in_all {
            let (name, value) = line
                .trim()
                .split_once(':')
                .ok_or_else(|| format!("{}: `{line}` is not `Name: value`", path.display()))?;
            headers.push(header(name.trim(), value.trim()));
        }
    }
    Ok(headers)
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ts") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Maps a URL path onto a file inside `dir`, refusing anything that climbs out.
fn resolve(dir: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let relative = Path::new(path.trim_start_matches('/'));
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let mut file = dir.join(relative);
    if file.is_dir() {
        file = file.join("index.html");
    }
    file.is_file().then_some(file)
}

fn respond(dir: &Path, url: &str, headers: &[Header]) -> Response<std::io::Cursor<Vec<u8>>> {
    let (status, body, kind) = match resolve(dir, url).map(|f| (std::fs::read(&f), f)) {
        Some((Ok(body), file)) => (200, body, content_type(&file)),
        _ => (404, b"not found".to_vec(), "text/plain; charset=utf-8"),
    };
    let mut response = Response::from_data(body)
        .with_status_code(StatusCode(status))
        .with_header(header("Content-Type", kind))
        .with_header(header("Cache-Control", "no-cache"));
    for h in headers {
        response.add_header(h.clone());
    }
    response
}
