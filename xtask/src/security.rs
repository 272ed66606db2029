//! The security check of what weft ships to browsers: `cargo xtask test` runs it after the npm
//! package and the playground are built.
//!
//! - The shipped JS (the npm package in `target/npm/weft`, the worker glue `web/src/pool.js`,
//!   the playground's `www/*.js`, `www/pkg/**/*.js` and, if built, `www/dist/**/*.js`) has no
//!   `eval(`, no `new Function` / `Function(`, no string timers (`setTimeout("…")`) and no
//!   `blob:` URLs (workers are same-origin files). Comments are skipped, and so are the
//!   contents of strings for the code patterns (wasm-bindgen's glue prints "Function(name)"
//!   in a template string when it describes a value).
//! - The playground's pages have no inline script, and `www/_headers` sends a
//!   Content-Security-Policy whose script and worker sources allow neither 'unsafe-eval' nor
//!   'unsafe-inline' (only 'wasm-unsafe-eval', which compiling WebAssembly needs), nor `blob:`,
//!   `data:` or `*`, and whose workers are same-origin ('self').
//!
//! A finding fails the step with its file and line.

use std::path::{Path, PathBuf};

use crate::cmd::{self, Result};

/// One thing found, at a file and line.
#[derive(Debug, PartialEq, Eq)]
pub struct Finding {
    pub file: PathBuf,
    pub line: usize,
    pub what: &'static str,
}

/// The source split in two views of the same length, line breaks kept: `code` with comments
/// and string contents blanked (the quotes stay), and `strings` with only the string contents.
struct Masked {
    code: String,
    strings: String,
}

/// Blanks comments and separates string contents. A small lexer, not a JS parser: `'` and `"`
/// strings end at their line's end at the latest, template literals (`${…}` included) count as
/// string, and a `/` that starts no comment is code (regex literals are scanned as code).
fn mask(source: &str) -> Masked {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Code,
        Line,
        Block,
        Str(char),
    }
    let chars: Vec<char> = source.chars().collect();
    let (mut code, mut strings) = (String::new(), String::new());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut state = State::Code;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match state {
            State::Code => match (c, next) {
                ('/', Some('/')) => {
                    state = State::Line;
                    code.push(' ');
                    strings.push(' ');
                }
                ('/', Some('*')) => {
                    state = State::Block;
                    code.push_str("  ");
                    strings.push_str("  ");
                    i += 1;
                }
                ('\'' | '"' | '`', _) => {
                    state = State::Str(c);
                    code.push(c);
                    strings.push(' ');
                }
                _ => {
                    code.push(c);
                    strings.push(blank(c));
                }
            },
            State::Line => {
                if c == '\n' {
                    state = State::Code;
                }
                code.push(blank(c));
                strings.push(blank(c));
            }
            State::Block => {
                if c == '*' && next == Some('/') {
                    state = State::Code;
                    code.push_str("  ");
                    strings.push_str("  ");
                    i += 1;
                } else {
                    code.push(blank(c));
                    strings.push(blank(c));
                }
            }
            State::Str(quote) => {
                if c == '\\' && next.is_some_and(|n| n != '\n') {
                    code.push_str("  ");
                    strings.push(c);
                    strings.push(next.unwrap_or(' '));
                    i += 1;
                } else if c == quote || (c == '\n' && quote != '`') {
                    state = State::Code;
                    code.push(c);
                    strings.push(blank(c));
                } else {
                    code.push(blank(c));
                    strings.push(c);
                }
            }
        }
        i += 1;
    }
    Masked { code, strings }
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// Where `word` occurs in `line` as a whole identifier (not inside a longer one).
fn word_at(line: &str, word: &str) -> Vec<usize> {
    line.match_indices(word)
        .filter(|(at, _)| {
            let before = line[..*at].chars().next_back();
            let after = line[at + word.len()..].chars().next();
            !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
        })
        .map(|(at, _)| at)
        .collect()
}

/// The text after position `at + len` with leading blanks skipped.
fn after(line: &str, at: usize, len: usize) -> &str {
    line[at + len..].trim_start()
}

/// The findings in one JS source.
pub fn scan_js(file: &Path, source: &str) -> Vec<Finding> {
    let masked = mask(source);
    let mut found = Vec::new();
    let mut push = |line: usize, what| {
        found.push(Finding {
            file: file.to_path_buf(),
            line: line + 1,
            what,
        })
    };
    for (n, line) in masked.code.lines().enumerate() {
        if word_at(line, "eval")
            .iter()
            .any(|&at| after(line, at, 4).starts_with('('))
        {
            push(n, "eval(");
        }
        for at in word_at(line, "Function") {
            let called = after(line, at, 8).starts_with('(');
            let constructed = line[..at].trim_end().ends_with("new")
                && word_at(line[..at].trim_end(), "new")
                    .last()
                    .is_some_and(|&w| w + 3 == line[..at].trim_end().len());
            if constructed {
                push(n, "new Function");
            } else if called {
                push(n, "Function(");
            }
        }
        for timer in ["setTimeout", "setInterval"] {
            if word_at(line, timer).iter().any(|&at| {
                let args = after(line, at, timer.len());
                args.strip_prefix('(')
                    .is_some_and(|a| a.trim_start().starts_with(['"', '\'', '`']))
            }) {
                push(
                    n,
                    "a string timer (setTimeout/setInterval with code in a string)",
                );
            }
        }
        if line.contains("createObjectURL") && line.contains("Worker") {
            push(n, "a worker started from an object URL");
        }
    }
    for (n, line) in masked.strings.lines().enumerate() {
        if line.to_ascii_lowercase().contains("blob:") {
            push(n, "a blob: URL");
        }
    }
    found
}

/// The findings in an HTML page: inline `<script>` (one without `src`) and inline event
/// handlers (`onclick=` and friends).
pub fn scan_html(file: &Path, source: &str) -> Vec<Finding> {
    let mut found = Vec::new();
    for (n, line) in source.lines().enumerate() {
        let lower = line.to_ascii_lowercase();
        let mut rest = lower.as_str();
        while let Some(at) = rest.find("<script") {
            let tag_end = rest[at..].find('>').map_or(rest.len(), |e| at + e);
            if !rest[at..tag_end].contains("src=") {
                found.push(Finding {
                    file: file.to_path_buf(),
                    line: n + 1,
                    what: "an inline <script>",
                });
            }
            rest = &rest[tag_end..];
        }
        let handler = lower
            .split(|c: char| c.is_whitespace() || c == '<')
            .filter_map(|word| word.split_once('='))
            .any(|(name, _)| {
                name.len() > 2
                    && name.starts_with("on")
                    && name.chars().all(|c| c.is_ascii_alphabetic())
            });
        if handler {
            found.push(Finding {
                file: file.to_path_buf(),
                line: n + 1,
                what: "an inline event handler (on…=)",
            });
        }
    }
    found
}

/// Checks the Content-Security-Policy lines of a `_headers` file; the problems, or the policy.
pub fn check_csp(headers: &str) -> std::result::Result<String, Vec<String>> {
    let policies: Vec<&str> = headers
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Content-Security-Policy:"))
        .map(str::trim)
        .collect();
    if policies.is_empty() {
        return Err(vec!["no Content-Security-Policy header".into()]);
    }
    let mut problems = Vec::new();
    for policy in &policies {
        let directive = |name: &str| -> Option<Vec<String>> {
            policy.split(';').find_map(|d| {
                let mut words = d.split_whitespace();
                (words.next()? == name).then(|| words.map(str::to_owned).collect())
            })
        };
        let default = directive("default-src");
        let script = directive("script-src").or_else(|| default.clone());
        let worker = directive("worker-src")
            .or_else(|| script.clone())
            .or_else(|| default.clone());
        let Some(script) = script else {
            problems.push(format!("no script-src or default-src in {policy:?}"));
            continue;
        };
        let mut sources = vec![
            ("script-src", script),
            ("worker-src", worker.clone().unwrap_or_default()),
        ];
        for name in ["script-src-elem", "script-src-attr"] {
            if let Some(list) = directive(name) {
                sources.push((name, list));
            }
        }
        for (name, list) in &sources {
            for bad in ["'unsafe-eval'", "'unsafe-inline'", "blob:", "data:", "*"] {
                if list.iter().any(|s| s.eq_ignore_ascii_case(bad)) {
                    problems.push(format!("{name} allows {bad}"));
                }
            }
        }
        if !worker.is_some_and(|w| w.iter().any(|s| s == "'self'")) {
            problems.push("workers are not limited to the same origin ('self')".into());
        }
    }
    if problems.is_empty() {
        Ok(policies.join(" | "))
    } else {
        Err(problems)
    }
}

/// Every `.js` file under `dir` (all depths), if it exists.
fn js_under(dir: &Path, deep: bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if deep && path.file_name().is_some_and(|n| n != "node_modules") {
                out.extend(js_under(&path, deep));
            }
        } else if path.extension().is_some_and(|e| e == "js" || e == "mjs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Runs the whole check; a summary line, or every finding with its file and line.
pub fn check() -> Result<String> {
    let root = cmd::root();
    let package = root.join("target/npm/weft");
    if !package.join("index.js").exists() {
        return Err("the npm package is not built (cargo xtask npm)".into());
    }
    let www = root.join("www");
    let mut files = js_under(&package, true);
    files.push(root.join("web/src/pool.js"));
    files.extend(
        js_under(&www, false)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "js")),
    );
    files.extend(js_under(&www.join("pkg"), true));
    files.extend(js_under(&www.join("dist"), true));
    let mut findings = Vec::new();
    for file in &files {
        let source = std::fs::read_to_string(file)
            .map_err(|e| format!("reading {}: {e}", file.display()))?;
        findings.extend(scan_js(file, &source));
    }
    let pages = [www.join("index.html"), www.join("dist/index.html")];
    for page in pages.iter().filter(|p| p.exists()) {
        let source = std::fs::read_to_string(page)
            .map_err(|e| format!("reading {}: {e}", page.display()))?;
        findings.extend(scan_html(page, &source));
    }
    let headers = std::fs::read_to_string(www.join("_headers"))
        .map_err(|e| format!("reading www/_headers: {e}"))?;
    let csp = check_csp(&headers);
    let mut problems: Vec<String> = findings
        .iter()
        .map(|f| {
            let file = f.file.strip_prefix(&root).unwrap_or(&f.file);
            format!("{}:{}: {}", file.display(), f.line, f.what)
        })
        .collect();
    if let Err(csp) = &csp {
        problems.extend(csp.iter().map(|p| format!("www/_headers: {p}")));
    }
    if !problems.is_empty() {
        return Err(format!(
            "security check failed:\n  {}",
            problems.join("\n  ")
        ));
    }
    Ok(format!(
        "security: {} shipped JS files and {} pages scanned: no eval, no new Function, no string \
         timers, no blob: URLs, no inline script; CSP without 'unsafe-eval' or 'unsafe-inline', \
         workers 'self'",
        files.len(),
        pages.iter().filter(|p| p.exists()).count(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whats(source: &str) -> Vec<(usize, &'static str)> {
        scan_js(Path::new("x.js"), source)
            .into_iter()
            .map(|f| (f.line, f.what))
            .collect()
    }

    #[test]
    fn finds_eval_function_string_timers_and_blob_urls_with_their_line() {
        let source = "let a = 1;\neval('2');\nconst f = new Function('return 1');\n\
                      const g = Function('x', 'return x');\nsetTimeout(\"tick()\", 5);\n\
                      setInterval( 'x()' , 5);\nnew Worker('blob:http://x/1');\n\
                      new Worker(URL.createObjectURL(b));\nwindow.eval (code);";
        assert_eq!(
            whats(source),
            [
                (2, "eval("),
                (3, "new Function"),
                (4, "Function("),
                (
                    5,
                    "a string timer (setTimeout/setInterval with code in a string)"
                ),
                (
                    6,
                    "a string timer (setTimeout/setInterval with code in a string)"
                ),
                (8, "a worker started from an object URL"),
                (9, "eval("),
                (7, "a blob: URL"),
            ]
        );
    }

    #[test]
    fn ignores_comments_strings_and_longer_names() {
        let source = "// no eval( here, no blob: URL\n/* new Function() */\n\
                      const d = `Function(${v.name})`;\nconst s = 'eval(x)';\n\
                      isFunction(x); retrieval(y); setTimeout(() => f(), 5);\n\
                      const url = 'http://a/b'; // eval(\nx instanceof Function;";
        assert_eq!(whats(source), []);
    }

    #[test]
    fn finds_inline_scripts_and_handlers_but_not_module_files() {
        let html = "<script type=\"module\" src=\"main.js\"></script>\n<script>alert(1)</script>\n\
                    <button onclick=\"go()\">go</button>\n<p>only words</p>";
        let found: Vec<_> = scan_html(Path::new("i.html"), html)
            .into_iter()
            .map(|f| (f.line, f.what))
            .collect();
        assert_eq!(
            found,
            [
                (2, "an inline <script>"),
                (3, "an inline event handler (on…=)")
            ]
        );
    }

    #[test]
    fn a_csp_must_forbid_unsafe_eval_and_inline_script_and_keep_workers_same_origin() {
        let good = "/*\n  Content-Security-Policy: default-src 'self'; script-src 'self' \
                    'wasm-unsafe-eval'; worker-src 'self'\n";
        assert!(check_csp(good).is_ok());
        let bad = "  Content-Security-Policy: default-src 'self'; script-src 'self' 'unsafe-eval' \
                   'unsafe-inline'; worker-src 'self' blob:";
        assert_eq!(
            check_csp(bad).unwrap_err(),
            [
                "script-src allows 'unsafe-eval'",
                "script-src allows 'unsafe-inline'",
                "worker-src allows blob:"
            ]
        );
        assert!(check_csp("X-Frame-Options: DENY").is_err());
        // No worker-src: workers follow script-src, which must then be 'self'.
        assert!(check_csp("Content-Security-Policy: script-src https://cdn.example").is_err());
    }
}
