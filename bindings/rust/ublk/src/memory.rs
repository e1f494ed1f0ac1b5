//! Data that lives in the backend's own memory: [`DataPtr`], the answer of
//! `data_at`, and [`Memory`], a region that gives such answers safely.
use std::alloc::{self, Layout};
use std::cell::UnsafeCell;
use std::io;
use std::marker::PhantomData;
use std::ptr::{self, NonNull};
use std::sync::RwLock;

/// Where a request's bytes are in the backend's memory (the answer of
/// [`Backend::data_at`](crate::Backend::data_at)). The library copies the
/// request's data straight into (WRITE) or out of (READ) it with one
/// pread/pwrite on the char device, on the queue thread, before the request
/// completes; it keeps no reference afterwards. `'a` ties it to the memory
/// it points into, so that memory outlives the answer.
#[derive(Clone, Copy, Debug)]
pub struct DataPtr<'a> {
    ptr: NonNull<u8>,
    _memory: PhantomData<&'a UnsafeCell<[u8]>>,
}

impl<'a> DataPtr<'a> {
    /// For memory of the backend's own (a mapped file, ...); [`Memory`]
    /// gives a `DataPtr` without `unsafe`.
    ///
    /// # Safety
    /// `ptr` must point to the request's `len` bytes, writable for a WRITE
    /// and readable for a READ, that stay allocated for `'a` and at least
    /// until the backend is dropped (freed memory may be reused: the copy
    /// would land there). The kernel writes them behind Rust's back, so no
    /// `&`/`&mut` reference to them may exist while requests are served:
    /// reach them only through raw pointers or `UnsafeCell`.
    pub unsafe fn new(ptr: NonNull<u8>) -> DataPtr<'a> {
        DataPtr {
            ptr,
            _memory: PhantomData,
        }
    }

    /// The address.
    pub fn as_ptr(self) -> *mut u8 {
        self.ptr.as_ptr()
    }
}

/// A zeroed region of memory, the storage of a backend whose data lives in
/// memory (a RAM disk). [`data_at`](Memory::data_at) answers a backend's
/// `data_at` without `unsafe`; [`read_at`](Memory::read_at),
/// [`write_at`](Memory::write_at) and [`zero`](Memory::zero) serve the
/// requests that take the normal way. Its bytes are never lent out as
/// references, because the kernel copies into them at any time; the Rust
/// side's own accesses are serialised by a lock (which the kernel's copies
/// do not take: overlapping requests in flight may mix, as on any disk).
/// Large regions come zeroed from the allocator (calloc), so their pages
/// are only allocated once written.
pub struct Memory {
    ptr: NonNull<u8>,
    len: usize,
    rust_side: RwLock<()>,
}

// SAFETY: the region is plain bytes owned by `Memory`; every access from
// Rust holds `rust_side` (shared to read, exclusive to write).
unsafe impl Send for Memory {}
unsafe impl Sync for Memory {}

fn einval() -> io::Error {
    io::Error::from_raw_os_error(crate::errno::EINVAL)
}

impl Memory {
    /// `len` zeroed bytes. Errors: `EINVAL` (0 or too large), `ENOMEM`.
    pub fn new(len: usize) -> io::Result<Memory> {
        let layout = Memory::layout(len).ok_or_else(einval)?;
        // SAFETY: the layout has a non-zero size.
        let p = unsafe { alloc::alloc_zeroed(layout) };
        let ptr =
            NonNull::new(p).ok_or_else(|| io::Error::from_raw_os_error(crate::errno::ENOMEM))?;
        Ok(Memory {
            ptr,
            len,
            rust_side: RwLock::new(()),
        })
    }

    fn layout(len: usize) -> Option<Layout> {
        if len == 0 {
            return None;
        }
        Layout::from_size_align(len, 16).ok()
    }

    /// Size in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Never true (a `Memory` has at least one byte).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Start of `len` bytes at `offset`, if they are inside.
    fn at(&self, offset: u64, len: usize) -> Option<*mut u8> {
        let off = usize::try_from(offset).ok()?;
        if off.checked_add(len)? > self.len {
            return None;
        }
        // SAFETY: off + len <= self.len: inside the allocation.
        Some(unsafe { self.ptr.as_ptr().add(off) })
    }

    /// The answer to `data_at` for `len` bytes at `offset`, or `None` if
    /// they are not all inside.
    pub fn data_at(&self, offset: u64, len: u32) -> Option<DataPtr<'_>> {
        let p = self.at(offset, len as usize)?;
        // SAFETY: inside the allocation, which lives as long as the borrow
        // of self; never lent out as a reference.
        Some(unsafe { DataPtr::new(NonNull::new_unchecked(p)) })
    }

    /// Copies the bytes at `offset` into `buf`. Errors: `EINVAL` (outside).
    pub fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let p = self.at(offset, buf.len()).ok_or_else(einval)?;
        let _shared = self.rust_side.read().unwrap_or_else(|e| e.into_inner());
        // SAFETY: `p` has buf.len() bytes inside the allocation; buf is
        // distinct memory.
        unsafe { ptr::copy_nonoverlapping(p, buf.as_mut_ptr(), buf.len()) };
        Ok(buf.len())
    }

    /// Stores `buf` at `offset`. Errors: `EINVAL` (outside).
    pub fn write_at(&self, buf: &[u8], offset: u64) -> io::Result<usize> {
        let p = self.at(offset, buf.len()).ok_or_else(einval)?;
        let _excl = self.rust_side.write().unwrap_or_else(|e| e.into_inner());
        // SAFETY: as in read_at.
        unsafe { ptr::copy_nonoverlapping(buf.as_ptr(), p, buf.len()) };
        Ok(buf.len())
    }

    /// Zeroes `len` bytes at `offset` (discard, write-zeroes). Errors:
    /// `EINVAL` (outside).
    pub fn zero(&self, offset: u64, len: u32) -> io::Result<()> {
        let p = self.at(offset, len as usize).ok_or_else(einval)?;
        let _excl = self.rust_side.write().unwrap_or_else(|e| e.into_inner());
        // SAFETY: `len` bytes inside the allocation.
        unsafe { ptr::write_bytes(p, 0, len as usize) };
        Ok(())
    }
}

impl Drop for Memory {
    fn drop(&mut self) {
        // SAFETY: allocated in new() with this layout; no DataPtr outlives
        // the borrow of self, and the device drops its backend only after
        // the last copy.
        unsafe { alloc::dealloc(self.ptr.as_ptr(), Memory::layout(self.len).unwrap()) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errno::EINVAL;

    #[test]
    fn bounds_are_checked_and_bytes_round_trip() {
        let m = Memory::new(8192).unwrap();
        assert_eq!(m.len(), 8192);
        assert!(m.data_at(4096, 4096).is_some());
        assert!(m.data_at(4097, 4096).is_none());
        assert!(m.data_at(u64::MAX, 1).is_none());
        let mut buf = [7u8; 512];
        assert_eq!(m.read_at(&mut buf, 512).unwrap(), 512);
        assert!(buf.iter().all(|&b| b == 0), "not zeroed");
        assert_eq!(m.write_at(&[1, 2, 3], 100).unwrap(), 3);
        let p = m.data_at(100, 3).unwrap().as_ptr();
        // SAFETY: 3 bytes inside m; nothing else touches m here.
        assert_eq!(unsafe { std::slice::from_raw_parts(p, 3) }, &[1, 2, 3]);
        m.zero(100, 2).unwrap();
        m.read_at(&mut buf[..3], 100).unwrap();
        assert_eq!(&buf[..3], &[0, 0, 3]);
        let e = m.write_at(&[0; 2], 8191).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(EINVAL));
        assert_eq!(
            Memory::new(0).err().and_then(|e| e.raw_os_error()),
            Some(EINVAL)
        );
    }
}
