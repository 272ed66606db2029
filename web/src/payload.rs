//! How a payload crosses between the page and a worker: a tiny one as a number, a small one as a
//! string, a large one as a `Uint8Array` whose buffer moves.
//!
//! Posting a typed array costs the browser far more than its bytes: it makes (and, moved, detaches)
//! an `ArrayBuffer` on each side, about 20–40 µs per message on these machines, more than the
//! rest of a tiny job's trip. A short string is cloned almost like a number, and a number crosses
//! between JavaScript and wasm with no allocation at all. So a payload of up to
//! [`NUMBER_LIMIT`] bytes (a format byte and a small value) travels as one number, one of up to
//! [`STRING_LIMIT`] bytes as a string of one character per byte (codes 0–255, which V8 stores
//! one byte each), and a larger one as a `Uint8Array` that is transferred, never copied.

use js_sys::Uint8Array;
use wasm_bindgen::{JsCast, JsValue};
use weft_core::offload::WorkerError;

/// The largest payload that travels as a number: its bytes, little-endian, times 8, plus its
/// length (below 2^51, so a double holds it exactly).
pub(crate) const NUMBER_LIMIT: usize = 6;

/// The largest payload that travels as a string.
pub(crate) const STRING_LIMIT: usize = 1024;

/// A payload as it is posted.
#[derive(Clone, Debug)]
pub(crate) enum Wire {
    /// Up to [`NUMBER_LIMIT`] bytes.
    Number(f64),
    /// A string, a `Uint8Array`, or an array of payloads (a chunk of a map).
    Js(JsValue),
}

impl Wire {
    /// The posted form of `bytes`.
    pub(crate) fn of(bytes: Vec<u8>) -> Wire {
        match to_number(&bytes) {
            Some(number) => Wire::Number(number),
            None => Wire::Js(to_js(bytes)),
        }
    }
}

/// `bytes` as a number, if there are few enough.
pub(crate) fn to_number(bytes: &[u8]) -> Option<f64> {
    if bytes.len() > NUMBER_LIMIT {
        return None;
    }
    let mut value = 0_u64;
    for &byte in bytes.iter().rev() {
        value = value << 8 | u64::from(byte);
    }
    Some((value << 3 | bytes.len() as u64) as f64)
}

/// The bytes a number made by [`to_number`] stands for.
pub(crate) fn from_number(number: f64) -> Result<Vec<u8>, WorkerError> {
    let bad = || WorkerError::Payload(format!("{number} is not a payload"));
    if !(0.0..=(1_u64 << 51) as f64).contains(&number) || number.fract() != 0.0 {
        return Err(bad());
    }
    let value = number as u64;
    let len = (value & 7) as usize;
    let bytes = (value >> 3).to_le_bytes();
    if len > NUMBER_LIMIT || bytes[len..].iter().any(|&b| b != 0) {
        return Err(bad());
    }
    Ok(bytes[..len].to_vec())
}

/// The JavaScript form of `bytes`: a number, a string or a `Uint8Array`.
pub(crate) fn to_js(bytes: Vec<u8>) -> JsValue {
    if let Some(number) = to_number(&bytes) {
        return JsValue::from_f64(number);
    }
    if bytes.len() > STRING_LIMIT {
        return Uint8Array::from(&bytes[..]).into();
    }
    if bytes.is_ascii() {
        // ASCII is its own UTF-8: the text needs no conversion.
        return match String::from_utf8(bytes) {
            Ok(text) => JsValue::from_str(&text),
            Err(e) => Uint8Array::from(e.as_bytes()).into(),
        };
    }
    JsValue::from_str(&bytes.iter().map(|&b| char::from(b)).collect::<String>())
}

/// The bytes of a payload in its JavaScript form (what [`to_js`] made, on either side).
pub(crate) fn from_js(value: &JsValue) -> Result<Vec<u8>, WorkerError> {
    if let Some(number) = value.as_f64() {
        return from_number(number);
    }
    if let Some(text) = value.as_string() {
        if text.is_ascii() {
            return Ok(text.into_bytes());
        }
        return text
            .chars()
            .map(u8::try_from)
            .collect::<Result<_, _>>()
            .map_err(|_| {
                WorkerError::Payload("a payload string with a character above 255".into())
            });
    }
    match value.dyn_ref::<Uint8Array>() {
        Some(bytes) => Ok(bytes.to_vec()),
        None => Err(WorkerError::Payload(
            "a payload that is neither a string nor a Uint8Array".into(),
        )),
    }
}

/// Whether a payload in its JavaScript form holds a buffer that moves when posted (so the job
/// can be posted only once).
pub(crate) fn moves(value: &JsValue) -> bool {
    value.is_instance_of::<Uint8Array>()
}
