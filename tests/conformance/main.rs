//! The conformance suite: weft's semantics, written once, run natively and in headless Chromium.
//!
//! Natively: `cargo test --test conformance`. In the browser:
//! `cargo test --target wasm32-unknown-unknown --test conformance` (the runner is set in
//! `.cargo/config.toml`; `cargo xtask test` runs both). Each test is an `async` body that
//! [`conformance!`] turns into `#[test]` + `weft::block_on` natively and `#[wasm_bindgen_test]`
//! in the browser, under a one-minute bound so a hang fails instead of stalling the run.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Every test must finish within this, on any machine; it exists so a hang fails loudly.
pub const HANG_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

#[cfg(not(target_arch = "wasm32"))]
macro_rules! conformance {
    ($(#[$meta:meta])* async fn $name:ident() $body:block) => {
        $(#[$meta])*
        #[test]
        fn $name() {
            weft::block_on(async {
                weft::timeout($crate::HANG_LIMIT, async $body).await.expect("test hung")
            })
        }
    };
}

#[cfg(target_arch = "wasm32")]
macro_rules! conformance {
    ($(#[$meta:meta])* async fn $name:ident() $body:block) => {
        $(#[$meta])*
        #[wasm_bindgen_test::wasm_bindgen_test]
        async fn $name() {
            weft::timeout($crate::HANG_LIMIT, async $body).await.expect("test hung")
        }
    };
}

mod support;

mod gather;
mod pool;
mod pool_funcs;
mod task;
mod time;
mod virtual_time;
