//! Linux errno values a backend commonly returns, and the conversion of
//! `io::Error` into an errno.
use std::io;

pub const EPERM: i32 = 1;
pub const ENOENT: i32 = 2;
pub const EIO: i32 = 5;
pub const ENOMEM: i32 = 12;
pub const EACCES: i32 = 13;
pub const EBUSY: i32 = 16;
pub const EEXIST: i32 = 17;
pub const EINVAL: i32 = 22;
pub const ENOSPC: i32 = 28;
pub const EROFS: i32 = 30;
pub const ETIMEDOUT: i32 = 110;
pub const EOPNOTSUPP: i32 = 95;

/// The positive errno a backend error reaches the reader as: the raw OS
/// error if it has one, else one derived from its kind, else `EIO`.
pub fn errno_of(e: &io::Error) -> i32 {
    if let Some(n) = e.raw_os_error() {
        if n > 0 && n < 4096 {
            return n;
        }
    }
    match e.kind() {
        io::ErrorKind::NotFound => ENOENT,
        io::ErrorKind::PermissionDenied => EACCES,
        io::ErrorKind::InvalidInput => EINVAL,
        io::ErrorKind::OutOfMemory => ENOMEM,
        io::ErrorKind::TimedOut => ETIMEDOUT,
        io::ErrorKind::Unsupported => EOPNOTSUPP,
        io::ErrorKind::AlreadyExists => EEXIST,
        _ => EIO,
    }
}
