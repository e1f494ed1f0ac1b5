//! `DeviceBuilder`: the device configuration (`ublk_config_*`).
use crate::backend::{AsyncBackend, Backend};
use crate::callbacks::{self, Ctx, Shared};
use crate::device::Device;
use crate::error::{check, Error, Result};
use std::ffi::{CStr, CString};
use std::fmt;
use std::os::raw::c_void;
use std::ptr;
use std::sync::Arc;
use std::time::Duration;
use ublk_sys as sys;

/// How request data moves between the kernel and the backend's buffer
/// (`UBLK_DATA_MODE_*`); the backend sees the same API in every mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataMode {
    Copy,
    NeedGetData,
    UserCopy,
    ZeroCopy,
    /// The fastest mode the kernel and backend allow.
    Auto,
    /// Zero copy with buffer registration on every request.
    ZeroCopyManual,
}

impl DataMode {
    pub(crate) fn to_raw(self) -> u32 {
        match self {
            DataMode::Copy => sys::UBLK_DATA_MODE_COPY,
            DataMode::NeedGetData => sys::UBLK_DATA_MODE_NEED_GET_DATA,
            DataMode::UserCopy => sys::UBLK_DATA_MODE_USER_COPY,
            DataMode::ZeroCopy => sys::UBLK_DATA_MODE_ZERO_COPY,
            DataMode::Auto => sys::UBLK_DATA_MODE_AUTO,
            DataMode::ZeroCopyManual => sys::UBLK_DATA_MODE_ZERO_COPY_MANUAL,
        }
    }
    pub(crate) fn from_raw(m: u32) -> DataMode {
        [
            DataMode::Copy,
            DataMode::NeedGetData,
            DataMode::UserCopy,
            DataMode::ZeroCopy,
            DataMode::Auto,
            DataMode::ZeroCopyManual,
        ]
        .iter()
        .copied()
        .find(|d| d.to_raw() == m)
        .unwrap_or(DataMode::Copy)
    }

    /// The library's name of the mode (`ublk_data_mode_name`): "copy",
    /// "need-get-data", "user-copy", "zero-copy", "auto" or
    /// "zero-copy-manual", as the `ublk` CLI's `--data-mode` takes them.
    pub fn name(self) -> &'static str {
        // SAFETY: no pointer arguments; returns NULL or a static string.
        let p = unsafe { sys::ublk_data_mode_name(self.to_raw()) };
        // Every variant is a UBLK_DATA_MODE_* value, so the library names it.
        assert!(!p.is_null(), "libublk has no name for {:?}", self);
        // SAFETY: a NUL-terminated string in static storage.
        let name = unsafe { CStr::from_ptr(p) };
        name.to_str().expect("data mode names are ASCII")
    }
}

/// Prints [`DataMode::name`].
impl fmt::Display for DataMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Parses a [`DataMode::name`] (`ublk_data_mode_from_name`). Errors:
/// `EINVAL` for any other string.
impl std::str::FromStr for DataMode {
    type Err = Error;

    fn from_str(s: &str) -> Result<DataMode> {
        // The C function would see only the part before a NUL, and might
        // accept it: refuse such a string here.
        let name = CString::new(s).map_err(|_| {
            Error::new(
                crate::errno::EINVAL,
                format!("DataMode::from_str: name {:?} contains a NUL byte", s),
            )
        })?;
        let mut raw = 0;
        // SAFETY: a NUL-terminated string and an out-pointer to a local,
        // both live for the call.
        check(unsafe { sys::ublk_data_mode_from_name(name.as_ptr(), &mut raw) })?;
        Ok(DataMode::from_raw(raw))
    }
}

/// Which CPUs each queue thread may run on (`UBLK_QUEUE_AFFINITY_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueAffinity {
    /// The queue's CPUs when they are two or more, else not pinned.
    Auto,
    /// Always the queue's CPUs.
    QueueCpus,
    /// Never pinned.
    None,
}

/// The scheduling policy of the queue threads (`UBLK_QUEUE_SCHED_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueSched {
    /// That of the thread calling `start`.
    Inherit,
    /// `SCHED_BATCH`: a woken queue thread does not preempt the task on its
    /// CPU (see `ublk_config_set_queue_sched`).
    Batch,
}

/// Whether the queues use batch I/O commands (`UBLK_BATCH_IO_*`, Linux 7.0+).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchIo {
    /// When the kernel has them and the data mode allows.
    Auto,
    /// Never.
    Off,
    /// Always; `create` fails with `EOPNOTSUPP` where they cannot be used.
    On,
}

/// Configuration of a device, then `create`/`create_async`. Every setter is
/// checked by the library at once and returns its error (`EINVAL` with a
/// message naming the setter); cross-field rules are checked by `create`
/// before anything reaches the kernel. Defaults: see `ublk_config_new`.
///
/// Owned by one thread at a time (`Send`, not `Sync`).
pub struct DeviceBuilder {
    raw: *mut sys::ublk_config,
}

// SAFETY: ublk.h: one thread at a time; &mut self/ownership guarantee it.
unsafe impl Send for DeviceBuilder {}

impl DeviceBuilder {
    /// A configuration with the library's defaults. Errors: `ENOMEM`.
    pub fn new() -> Result<DeviceBuilder> {
        let mut raw = ptr::null_mut();
        // SAFETY: out-pointer to a local.
        check(unsafe { sys::ublk_config_new(&mut raw) })?;
        Ok(DeviceBuilder { raw })
    }

    fn set(&mut self, rc: i32) -> Result<&mut Self> {
        check(rc)?;
        Ok(self)
    }

    /// Size in bytes: > 0, a multiple of the logical block size.
    pub fn size(&mut self, bytes: u64) -> Result<&mut Self> {
        // SAFETY: self.raw is a live config (for every setter below).
        let rc = unsafe { sys::ublk_config_set_size(self.raw, bytes) };
        self.set(rc)
    }
    /// Logical block size (power of two, 512..=4096); physical 0 = logical.
    pub fn block_size(&mut self, logical: u32, physical: u32) -> Result<&mut Self> {
        let rc = unsafe { sys::ublk_config_set_block_size(self.raw, logical, physical) };
        self.set(rc)
    }
    /// Hardware queues, 1..=4096; one thread serves each unless
    /// [`queue_threads`](Self::queue_threads) says otherwise. The kernel may
    /// lower it: read back [`Device::nr_queues`].
    pub fn queues(&mut self, nr: u32) -> Result<&mut Self> {
        let rc = unsafe { sys::ublk_config_set_queues(self.raw, nr) };
        self.set(rc)
    }
    /// Queue threads: 0 (default) one per queue; N in 1..=queues: N threads,
    /// each serving a run of queues on one io_uring, with the backend's
    /// callbacks of those queues on that thread (see
    /// `ublk_config_set_queue_threads`). Checked against the queues at create.
    pub fn queue_threads(&mut self, threads: u32) -> Result<&mut Self> {
        let rc = unsafe { sys::ublk_config_set_queue_threads(self.raw, threads) };
        self.set(rc)
    }
    /// Requests in flight per queue, 1..=4096.
    pub fn depth(&mut self, depth: u32) -> Result<&mut Self> {
        let rc = unsafe { sys::ublk_config_set_depth(self.raw, depth) };
        self.set(rc)
    }
    /// Largest request in bytes: a multiple of 4096 in [4096, 32 MiB].
    pub fn max_io_size(&mut self, bytes: u32) -> Result<&mut Self> {
        let rc = unsafe { sys::ublk_config_set_max_io_size(self.raw, bytes) };
        self.set(rc)
    }
    /// Device id N for /dev/ublkbN (below 2^20); default: the kernel chooses.
    pub fn dev_id(&mut self, id: u32) -> Result<&mut Self> {
        let id = if id > i32::MAX as u32 {
            i32::MAX
        } else {
            id as i32
        };
        let rc = unsafe { sys::ublk_config_set_dev_id(self.raw, id) };
        self.set(rc)
    }
    /// A read-only device (writes fail in the block layer).
    pub fn read_only(&mut self, read_only: bool) -> Result<&mut Self> {
        let rc = unsafe { sys::ublk_config_set_read_only(self.raw, read_only as i32) };
        self.set(rc)
    }
    /// Advertise a rotational device (default: non-rotational).
    pub fn rotational(&mut self, rotational: bool) -> Result<&mut Self> {
        let rc = unsafe { sys::ublk_config_set_rotational(self.raw, rotational as i32) };
        self.set(rc)
    }
    /// The data mode (default `Copy`). A mode the running kernel lacks
    /// makes `create` fail with `EOPNOTSUPP` naming the kernel feature.
    pub fn data_mode(&mut self, mode: DataMode) -> Result<&mut Self> {
        let rc = unsafe { sys::ublk_config_set_data_mode(self.raw, mode.to_raw()) };
        self.set(rc)
    }
    /// Where the queue threads run (default `Auto`).
    pub fn queue_affinity(&mut self, policy: QueueAffinity) -> Result<&mut Self> {
        let raw = match policy {
            QueueAffinity::Auto => sys::UBLK_QUEUE_AFFINITY_AUTO,
            QueueAffinity::QueueCpus => sys::UBLK_QUEUE_AFFINITY_QUEUE_CPUS,
            QueueAffinity::None => sys::UBLK_QUEUE_AFFINITY_NONE,
        };
        let rc = unsafe { sys::ublk_config_set_queue_affinity(self.raw, raw) };
        self.set(rc)
    }
    /// The queue threads' scheduling policy (default `Inherit`); a policy
    /// the system refuses makes `start` fail with its errno.
    pub fn queue_sched(&mut self, policy: QueueSched) -> Result<&mut Self> {
        let raw = match policy {
            QueueSched::Inherit => sys::UBLK_QUEUE_SCHED_INHERIT,
            QueueSched::Batch => sys::UBLK_QUEUE_SCHED_BATCH,
        };
        let rc = unsafe { sys::ublk_config_set_queue_sched(self.raw, raw) };
        self.set(rc)
    }
    /// Batch I/O commands (default `Auto`; see `ublk_config_set_batch_io`).
    pub fn batch_io(&mut self, policy: BatchIo) -> Result<&mut Self> {
        let raw = match policy {
            BatchIo::Auto => sys::UBLK_BATCH_IO_AUTO,
            BatchIo::Off => sys::UBLK_BATCH_IO_OFF,
            BatchIo::On => sys::UBLK_BATCH_IO_ON,
        };
        let rc = unsafe { sys::ublk_config_set_batch_io(self.raw, raw) };
        self.set(rc)
    }
    /// I/O size hints (minimum_io_size / optimal_io_size in sysfs): powers
    /// of two >= the logical block size, 0 for the default.
    pub fn io_hints(&mut self, io_min: u32, io_opt: u32) -> Result<&mut Self> {
        let rc = unsafe { sys::ublk_config_set_io_hints(self.raw, io_min, io_opt) };
        self.set(rc)
    }
    /// Timeout of each control command (1 ms ..= 1 h).
    pub fn ctrl_timeout(&mut self, t: Duration) -> Result<&mut Self> {
        let ms = t.as_millis().min(u32::MAX as u128) as u32;
        let rc = unsafe { sys::ublk_config_set_ctrl_timeout_ms(self.raw, ms) };
        self.set(rc)
    }

    /// Creates the kernel device, served by `backend` (not visible until
    /// [`Device::start`]). The device owns `backend` and drops it exactly
    /// once: at close, or here if creation fails. Calling thread; blocks for
    /// the control commands. Errors: those of `ublk_dev_create` (`EINVAL`,
    /// `EOPNOTSUPP`, `ENOENT` without the driver, `EPERM`, `EEXIST`, ...).
    pub fn create<B: Backend>(&self, backend: B) -> Result<Device> {
        let ops = callbacks::sync_ops(&backend);
        self.create_with(ops, backend)
    }

    /// As [`create`](Self::create), for an asynchronous backend.
    pub fn create_async<B: AsyncBackend>(&self, backend: B) -> Result<Device> {
        let ops = callbacks::async_ops(&backend);
        self.create_with(ops, backend)
    }

    fn create_with<B: 'static>(&self, ops: sys::ublk_backend_ops, backend: B) -> Result<Device> {
        let shared = Arc::new(Shared::default());
        let ctx = Box::new(Ctx {
            backend,
            shared: shared.clone(),
        });
        let ud = Box::into_raw(ctx) as *mut c_void;
        let mut dev = ptr::null_mut();
        // SAFETY: ops and cfg are copied by the call; ud is released by
        // free_user_data exactly once, also when the call fails.
        check(unsafe { sys::ublk_dev_create(self.raw, &ops, ud, &mut dev) })?;
        Ok(Device::from_raw(dev, shared))
    }
}

impl Drop for DeviceBuilder {
    fn drop(&mut self) {
        // SAFETY: we own the config.
        unsafe { sys::ublk_config_free(self.raw) };
    }
}
