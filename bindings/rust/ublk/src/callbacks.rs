//! The `extern "C"` functions libublk calls: type conversion, panic
//! containment and ownership of the backend. No ublk logic.
use crate::backend::{AsyncBackend, Backend, Io};
use crate::errno::{errno_of, EIO};
use std::any::Any;
use std::io::{self, Write};
use std::os::raw::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::slice;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use ublk_sys as sys;

/// State shared by a device's callbacks and its `Device` handle.
#[derive(Default)]
pub(crate) struct Shared {
    panicked: AtomicBool,
    first_panic: Mutex<Option<String>>,
}

impl Shared {
    fn record_panic(&self, what: &str, payload: Box<dyn Any + Send>) {
        let msg = if let Some(s) = payload.downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "(non-string panic payload)".to_string()
        };
        let _ = writeln!(
            io::stderr(),
            "ublk: backend {} panicked: {}; the request failed with EIO",
            what,
            msg
        );
        let mut first = self.first_panic.lock().unwrap_or_else(|e| e.into_inner());
        if first.is_none() {
            *first = Some(format!("backend {} panicked: {}", what, msg));
        }
        self.panicked.store(true, Ordering::SeqCst);
        // The payload may itself panic when dropped; never let that out.
        let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
    }

    pub(crate) fn panicked(&self) -> bool {
        self.panicked.load(Ordering::SeqCst)
    }

    pub(crate) fn panic_message(&self) -> Option<String> {
        self.first_panic
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// What `user_data` points to: a `Box<Ctx<B>>`, released by `free_ctx`.
pub(crate) struct Ctx<B> {
    pub(crate) backend: B,
    pub(crate) shared: Arc<Shared>,
}

/// Runs `f`, turning a panic into `-EIO` and a record in `shared`.
fn guarded<F: FnOnce() -> i32>(shared: &Shared, what: &str, f: F) -> i32 {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            shared.record_panic(what, p);
            -EIO
        }
    }
}

/// `io::Result<usize>` to the C result: bytes, or a negative errno.
pub(crate) fn to_result(r: io::Result<usize>) -> i32 {
    match r {
        Ok(n) if n <= i32::MAX as usize => n as i32,
        Ok(_) => -EIO,
        Err(e) => -errno_of(&e),
    }
}

fn to_status(r: io::Result<()>) -> i32 {
    to_result(r.map(|()| 0))
}

/// # Safety
/// `ud` is the `Ctx<B>` given to ublk_dev_create, alive until free_ctx.
unsafe fn ctx<'a, B>(ud: *mut c_void) -> &'a Ctx<B> {
    &*(ud as *const Ctx<B>)
}

unsafe extern "C" fn read<B: Backend>(
    ud: *mut c_void,
    _io: *mut sys::ublk_io,
    buf: *mut c_void,
    len: u32,
    off: u64,
) -> i32 {
    let c = ctx::<B>(ud);
    guarded(&c.shared, "read", || {
        // SAFETY: buf is the request's buffer of `len` bytes, ours until we return.
        let b = slice::from_raw_parts_mut(buf as *mut u8, len as usize);
        to_result(c.backend.read(b, off))
    })
}

unsafe extern "C" fn write<B: Backend>(
    ud: *mut c_void,
    io: *mut sys::ublk_io,
    buf: *const c_void,
    len: u32,
    off: u64,
) -> i32 {
    let c = ctx::<B>(ud);
    guarded(&c.shared, "write", || {
        // SAFETY: as in read.
        let b = slice::from_raw_parts(buf as *const u8, len as usize);
        let fua = sys::ublk_io_flags(io) & sys::UBLK_OP_FLAG_FUA != 0;
        to_result(c.backend.write(b, off, fua))
    })
}

unsafe extern "C" fn flush<B: Backend>(ud: *mut c_void, _io: *mut sys::ublk_io) -> i32 {
    let c = ctx::<B>(ud);
    guarded(&c.shared, "flush", || to_status(c.backend.flush()))
}

unsafe extern "C" fn discard<B: Backend>(
    ud: *mut c_void,
    _io: *mut sys::ublk_io,
    off: u64,
    len: u32,
) -> i32 {
    let c = ctx::<B>(ud);
    guarded(&c.shared, "discard", || {
        to_status(c.backend.discard(off, len))
    })
}

unsafe extern "C" fn write_zeroes<B: Backend>(
    ud: *mut c_void,
    io: *mut sys::ublk_io,
    off: u64,
    len: u32,
) -> i32 {
    let c = ctx::<B>(ud);
    guarded(&c.shared, "write_zeroes", || {
        let no_unmap = sys::ublk_io_flags(io) & sys::UBLK_OP_FLAG_NOUNMAP != 0;
        to_status(c.backend.write_zeroes(off, len, no_unmap))
    })
}

unsafe extern "C" fn submit<B: AsyncBackend>(ud: *mut c_void, io: *mut sys::ublk_io) -> i32 {
    let c = ctx::<B>(ud);
    // SAFETY: the library hands the request over; `Io` now owns it.
    let io = Io::from_raw(io);
    // On a panic the Io was either dropped by the unwinding (which completed
    // it with EIO) or kept by the backend: never fail it a second time.
    guarded(&c.shared, "submit", || {
        c.backend.submit(io);
        0
    });
    0
}

unsafe extern "C" fn free_ctx<B: 'static>(ud: *mut c_void) {
    // SAFETY: called exactly once by the library, after the last callback.
    let b = Box::from_raw(ud as *mut Ctx<B>);
    let shared = b.shared.clone();
    guarded(&shared, "drop", move || {
        drop(b);
        0
    });
}

/// The ops table of a synchronous backend.
pub(crate) fn sync_ops<B: Backend>(backend: &B) -> sys::ublk_backend_ops {
    let f = backend.features();
    let mut ops = sys::ublk_backend_ops::init();
    ops.flags = if f.fua { sys::UBLK_BACKEND_F_FUA } else { 0 };
    ops.free_user_data = Some(free_ctx::<B>);
    ops.read = Some(read::<B>);
    ops.write = Some(write::<B>);
    ops.flush = if f.flush { Some(flush::<B>) } else { None };
    ops.discard = if f.discard { Some(discard::<B>) } else { None };
    ops.write_zeroes = if f.write_zeroes {
        Some(write_zeroes::<B>)
    } else {
        None
    };
    ops
}

/// The ops table of an asynchronous backend.
pub(crate) fn async_ops<B: AsyncBackend>(backend: &B) -> sys::ublk_backend_ops {
    let mut ops = sys::ublk_backend_ops::init();
    ops.flags = backend.features().flags();
    ops.free_user_data = Some(free_ctx::<B>);
    ops.submit = Some(submit::<B>);
    ops
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errno::{ENOSPC, EOPNOTSUPP};
    use std::sync::atomic::AtomicUsize;

    struct Probe {
        drops: Arc<AtomicUsize>,
    }
    impl Drop for Probe {
        fn drop(&mut self) {
            self.drops.fetch_add(1, Ordering::SeqCst);
        }
    }
    impl Backend for Probe {
        fn read(&self, buf: &mut [u8], off: u64) -> io::Result<usize> {
            match off {
                0 => Ok(buf.len()),
                4096 => Err(io::Error::from_raw_os_error(ENOSPC)),
                _ => panic!("read at {}", off),
            }
        }
    }

    fn raw_ctx(drops: &Arc<AtomicUsize>) -> (*mut c_void, Arc<Shared>) {
        let shared = Arc::new(Shared::default());
        let ctx = Box::new(Ctx {
            backend: Probe {
                drops: drops.clone(),
            },
            shared: shared.clone(),
        });
        (Box::into_raw(ctx) as *mut c_void, shared)
    }

    #[test]
    fn trampolines_convert_results_and_contain_panics() {
        let drops = Arc::new(AtomicUsize::new(0));
        let (ud, shared) = raw_ctx(&drops);
        let mut buf = [0u8; 512];
        let p = buf.as_mut_ptr() as *mut c_void;
        let io = std::ptr::null_mut();
        // SAFETY: ud is a live Ctx<Probe>; read/discard/flush do not touch io.
        unsafe {
            assert_eq!(read::<Probe>(ud, io, p, 512, 0), 512);
            assert_eq!(read::<Probe>(ud, io, p, 512, 4096), -ENOSPC);
            assert!(!shared.panicked());
            assert_eq!(read::<Probe>(ud, io, p, 512, 8192), -EIO);
            assert!(shared.panicked());
            assert_eq!(
                shared.panic_message().unwrap(),
                "backend read panicked: read at 8192"
            );
            // Default bodies: unsupported.
            assert_eq!(discard::<Probe>(ud, io, 0, 512), -EOPNOTSUPP);
            assert_eq!(flush::<Probe>(ud, io), -EOPNOTSUPP);
            assert_eq!(drops.load(Ordering::SeqCst), 0);
            free_ctx::<Probe>(ud);
        }
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn results_out_of_range_become_eio() {
        assert_eq!(to_result(Ok(4096)), 4096);
        assert_eq!(to_result(Ok(i32::MAX as usize + 1)), -EIO);
        assert_eq!(
            to_result(Err(io::Error::from_raw_os_error(ENOSPC))),
            -ENOSPC
        );
        assert_eq!(to_status(Ok(())), 0);
    }

    #[test]
    fn ops_tables_advertise_only_features() {
        let drops = Arc::new(AtomicUsize::new(0));
        let p = Probe { drops };
        let ops = sync_ops(&p);
        assert!(ops.read.is_some() && ops.write.is_some() && ops.submit.is_none());
        assert!(ops.flush.is_none() && ops.discard.is_none() && ops.write_zeroes.is_none());
        assert_eq!(ops.flags, 0);
        assert_eq!(
            ops.struct_size as usize,
            std::mem::size_of::<sys::ublk_backend_ops>()
        );
    }
}
