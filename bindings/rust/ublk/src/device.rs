//! `Device`: a created kernel device and its lifecycle.
use crate::callbacks::Shared;
use crate::errno::EIO;
use crate::error::{check, Error, Result};
use std::ffi::CStr;
use std::sync::Arc;
use ublk_sys as sys;

/// Data-path counters (`UBLK_COUNTER_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counter {
    Requests,
    BadRequests,
    DoubleCompletions,
    KernelErrors,
    /// Request bytes copied between the kernel's pages and a server buffer.
    BytesCopied,
}

/// A device made by [`crate::DeviceBuilder::create`]. `Send + Sync`:
/// `stop`, `wait` and the accessors may be called from any thread (e.g.
/// `stop` from a signal-handling thread while another is in `wait`);
/// `start` and `close` need the owner (`&mut`/by value). Dropping it closes
/// it (errors ignored; call [`close`](Self::close) to see them).
pub struct Device {
    raw: *mut sys::ublk_dev,
    shared: Arc<Shared>,
}

// SAFETY: ublk.h allows stop/wait/accessors from any thread, concurrently;
// start/close take &mut self / self.
unsafe impl Send for Device {}
unsafe impl Sync for Device {}

impl Device {
    pub(crate) fn from_raw(raw: *mut sys::ublk_dev, shared: Arc<Shared>) -> Device {
        Device { raw, shared }
    }

    /// Starts serving: one thread per queue; returns once the block device
    /// exists. Callbacks begin before it returns. Errors: `EINVAL` (already
    /// started), `ETIMEDOUT`, the kernel's START_DEV errors.
    pub fn start(&mut self) -> Result<()> {
        // SAFETY: self.raw is live until close (for every call below).
        check(unsafe { sys::ublk_dev_start(self.raw) }).map(|_| ())
    }

    /// Stops the device: the block device goes away and, when this returns,
    /// no callback runs any more. Idempotent. Any thread. Errors: `ETIMEDOUT`.
    pub fn stop(&self) -> Result<()> {
        check(unsafe { sys::ublk_dev_stop(self.raw) }).map(|_| ())
    }

    /// Blocks until the device stops serving (after `stop`, or `ublk del`
    /// from elsewhere). Any thread. Returns an `EIO` error if a backend
    /// callback panicked meanwhile (see [`panicked`](Self::panicked)).
    pub fn wait(&self) -> Result<()> {
        check(unsafe { sys::ublk_dev_wait(self.raw) })?;
        match self.shared.panic_message() {
            Some(m) => Err(Error::new(EIO, m)),
            None => Ok(()),
        }
    }

    /// Stops if needed, deletes the kernel device, drops the backend.
    /// Errors: `ETIMEDOUT`, `EBUSY` (an async backend still holds requests).
    pub fn close(mut self) -> Result<()> {
        let raw = std::mem::replace(&mut self.raw, std::ptr::null_mut());
        check(unsafe { sys::ublk_dev_close(raw) }).map(|_| ())
    }

    /// True once a backend callback panicked (the request got `EIO`; the
    /// message went to stderr and is in [`panic_message`](Self::panic_message)).
    pub fn panicked(&self) -> bool {
        self.shared.panicked()
    }

    /// The first panic's message, if any.
    pub fn panic_message(&self) -> Option<String> {
        self.shared.panic_message()
    }

    /// The device id N of /dev/ublkbN.
    pub fn id(&self) -> u32 {
        unsafe { sys::ublk_dev_id(self.raw) }
    }
    /// "/dev/ublkbN".
    pub fn path(&self) -> &str {
        // SAFETY: owned by the device, valid until close.
        let p = unsafe { CStr::from_ptr(sys::ublk_dev_path(self.raw)) };
        p.to_str().unwrap_or("")
    }
    /// Queues the kernel granted.
    pub fn nr_queues(&self) -> u32 {
        unsafe { sys::ublk_dev_nr_queues(self.raw) }
    }
    /// Requests in flight per queue.
    pub fn depth(&self) -> u32 {
        unsafe { sys::ublk_dev_depth(self.raw) }
    }
    /// The data mode in use (never `Auto`).
    pub fn data_mode(&self) -> crate::DataMode {
        crate::DataMode::from_raw(unsafe { sys::ublk_dev_data_mode(self.raw) })
    }
    /// The queues use batch I/O commands.
    pub fn batch_io(&self) -> bool {
        unsafe { sys::ublk_dev_batch_io(self.raw) != 0 }
    }
    /// The kernel flags negotiated at ADD_DEV (kernel uapi bit numbers).
    pub fn kernel_flags(&self) -> u64 {
        unsafe { sys::ublk_dev_kernel_flags(self.raw) }
    }
    /// A data-path counter, summed over queues. Any thread.
    pub fn counter(&self, which: Counter) -> Result<u64> {
        let w = match which {
            Counter::Requests => sys::UBLK_COUNTER_REQUESTS,
            Counter::BadRequests => sys::UBLK_COUNTER_BAD_REQUESTS,
            Counter::DoubleCompletions => sys::UBLK_COUNTER_DOUBLE_COMPLETIONS,
            Counter::KernelErrors => sys::UBLK_COUNTER_KERNEL_ERRORS,
            Counter::BytesCopied => sys::UBLK_COUNTER_BYTES_COPIED,
        };
        let mut v = 0;
        check(unsafe { sys::ublk_dev_counter(self.raw, w, &mut v) })?;
        Ok(v)
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        if !self.raw.is_null() {
            // SAFETY: we own the device; NULL after close().
            unsafe { sys::ublk_dev_close(self.raw) };
        }
    }
}
