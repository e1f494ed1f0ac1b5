//! What serves a device: the [`Backend`] trait (synchronous) or the
//! [`AsyncBackend`] trait with an owned, `Send` request handle [`Io`].
use crate::memory::DataPtr;
use std::io;
use std::ptr::NonNull;
use std::slice;
use ublk_sys as sys;

/// Operations a backend handles beyond read and write. What is set here is
/// what the device advertises (see `struct ublk_backend_ops` in ublk.h):
/// `flush` gives the device a volatile write cache, `fua` makes the kernel
/// send FUA writes, `discard`/`write_zeroes` give it discard limits.
/// Operations not set are never passed to the backend.
///
/// `data_in_memory`: the backend's data is in its own memory and its
/// `data_at` says where (`data_at` in ublk.h); `DataMode::Auto` then picks
/// user copy where the kernel has it. Without it `data_at` is never asked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Features {
    pub flush: bool,
    pub fua: bool,
    pub discard: bool,
    pub write_zeroes: bool,
    pub data_in_memory: bool,
}

impl Features {
    pub(crate) fn flags(self) -> u64 {
        let mut f = 0;
        if self.flush {
            f |= sys::UBLK_BACKEND_F_FLUSH;
        }
        if self.fua {
            f |= sys::UBLK_BACKEND_F_FUA;
        }
        if self.discard {
            f |= sys::UBLK_BACKEND_F_DISCARD;
        }
        if self.write_zeroes {
            f |= sys::UBLK_BACKEND_F_WRITE_ZEROES;
        }
        f
    }
}

/// The error of the default method bodies: `EOPNOTSUPP`.
pub fn unsupported() -> io::Error {
    io::Error::from_raw_os_error(crate::errno::EOPNOTSUPP)
}

/// A synchronous backend. Every method is called on the queue thread of
/// the request's queue (one thread per queue, so calls for different queues
/// run concurrently: hence `Sync`). A method may block; that stalls only its
/// queue. Errors reach the reader as their errno (see [`crate::errno_of`]);
/// a panic fails the request with `EIO` and is reported by the device
/// ([`crate::Device::panicked`]), it never unwinds into C.
///
/// The backend is owned by the device and dropped exactly once, on the
/// thread that closes the device (or by a failing `create`).
pub trait Backend: Send + Sync + 'static {
    /// Operations to advertise besides read and write. Called once, in
    /// `create`. Default: none.
    fn features(&self) -> Features {
        Features::default()
    }
    /// Fills `buf` with the bytes at `offset`; returns how many (normally
    /// `buf.len()`).
    fn read(&self, _buf: &mut [u8], _offset: u64) -> io::Result<usize> {
        Err(unsupported())
    }
    /// Stores `buf` at `offset`; returns how many bytes were written. `fua`:
    /// durable before returning (only if `features().fua`).
    fn write(&self, _buf: &[u8], _offset: u64, _fua: bool) -> io::Result<usize> {
        Err(unsupported())
    }
    /// Makes completed writes durable (only if `features().flush`).
    fn flush(&self) -> io::Result<()> {
        Err(unsupported())
    }
    /// Discards `len` bytes at `offset` (only if `features().discard`).
    fn discard(&self, _offset: u64, _len: u32) -> io::Result<()> {
        Err(unsupported())
    }
    /// Zeroes `len` bytes at `offset`; `no_unmap`: keep the space allocated
    /// (only if `features().write_zeroes`).
    fn write_zeroes(&self, _offset: u64, _len: u32, _no_unmap: bool) -> io::Result<()> {
        Err(unsupported())
    }
    /// Where the device's `len` bytes at `offset` are in the backend's own
    /// memory, for a READ or WRITE (`op`; `fua` for a FUA write), or `None`
    /// to take the request through [`read`](Self::read)/[`write`](Self::write).
    /// Only if `features().data_in_memory`, and only in the data modes where
    /// the library copies (user copy; zero copy): it then copies straight
    /// between the request and that memory, and neither `read` nor `write`
    /// is called. A copy the kernel cannot make comes back through them.
    /// Called on the request's queue thread in the hot path: must not
    /// block, keep it to a lookup. A panic counts as `None` (and is
    /// reported like the others). [`Memory::data_at`](crate::Memory::data_at)
    /// gives the answer for a [`Memory`](crate::Memory) region.
    fn data_at(&self, _op: Op, _offset: u64, _len: u32, _fua: bool) -> Option<DataPtr<'_>> {
        None
    }
}

/// An asynchronous backend: `submit` takes each request and must not block;
/// the request is finished later with [`Io::complete`], from any thread.
pub trait AsyncBackend: Send + Sync + 'static {
    /// Operations to advertise besides read and write. Called once, in
    /// `create_async`. Default: none.
    fn features(&self) -> Features {
        Features::default()
    }
    /// Called on the request's queue thread for every request; must not
    /// block. Keep `io` (send it to another thread, a runtime, ...) and
    /// complete it later. A panic here is reported by the device and, if
    /// `io` was dropped by the unwinding, fails the request with `EIO`.
    fn submit(&self, io: Io);
    /// As [`Backend::data_at`]; a `None` answer takes the request through
    /// `submit`.
    fn data_at(&self, _op: Op, _offset: u64, _len: u32, _fua: bool) -> Option<DataPtr<'_>> {
        None
    }
}

/// The operation of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Read,
    Write,
    Flush,
    Discard,
    WriteZeroes,
    /// A value this binding does not know (never sent for a device it
    /// created, see [`Features`]).
    Other(u32),
}

impl Op {
    pub(crate) fn from_raw(op: u32) -> Op {
        match op {
            sys::UBLK_OP_READ => Op::Read,
            sys::UBLK_OP_WRITE => Op::Write,
            sys::UBLK_OP_FLUSH => Op::Flush,
            sys::UBLK_OP_DISCARD => Op::Discard,
            sys::UBLK_OP_WRITE_ZEROES => Op::WriteZeroes,
            other => Op::Other(other),
        }
    }
}

/// One request handed to an [`AsyncBackend`]. Owning it means owning the
/// request: it can be moved to any thread and is finished exactly once, by
/// [`Io::complete`] or, if dropped without that, with `EIO`.
pub struct Io {
    raw: NonNull<sys::ublk_io>,
}

// SAFETY: ublk.h: the accessors and ublk_io_complete may be called from any
// thread while the backend owns the request; `Io` is that ownership.
unsafe impl Send for Io {}

impl Io {
    /// # Safety
    /// `raw` must be a request handed over by the library and not yet
    /// completed; the returned `Io` becomes its only owner.
    pub(crate) unsafe fn from_raw(raw: *mut sys::ublk_io) -> Io {
        Io {
            raw: NonNull::new(raw).expect("libublk passed a NULL request"),
        }
    }

    /// The operation.
    pub fn op(&self) -> Op {
        // SAFETY: we own the request (see from_raw).
        Op::from_raw(unsafe { sys::ublk_io_op(self.raw.as_ptr()) })
    }
    /// Write with FUA: durable on completion.
    pub fn fua(&self) -> bool {
        // SAFETY: as above.
        unsafe { sys::ublk_io_flags(self.raw.as_ptr()) & sys::UBLK_OP_FLAG_FUA != 0 }
    }
    /// Write-zeroes that must keep the space allocated.
    pub fn no_unmap(&self) -> bool {
        // SAFETY: as above.
        unsafe { sys::ublk_io_flags(self.raw.as_ptr()) & sys::UBLK_OP_FLAG_NOUNMAP != 0 }
    }
    /// Byte offset on the device (0 for flush).
    pub fn offset(&self) -> u64 {
        // SAFETY: as above.
        unsafe { sys::ublk_io_offset(self.raw.as_ptr()) }
    }
    /// Length in bytes (0 for flush).
    pub fn len(&self) -> u32 {
        // SAFETY: as above.
        unsafe { sys::ublk_io_length(self.raw.as_ptr()) }
    }
    /// True for a zero-length request (flush).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The queue the request came from.
    pub fn queue(&self) -> u32 {
        // SAFETY: as above.
        unsafe { sys::ublk_io_queue(self.raw.as_ptr()) }
    }
    /// The request's tag (slot) within its queue.
    pub fn tag(&self) -> u32 {
        // SAFETY: as above.
        unsafe { sys::ublk_io_tag(self.raw.as_ptr()) }
    }
    /// The data of a write (empty for operations without data).
    pub fn buf(&self) -> &[u8] {
        self.data()
    }
    /// Where a read puts its data (empty for operations without data).
    pub fn buf_mut(&mut self) -> &mut [u8] {
        let d = self.data();
        // SAFETY: the buffer belongs to this request, which we own
        // exclusively (&mut self); see data().
        unsafe { slice::from_raw_parts_mut(d.as_ptr() as *mut u8, d.len()) }
    }
    fn data(&self) -> &[u8] {
        // SAFETY: ublk_io_buf is ublk_io_length() bytes (or NULL) and stays
        // valid until the request is completed, which needs `self` by value.
        unsafe {
            let p = sys::ublk_io_buf(self.raw.as_ptr()) as *const u8;
            if p.is_null() {
                &[]
            } else {
                slice::from_raw_parts(p, self.len() as usize)
            }
        }
    }

    /// Finishes the request: `Ok(n)` bytes done for read/write (`Ok(0)` for
    /// the others), or an error whose errno the reader sees. Any thread.
    pub fn complete(self, result: io::Result<usize>) {
        let r = crate::callbacks::to_result(result);
        let raw = self.raw.as_ptr();
        std::mem::forget(self);
        // SAFETY: we owned the request; it is completed exactly once.
        unsafe { sys::ublk_io_complete(raw, r) };
    }
}

impl Drop for Io {
    fn drop(&mut self) {
        // SAFETY: not completed yet (complete() forgets self).
        unsafe { sys::ublk_io_complete(self.raw.as_ptr(), -crate::errno::EIO) };
    }
}
