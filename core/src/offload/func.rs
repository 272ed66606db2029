//! Registered functions: a typed handle ([`Func`]) made by `weft::func!`, and a [`Registry`]
//! that finds them by name.

use core::fmt;
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::{Payload, WorkerError};

/// A registered function called from bytes: decodes the argument, calls, encodes the result.
///
/// Decoding or encoding failures are [`WorkerError::Payload`]; a panic is not caught here
/// ([`Registry::call`] catches it natively).
pub type ErasedFn = fn(Vec<u8>) -> Result<Vec<u8>, WorkerError>;

/// The handle of a function registered with `weft::func!`: what `pool.run(f, arg)` takes.
///
/// It holds the function's stable name (the identifier given to `func!`), a direct pointer
/// (natively the pool calls it on a CPU thread, with no serialization) and an erased form that
/// works from bytes ([`Func::call_payload`]): in the browser a worker reaches the same function
/// through the wasm export `__weft_fn_<name>`, and weft-redis runs it by name on other machines.
///
/// Several arguments are one tuple: `fn add(a: u64, b: u64)` is a `Func<(u64, u64), u64>`,
/// called as `pool.run(add, (1, 2))`. A `Func` is `Copy`.
///
/// # Examples
///
/// ```
/// weft::func! {
///     /// Adds two numbers.
///     pub fn add(a: u64, b: u64) -> u64 {
///         a + b
///     }
/// }
///
/// assert_eq!(add.name(), "add");
/// assert_eq!(add.call((2, 3)), 5); // right here, on this thread
///
/// use weft::Payload;
/// let out = add.call_payload((2_u64, 3_u64).into_payload().unwrap()).unwrap();
/// assert_eq!(u64::from_payload(out), Ok(5));
/// ```
pub struct Func<A, R> {
    name: &'static str,
    direct: fn(A) -> R,
    erased: ErasedFn,
}

impl<A, R> Func<A, R> {
    /// Used by `weft::func!`; not a stable API.
    #[doc(hidden)]
    pub const fn __new(name: &'static str, direct: fn(A) -> R, erased: ErasedFn) -> Self {
        Func {
            name,
            direct,
            erased,
        }
    }

    /// The function's stable name: the identifier given to `weft::func!`.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::func! { fn double(x: i32) -> i32 { x * 2 } }
    /// assert_eq!(double.name(), "double");
    /// ```
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Calls the function right here, on the current thread.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::func! { fn double(x: i32) -> i32 { x * 2 } }
    /// assert_eq!(double.call(21), 42);
    /// ```
    pub fn call(&self, arg: A) -> R {
        (self.direct)(arg)
    }

    /// The direct function pointer (what the native pool calls).
    ///
    /// # Examples
    ///
    /// ```
    /// weft::func! { fn double(x: i32) -> i32 { x * 2 } }
    /// let f: fn(i32) -> i32 = double.direct();
    /// assert_eq!(f(4), 8);
    /// ```
    pub fn direct(&self) -> fn(A) -> R {
        self.direct
    }

    /// The erased form, from bytes to bytes (what a [`Registry`] stores).
    ///
    /// # Examples
    ///
    /// ```
    /// use weft::Payload;
    ///
    /// weft::func! { fn double(x: i32) -> i32 { x * 2 } }
    /// let erased: weft::offload::ErasedFn = double.erased();
    /// assert_eq!(i32::from_payload(erased(4_i32.into_payload().unwrap()).unwrap()), Ok(8));
    /// ```
    pub fn erased(&self) -> ErasedFn {
        self.erased
    }

    /// Decodes `input` as the argument, calls the function, encodes its result.
    ///
    /// Bad input is [`WorkerError::Payload`], never a panic; a panic of the function itself
    /// propagates (use [`Registry::call`] to catch it).
    ///
    /// # Examples
    ///
    /// ```
    /// use weft::Payload;
    ///
    /// weft::func! { fn double(x: i32) -> i32 { x * 2 } }
    /// let out = double.call_payload(21_i32.into_payload().unwrap()).unwrap();
    /// assert_eq!(i32::from_payload(out), Ok(42));
    /// assert!(matches!(double.call_payload(vec![1]), Err(weft::WorkerError::Payload(_))));
    /// ```
    pub fn call_payload(&self, input: Vec<u8>) -> Result<Vec<u8>, WorkerError> {
        (self.erased)(input)
    }
}

impl<A, R> Clone for Func<A, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<A, R> Copy for Func<A, R> {}

impl<A, R> fmt::Debug for Func<A, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Func").field("name", &self.name).finish()
    }
}

/// The body of every erased function `weft::func!` generates: payload in, payload out.
///
/// # Examples
///
/// ```
/// use weft::Payload;
///
/// fn square(x: u32) -> u32 { x * x }
/// let out = weft::offload::call_encoded(square, 7_u32.into_payload().unwrap()).unwrap();
/// assert_eq!(u32::from_payload(out), Ok(49));
/// ```
pub fn call_encoded<A: Payload, R: Payload>(
    direct: fn(A) -> R,
    input: Vec<u8>,
) -> Result<Vec<u8>, WorkerError> {
    let arg = A::from_payload(input)?;
    direct(arg).into_payload()
}

/// Registered functions by name, for code that receives a name and bytes: a worker process
/// reading jobs from a queue (weft-redis), an RPC endpoint, a test.
///
/// Built from `weft::func!` handles; a later registration of the same name replaces the earlier
/// one, as a map insert does. Empty by default.
///
/// # Examples
///
/// ```
/// use weft::{Payload, Registry, WorkerError};
///
/// weft::func! { fn double(x: i32) -> i32 { x * 2 } }
/// weft::func! { fn shout(s: String) -> String { s.to_uppercase() } }
///
/// let registry = Registry::new().register(double).register(shout);
/// assert_eq!(registry.names().collect::<Vec<_>>(), ["double", "shout"]);
///
/// let out = registry.call("shout", "hi".to_string().into_payload().unwrap()).unwrap();
/// assert_eq!(String::from_payload(out).unwrap(), "HI");
/// assert_eq!(registry.call("nope", vec![]), Err(WorkerError::UnknownFunction("nope".into())));
/// ```
#[derive(Clone, Default)]
pub struct Registry {
    functions: BTreeMap<&'static str, ErasedFn>,
}

impl Registry {
    /// An empty registry.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft::Registry::new().names().count(), 0);
    /// ```
    pub fn new() -> Self {
        Registry::default()
    }

    /// Adds `func` under its name (replacing a function registered under the same name).
    ///
    /// # Examples
    ///
    /// ```
    /// weft::func! { fn one(_x: ()) -> u8 { 1 } }
    /// assert!(weft::Registry::new().register(one).contains("one"));
    /// ```
    pub fn register<A, R>(mut self, func: Func<A, R>) -> Self {
        self.functions.insert(func.name, func.erased);
        self
    }

    /// Whether a function of this name is registered.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!weft::Registry::new().contains("anything"));
    /// ```
    pub fn contains(&self, name: &str) -> bool {
        self.functions.contains_key(name)
    }

    /// The erased function registered under `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::func! { fn one(_x: ()) -> u8 { 1 } }
    /// let registry = weft::Registry::new().register(one);
    /// assert!(registry.get("one").is_some());
    /// assert!(registry.get("two").is_none());
    /// ```
    pub fn get(&self, name: &str) -> Option<ErasedFn> {
        self.functions.get(name).copied()
    }

    /// The registered names, in sorted order.
    ///
    /// # Examples
    ///
    /// ```
    /// weft::func! { fn b() {} } // no argument: a `Func<(), ()>`
    /// weft::func! { fn a(_x: ()) {} }
    /// let registry = weft::Registry::new().register(b).register(a);
    /// assert_eq!(registry.names().collect::<Vec<_>>(), ["a", "b"]);
    /// b.call(());
    /// ```
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.functions.keys().copied()
    }

    /// Calls the function registered under `name` with an encoded argument; gives the encoded
    /// result.
    ///
    /// Errors: [`WorkerError::UnknownFunction`] for a name nobody registered,
    /// [`WorkerError::Payload`] for bytes that do not decode, and natively
    /// [`WorkerError::Panicked`] if the function panicked (the panic is caught).
    ///
    /// # Examples
    ///
    /// ```
    /// use weft::{Payload, Registry, WorkerError};
    ///
    /// weft::func! { fn fail(msg: String) -> u8 { panic!("{msg}") } }
    /// let registry = Registry::new().register(fail);
    /// let input = "no luck".to_string().into_payload().unwrap();
    /// assert_eq!(registry.call("fail", input), Err(WorkerError::Panicked("no luck".into())));
    /// ```
    pub fn call(&self, name: &str, input: Vec<u8>) -> Result<Vec<u8>, WorkerError> {
        let func = self
            .get(name)
            .ok_or_else(|| WorkerError::UnknownFunction(name.to_string()))?;
        catch_unwind(AssertUnwindSafe(|| func(input)))
            .unwrap_or_else(|payload| Err(WorkerError::Panicked(panic_message(&*payload))))
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.functions.keys()).finish()
    }
}

/// The message of a caught panic: its `&str` or `String` payload.
///
/// # Examples
///
/// ```
/// let caught = std::panic::catch_unwind(|| panic!("at {}", 3)).unwrap_err();
/// assert_eq!(weft::offload::panic_message(&*caught), "at 3");
/// ```
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&'static str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a non-string panic payload".to_owned()
    }
}
