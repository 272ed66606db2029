//! The Rust half of the playground: each demo as the Rust a user would write, exported to the
//! page with wasm-bindgen. The same demos run natively in this crate's tests.

pub mod bench;
pub mod demos;
pub mod twins;

#[cfg(target_arch = "wasm32")]
mod exports;
