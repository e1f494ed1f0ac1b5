//! The `extern "C"` functions libublk calls: type conversion, panic
//! containment and ownership of the backend. No ublk logic.
use crate::backend::{AsyncBackend, Backend, Io, Op};
use crate::errno::{errno_of, EIO};
use crate::memory::DataPtr;
use std::any::Any;
use std::io::{self, Write};
use std::marker::PhantomData;
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
    fn record_panic(&self, what: &str, outcome: &str, payload: Box<dyn Any + Send>) {
        let msg = if let Some(s) = payload.downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "(non-string panic payload)".to_string()
        };
        let _ = writeln!(
            io::stderr(),
            "ublk: backend {} panicked: {}; {}",
            what,
            msg,
            outcome
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
    let outcome = "the request failed with EIO";
    guarded_or(shared, what, (-EIO, outcome), f)
}

/// As `guarded`, with `on_panic`: the answer after a panic, and what that
/// means for the request.
fn guarded_or<T, F: FnOnce() -> T>(shared: &Shared, what: &str, on_panic: (T, &str), f: F) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            shared.record_panic(what, on_panic.1, p);
            on_panic.0
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

/// Which trait's `data_at` the one `data_at` trampoline asks.
trait Form {
    type B;
    fn data_at(b: &Self::B, op: Op, off: u64, len: u32, fua: bool) -> Option<DataPtr<'_>>;
}

struct SyncForm<B>(PhantomData<B>);
struct AsyncForm<B>(PhantomData<B>);

impl<B: Backend> Form for SyncForm<B> {
    type B = B;
    fn data_at(b: &B, op: Op, off: u64, len: u32, fua: bool) -> Option<DataPtr<'_>> {
        Backend::data_at(b, op, off, len, fua)
    }
}

impl<B: AsyncBackend> Form for AsyncForm<B> {
    type B = B;
    fn data_at(b: &B, op: Op, off: u64, len: u32, fua: bool) -> Option<DataPtr<'_>> {
        AsyncBackend::data_at(b, op, off, len, fua)
    }
}

/// The address, or NULL (also after a panic) to take the request the
/// normal way.
unsafe extern "C" fn data_at<F: Form>(
    ud: *mut c_void,
    op: u32,
    flags: u32,
    off: u64,
    len: u32,
) -> *mut c_void {
    let c = ctx::<F::B>(ud);
    let fua = flags & sys::UBLK_OP_FLAG_FUA != 0;
    let on_panic = (None, "the request took the normal way");
    guarded_or(&c.shared, "data_at", on_panic, || {
        F::data_at(&c.backend, Op::from_raw(op), off, len, fua)
    })
    .map_or(std::ptr::null_mut(), |p| p.as_ptr() as *mut c_void)
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
    ops.data_at = if f.data_in_memory {
        Some(data_at::<SyncForm<B>>)
    } else {
        None
    };
    ops
}

/// The ops table of an asynchronous backend.
pub(crate) fn async_ops<B: AsyncBackend>(backend: &B) -> sys::ublk_backend_ops {
    let f = backend.features();
    let mut ops = sys::ublk_backend_ops::init();
    ops.flags = f.flags();
    ops.free_user_data = Some(free_ctx::<B>);
    ops.submit = Some(submit::<B>);
    ops.data_at = if f.data_in_memory {
        Some(data_at::<AsyncForm<B>>)
    } else {
        None
    };
    ops
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Features;
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

    /// Data in a `Memory`; answers only below 1 MiB, panics at 1 MiB.
    struct InRam(crate::Memory);
    impl Backend for InRam {
        fn features(&self) -> Features {
            Features {
                data_in_memory: true,
                ..Features::default()
            }
        }
        fn data_at(&self, op: Op, off: u64, len: u32, fua: bool) -> Option<DataPtr<'_>> {
            assert!(op == Op::Write || !fua, "FUA on a read");
            match off {
                0x10_0000 => panic!("data_at at {}", off),
                _ => self.0.data_at(off, len),
            }
        }
    }
    impl AsyncBackend for InRam {
        fn features(&self) -> Features {
            Backend::features(self)
        }
        fn submit(&self, io: Io) {
            io.complete(Ok(0));
        }
        fn data_at(&self, op: Op, off: u64, len: u32, fua: bool) -> Option<DataPtr<'_>> {
            Backend::data_at(self, op, off, len, fua)
        }
    }

    #[test]
    fn data_at_answers_addresses_or_null() {
        let shared = Arc::new(Shared::default());
        let ctx = Box::new(Ctx {
            backend: InRam(crate::Memory::new(0x10_0000).unwrap()),
            shared: shared.clone(),
        });
        let base = ctx.backend.0.data_at(0, 1).unwrap().as_ptr() as *mut c_void;
        let ud = Box::into_raw(ctx) as *mut c_void;
        let (w, r, fua) = (sys::UBLK_OP_WRITE, sys::UBLK_OP_READ, sys::UBLK_OP_FLAG_FUA);
        // SAFETY: ud is a live Ctx<InRam> until free_ctx.
        unsafe {
            assert_eq!(data_at::<SyncForm<InRam>>(ud, w, fua, 0, 4096), base);
            assert_eq!(
                data_at::<AsyncForm<InRam>>(ud, r, 0, 4096, 512),
                base.add(4096)
            );
            assert!(data_at::<SyncForm<InRam>>(ud, r, 0, 0xf_f000, 8192).is_null()); // outside
            assert!(!shared.panicked());
            assert!(data_at::<SyncForm<InRam>>(ud, r, 0, 0x10_0000, 4096).is_null());
            assert_eq!(
                shared.panic_message().unwrap(),
                "backend data_at panicked: data_at at 1048576"
            );
            free_ctx::<InRam>(ud);
        }
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
        assert!(ops.data_at.is_none());
        let ram = InRam(crate::Memory::new(4096).unwrap());
        assert!(sync_ops(&ram).data_at.is_some());
        assert!(async_ops(&ram).data_at.is_some());
        assert_eq!(async_ops(&ram).flags, 0); // no C flag: the member says it
    }
}
