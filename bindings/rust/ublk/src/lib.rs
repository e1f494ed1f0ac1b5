//! Safe Rust bindings for libublk: Linux block devices served from
//! userspace on the kernel's ublk driver.
//!
//! Implement [`Backend`] (synchronous, called on queue threads) or
//! [`AsyncBackend`] (requests as owned [`Io`] handles completed from any
//! thread), configure a [`DeviceBuilder`], `create`, [`Device::start`],
//! [`Device::wait`]. The binding only converts types, owns the backend and
//! translates errors; everything else is the C library (`include/ublk.h`).
//! A backend whose data is in memory (a [`Memory`] region) can let the
//! library copy straight into it: `Features::data_in_memory` and `data_at`.
//!
//! `examples/hello.rs` (in bindings/README.md too) is a complete RAM disk;
//! examples/rust/ in the repository is a fuller template.
mod backend;
mod builder;
mod callbacks;
mod device;
pub mod errno;
mod error;
mod memory;

pub use backend::{unsupported, AsyncBackend, Backend, Features, Io, Op};
pub use builder::{BatchIo, DataMode, DeviceBuilder, QueueAffinity, QueueSched};
pub use device::{Counter, Device};
pub use errno::errno_of;
pub use error::{Error, Result};
pub use memory::{DataPtr, Memory};

/// The run-time library's version as (major, minor, patch). Any thread.
pub fn version() -> (u32, u32, u32) {
    // SAFETY: no arguments, cannot fail.
    let v = unsafe { ublk_sys::ublk_version() };
    (v >> 16, (v >> 8) & 0xff, v & 0xff)
}

/// The kernel driver's feature mask (kernel uapi bit numbers; 0 before
/// 6.5). Any thread. Errors: `ENOENT` (no driver), `EACCES`/`EPERM`.
pub fn kernel_features() -> Result<u64> {
    let mut f = 0;
    // SAFETY: out-pointer to a local.
    error::check(unsafe { ublk_sys::ublk_get_features(&mut f) })?;
    Ok(f)
}

/// Name of kernel feature bit `bit` ("ZERO_COPY", ...), if the library
/// knows it. Any thread.
pub fn feature_name(bit: u32) -> Option<&'static str> {
    // SAFETY: NULL or a static string.
    let p = unsafe { ublk_sys::ublk_feature_name(bit) };
    if p.is_null() {
        None
    } else {
        unsafe { std::ffi::CStr::from_ptr(p) }.to_str().ok()
    }
}
