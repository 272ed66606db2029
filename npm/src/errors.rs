//! weft's JS error classes. They are defined in `js/errors.js` (so that `instanceof` works for
//! users who import them) and handed to the wasm module once at start-up by `index.js`.

use std::cell::RefCell;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;

thread_local! {
    static CLASSES: RefCell<Option<Object>> = const { RefCell::new(None) };
}

/// Called once by `index.js` with the module namespace of `errors.js`.
#[wasm_bindgen(js_name = __setErrorClasses)]
pub fn set_error_classes(classes: Object) {
    CLASSES.with(|c| *c.borrow_mut() = Some(classes));
}

/// `new <class>(message, { cause, ...extra })`, or a plain `Error` if `index.js` was bypassed.
pub fn make(
    class: &str,
    message: &str,
    cause: Option<&JsValue>,
    extra: &[(&str, JsValue)],
) -> JsValue {
    let options = Object::new();
    if let Some(cause) = cause {
        let _ = Reflect::set(&options, &"cause".into(), cause);
    }
    let constructor = CLASSES
        .with(|c| {
            c.borrow()
                .as_ref()
                .and_then(|o| Reflect::get(o, &class.into()).ok())
        })
        .and_then(|f| f.dyn_into::<Function>().ok());
    let error = match constructor {
        Some(constructor) => {
            Reflect::construct(&constructor, &Array::of2(&message.into(), &options))
                .unwrap_or_else(|e| e)
        }
        None => {
            let error = js_sys::Error::new(message);
            error.set_name(class);
            if let Some(cause) = cause {
                let _ = Reflect::set(&error, &"cause".into(), cause);
            }
            error.into()
        }
    };
    for (key, value) in extra {
        let _ = Reflect::set(&error, &(*key).into(), value);
    }
    error
}

pub fn timeout_error(ms: f64) -> JsValue {
    make(
        "TimeoutError",
        &format!("timed out after {} ms", crate::bridge::num(ms)),
        None,
        &[("timeout", ms.into())],
    )
}

/// `ClosedError`: a put, get, submit or acquire on a queue, pipeline or pool that is closed.
pub fn closed_error(what: &str) -> JsValue {
    make("ClosedError", &format!("{what} is closed"), None, &[])
}

/// `GroupError`: several tasks failed; `errors` lists every failure, `cause` is the first.
pub fn group_error(message: &str, errors: js_sys::Array, indexes: js_sys::Array) -> JsValue {
    let first = errors.get(0);
    make(
        "GroupError",
        message,
        Some(&first),
        &[("errors", errors.into()), ("indexes", indexes.into())],
    )
}

/// A weft setting that is out of range (limit 0, burst > max…), as a RangeError.
pub fn config_error(error: weft::ConfigError) -> JsValue {
    range_error(&error.to_string())
}

pub fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

pub fn range_error(message: &str) -> JsValue {
    js_sys::RangeError::new(message).into()
}
