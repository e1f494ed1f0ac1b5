//! Safe Rust bindings for libublk: Linux block devices served from
//! userspace on the kernel's ublk driver.
//!
//! Implement [`Backend`] (synchronous, called on queue threads) or
//! [`AsyncBackend`] (requests as owned [`Io`] handles completed from any
//! thread), configure a [`DeviceBuilder`], `create`, [`Device::start`],
//! [`Device::wait`]. The binding only converts types, owns the backend and
//! translates errors; everything else is the C library (`include/ublk.h`).
//!
//! ```no_run
//! use std::io;
//! use std::sync::Mutex;
//!
//! struct Ram(Mutex<Vec<u8>>);
//! impl ublk::Backend for Ram {
//!     fn read(&self, buf: &mut [u8], off: u64) -> io::Result<usize> {
//!         let d = self.0.lock().unwrap();
//!         buf.copy_from_slice(&d[off as usize..off as usize + buf.len()]);
//!         Ok(buf.len())
//!     }
//!     fn write(&self, buf: &[u8], off: u64, _fua: bool) -> io::Result<usize> {
//!         let mut d = self.0.lock().unwrap();
//!         d[off as usize..off as usize + buf.len()].copy_from_slice(buf);
//!         Ok(buf.len())
//!     }
//! }
//!
//! fn main() -> Result<(), ublk::Error> {
//!     let size = 64 << 20;
//!     let mut dev = ublk::DeviceBuilder::new()?
//!         .size(size)?
//!         .queues(2)?
//!         .create(Ram(Mutex::new(vec![0; size as usize])))?;
//!     dev.start()?;
//!     println!("{}", dev.path());
//!     dev.wait() // until `ublk del` (or dev.stop() from another thread)
//! }
//! ```
mod backend;
mod builder;
mod callbacks;
mod device;
mod error;
pub mod errno;

pub use backend::{unsupported, AsyncBackend, Backend, Features, Io, Op};
pub use builder::{DataMode, DeviceBuilder};
pub use device::{Counter, Device};
pub use errno::errno_of;
pub use error::{Error, Result};

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
