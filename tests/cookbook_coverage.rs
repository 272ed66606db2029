//! The cookbook (docs/cookbook.md) keeps every code block of the seeds, each with its Rust twin.
//!
//! The seeds (the five Python guides weft grew out of) live outside this repository, so this test
//! cannot read them: it pins their count instead. They hold 56 Python code blocks (9 + 9 + 10 +
//! 10 + 18); if a block is dropped from the cookbook, or one loses its Rust twin, this fails.
//! The twins' behaviour is tested elsewhere: src/lib.rs includes the cookbook as doctests.
//!
//! Native only: it reads a file, and the browser has no file system.
#![cfg(not(target_arch = "wasm32"))]

/// How many Python code blocks the seeds hold.
const SEED_PYTHON_BLOCKS: usize = 56;

/// The info string (`python`, `rust`, `text` …) of every fenced code block, in order.
///
/// A fence that is opened and never closed is an error, so a stray fence cannot hide blocks.
fn code_blocks(markdown: &str) -> Result<Vec<String>, String> {
    let mut blocks = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (number, line) in markdown.lines().enumerate() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        match open {
            Some(_) if info.trim().is_empty() => open = None,
            Some(_) => {} // a fence-like line inside a block is the block's text
            None => {
                let info = info.trim().to_string();
                blocks.push(info.clone());
                open = Some((number + 1, info));
            }
        }
    }
    match open {
        Some((line, info)) => Err(format!(
            "the ```{info} block opened on line {line} is never closed"
        )),
        None => Ok(blocks),
    }
}

/// Whether a block's info string marks it as Rust (`rust`, `rust,no_run` …).
fn is_rust(info: &str) -> bool {
    info.split(',').next() == Some("rust")
}

#[test]
fn every_seed_block_is_in_the_cookbook_with_a_rust_twin() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/cookbook.md");
    let cookbook = std::fs::read_to_string(path).expect("read docs/cookbook.md");
    let blocks = code_blocks(&cookbook).unwrap();

    let python: Vec<usize> = (0..blocks.len())
        .filter(|&i| blocks[i] == "python")
        .collect();
    assert_eq!(
        python.len(),
        SEED_PYTHON_BLOCKS,
        "the seeds have {SEED_PYTHON_BLOCKS} Python blocks; the cookbook has {}",
        python.len()
    );

    for (n, &at) in python.iter().enumerate() {
        let next = python.get(n + 1).copied().unwrap_or(blocks.len());
        assert!(
            blocks[at + 1..next].iter().any(|info| is_rust(info)),
            "Python block {} of {SEED_PYTHON_BLOCKS} has no Rust twin before the next Python block",
            n + 1
        );
    }
}

#[test]
fn the_block_scanner_pairs_fences_and_reads_info_strings() {
    let text =
        "```python\nx = 1\n```\n\n```rust,no_run\nlet x = 1;\n```\n```text\n```python\n```\n";
    assert_eq!(
        code_blocks(text).unwrap(),
        ["python", "rust,no_run", "text"]
    );
    assert!(is_rust("rust") && is_rust("rust,ignore") && !is_rust("rusty") && !is_rust("python"));

    let unclosed = code_blocks("```rust\nlet x = 1;\n").unwrap_err();
    assert_eq!(
        unclosed,
        "the ```rust block opened on line 1 is never closed"
    );
}
