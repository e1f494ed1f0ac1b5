//! `Error`: an errno plus the library's message.
use std::ffi::CStr;
use std::fmt;
use std::io;

/// A failed libublk call: the errno it returned and the message
/// `ublk_last_error()` gave right after it, on the same thread
/// (e.g. "ublk_config_set_depth: depth 5000 is outside [1, 4096]").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    errno: i32,
    msg: String,
}

/// `Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An error with a positive errno and a message (used for errors the
    /// binding itself reports, such as a panicked backend).
    pub fn new(errno: i32, msg: impl Into<String>) -> Error {
        Error {
            errno,
            msg: msg.into(),
        }
    }

    /// The positive errno (`EINVAL`, `ENOENT`, ...).
    pub fn errno(&self) -> i32 {
        self.errno
    }

    /// The library's message; names the failing C function.
    pub fn message(&self) -> &str {
        &self.msg
    }

    /// `io::ErrorKind` of the errno (as `std` maps raw OS errors).
    pub fn kind(&self) -> io::ErrorKind {
        io::Error::from_raw_os_error(self.errno).kind()
    }
}

/// Turns a C return value into a `Result`, copying `ublk_last_error()`
/// at once. Must be called on the thread that made the call, before any
/// other libublk call.
pub(crate) fn check(rc: i32) -> Result<i32> {
    if rc >= 0 {
        return Ok(rc);
    }
    // SAFETY: never NULL; valid until the next libublk call on this thread,
    // and copied before that.
    let msg = unsafe { CStr::from_ptr(ublk_sys::ublk_last_error()) };
    Err(Error {
        errno: -rc,
        msg: msg.to_string_lossy().into_owned(),
    })
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let os = io::Error::from_raw_os_error(self.errno);
        if self.msg.is_empty() {
            write!(f, "{}", os)
        } else {
            write!(f, "{} ({})", self.msg, os)
        }
    }
}

impl std::error::Error for Error {}

/// Keeps both: `kind()` is the errno's kind, `get_ref()` downcasts back to
/// [`Error`] for the exact errno and message.
impl From<Error> for io::Error {
    fn from(e: Error) -> io::Error {
        io::Error::new(e.kind(), e)
    }
}
