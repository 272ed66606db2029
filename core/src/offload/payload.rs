//! How arguments and results cross to a worker: serde values as postcard, byte buffers as is.

use core::fmt;
use core::ops::{Deref, DerefMut};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::WorkerError;

/// The first byte of every serde payload: lets a later weft read (or refuse) older payloads,
/// which matters once payloads are stored in a queue between processes (weft-redis).
pub const FORMAT_VERSION: u8 = 1;

/// A value that can be an argument or a result of a registered function.
///
/// Every serde type (`Serialize + DeserializeOwned`) is one: it travels as a postcard encoding
/// after a one-byte format version. [`Bytes`] is the exception: its buffer travels as is, with
/// no encoding and, in the browser, no copy but the ones into and out of wasm memory.
///
/// Natively the pool never encodes: it calls the function directly on a CPU thread. Payloads
/// are used in the browser (a worker is another wasm instance) and by anything that calls a
/// function by name from bytes ([`Registry`](super::Registry), weft-redis).
///
/// Decoding never panics: bad bytes give [`WorkerError::Payload`].
///
/// # Examples
///
/// ```
/// use weft::{Bytes, Payload};
///
/// let bytes = (7_u32, "seven".to_string()).into_payload().unwrap();
/// assert_eq!(bytes[0], weft::offload::FORMAT_VERSION);
/// assert_eq!(<(u32, String)>::from_payload(bytes).unwrap(), (7, "seven".into()));
///
/// // Byte buffers are not encoded at all.
/// assert_eq!(Bytes::from(vec![1, 2, 3]).into_payload().unwrap(), [1, 2, 3]);
///
/// // Garbage is an error, not a panic.
/// assert!(u64::from_payload(vec![]).is_err());
/// assert!(u64::from_payload(vec![99, 1]).is_err());
/// ```
pub trait Payload: Sized + 'static {
    /// Encodes the value (moving it: a [`Bytes`] hands over its buffer without copying).
    fn into_payload(self) -> Result<Vec<u8>, WorkerError>;

    /// Decodes a value from what [`Payload::into_payload`] made.
    fn from_payload(bytes: Vec<u8>) -> Result<Self, WorkerError>;
}

impl<T: Serialize + DeserializeOwned + 'static> Payload for T {
    fn into_payload(self) -> Result<Vec<u8>, WorkerError> {
        let mut out = vec![FORMAT_VERSION];
        postcard::to_io(&self, &mut out)
            .map_err(|e| WorkerError::Payload(format!("cannot encode: {e}")))?;
        Ok(out)
    }

    fn from_payload(bytes: Vec<u8>) -> Result<Self, WorkerError> {
        match bytes.split_first() {
            None => Err(WorkerError::Payload("empty payload".into())),
            Some((&FORMAT_VERSION, body)) => match postcard::take_from_bytes(body) {
                Ok((value, [])) => Ok(value),
                Ok((_, rest)) => Err(WorkerError::Payload(format!(
                    "{} bytes left over after the value",
                    rest.len()
                ))),
                Err(e) => Err(WorkerError::Payload(format!("cannot decode: {e}"))),
            },
            Some((version, _)) => Err(WorkerError::Payload(format!(
                "unknown payload format version {version} (this weft reads {FORMAT_VERSION})"
            ))),
        }
    }
}

/// A byte buffer that crosses to a worker as is: no encoding, and in the browser its
/// `ArrayBuffer` is transferred, never copied by structured clone.
///
/// Use it as the whole argument or the whole result of a registered function (inside a tuple or
/// a struct it would need serde, which it deliberately does not implement).
///
/// # Examples
///
/// ```
/// use weft::Bytes;
///
/// weft::func! {
///     /// Reverses a buffer.
///     fn reversed(data: Bytes) -> Bytes {
///         let mut data = data.into_vec();
///         data.reverse();
///         Bytes::from(data)
///     }
/// }
///
/// weft::block_on(async {
///     let pool = weft::WorkerPool::builder().size(1).build().unwrap();
///     let out = pool.run(reversed, Bytes::from(vec![1, 2, 3])).await.unwrap();
///     assert_eq!(&out[..], [3, 2, 1]);
/// });
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Bytes(pub Vec<u8>);

impl Bytes {
    /// Gives back the buffer.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(weft::Bytes::from(vec![9]).into_vec(), vec![9]);
    /// ```
    pub fn into_vec(self) -> Vec<u8> {
        self.0
    }
}

impl Payload for Bytes {
    fn into_payload(self) -> Result<Vec<u8>, WorkerError> {
        Ok(self.0)
    }

    fn from_payload(bytes: Vec<u8>) -> Result<Self, WorkerError> {
        Ok(Bytes(bytes))
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(bytes: Vec<u8>) -> Self {
        Bytes(bytes)
    }
}

impl From<&[u8]> for Bytes {
    fn from(bytes: &[u8]) -> Self {
        Bytes(bytes.to_vec())
    }
}

impl From<Bytes> for Vec<u8> {
    fn from(bytes: Bytes) -> Self {
        bytes.0
    }
}

impl Deref for Bytes {
    type Target = Vec<u8>;

    fn deref(&self) -> &Vec<u8> {
        &self.0
    }
}

impl DerefMut for Bytes {
    fn deref_mut(&mut self) -> &mut Vec<u8> {
        &mut self.0
    }
}

impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bytes({} bytes)", self.0.len())
    }
}
