//! Raw declarations of libublk's C API (`include/ublk.h`), written by hand.
//!
//! Everything here mirrors the header one to one: same names, same types,
//! same values. The thread and ownership rules are the header's; read the
//! comment of each C function there. `tests/layout.rs` compiles a C program
//! against the header and checks every struct size and offset, every
//! constant and the set of functions against this file.
//!
//! Use the `ublk` crate for a safe interface.
#![allow(non_camel_case_types)]

use std::os::raw::{c_char, c_int, c_void};

pub const UBLK_VERSION_MAJOR: u32 = 0;
pub const UBLK_VERSION_MINOR: u32 = 1;
pub const UBLK_VERSION_PATCH: u32 = 0;

pub const UBLK_DEV_ID_AUTO: i32 = -1;

pub const UBLK_DATA_MODE_COPY: u32 = 0;
pub const UBLK_DATA_MODE_NEED_GET_DATA: u32 = 1;
pub const UBLK_DATA_MODE_USER_COPY: u32 = 2;
pub const UBLK_DATA_MODE_ZERO_COPY: u32 = 3;
pub const UBLK_DATA_MODE_AUTO: u32 = 4;
pub const UBLK_DATA_MODE_ZERO_COPY_MANUAL: u32 = 5;

pub const UBLK_QUEUE_AFFINITY_AUTO: u32 = 0;
pub const UBLK_QUEUE_AFFINITY_QUEUE_CPUS: u32 = 1;
pub const UBLK_QUEUE_AFFINITY_NONE: u32 = 2;
pub const UBLK_QUEUE_SCHED_INHERIT: u32 = 0;
pub const UBLK_QUEUE_SCHED_BATCH: u32 = 1;

pub const UBLK_BATCH_IO_AUTO: u32 = 0;
pub const UBLK_BATCH_IO_OFF: u32 = 1;
pub const UBLK_BATCH_IO_ON: u32 = 2;

pub const UBLK_OP_READ: u32 = 0;
pub const UBLK_OP_WRITE: u32 = 1;
pub const UBLK_OP_FLUSH: u32 = 2;
pub const UBLK_OP_DISCARD: u32 = 3;
pub const UBLK_OP_WRITE_ZEROES: u32 = 5;

pub const UBLK_OP_FLAG_FUA: u32 = 1 << 0;
pub const UBLK_OP_FLAG_NOUNMAP: u32 = 1 << 1;

pub const UBLK_FILE_OP_READ: u32 = 0;
pub const UBLK_FILE_OP_WRITE: u32 = 1;
pub const UBLK_FILE_OP_FDATASYNC: u32 = 2;
pub const UBLK_FILE_OP_PUNCH_HOLE: u32 = 3;
pub const UBLK_FILE_OP_ZERO_RANGE: u32 = 4;
pub const UBLK_FILE_F_DSYNC: u32 = 1 << 0;

pub const UBLK_BACKEND_F_FLUSH: u64 = 1 << 0;
pub const UBLK_BACKEND_F_DISCARD: u64 = 1 << 1;
pub const UBLK_BACKEND_F_WRITE_ZEROES: u64 = 1 << 2;
pub const UBLK_BACKEND_F_FUA: u64 = 1 << 3;
pub const UBLK_BACKEND_F_FILE_OPS_ONLY: u64 = 1 << 4;

pub const UBLK_COUNTER_REQUESTS: u32 = 0;
pub const UBLK_COUNTER_BAD_REQUESTS: u32 = 1;
pub const UBLK_COUNTER_DOUBLE_COMPLETIONS: u32 = 2;
pub const UBLK_COUNTER_KERNEL_ERRORS: u32 = 3;
pub const UBLK_COUNTER_BYTES_COPIED: u32 = 4;

/// Opaque `ublk_config`.
#[repr(C)]
pub struct ublk_config {
    _private: [u8; 0],
}

/// Opaque `ublk_io`.
#[repr(C)]
pub struct ublk_io {
    _private: [u8; 0],
}

/// Opaque `ublk_dev`.
#[repr(C)]
pub struct ublk_dev {
    _private: [u8; 0],
}

/// `struct ublk_backend_ops`. Start from [`ublk_backend_ops::init`], the
/// equivalent of `UBLK_BACKEND_OPS_INIT`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ublk_backend_ops {
    pub struct_size: u64,
    pub flags: u64,
    pub free_user_data: Option<unsafe extern "C" fn(user_data: *mut c_void)>,
    pub read: Option<
        unsafe extern "C" fn(
            user_data: *mut c_void,
            io: *mut ublk_io,
            buf: *mut c_void,
            length: u32,
            offset: u64,
        ) -> i32,
    >,
    pub write: Option<
        unsafe extern "C" fn(
            user_data: *mut c_void,
            io: *mut ublk_io,
            buf: *const c_void,
            length: u32,
            offset: u64,
        ) -> i32,
    >,
    pub flush: Option<unsafe extern "C" fn(user_data: *mut c_void, io: *mut ublk_io) -> i32>,
    pub discard: Option<
        unsafe extern "C" fn(
            user_data: *mut c_void,
            io: *mut ublk_io,
            offset: u64,
            length: u32,
        ) -> i32,
    >,
    pub write_zeroes: Option<
        unsafe extern "C" fn(
            user_data: *mut c_void,
            io: *mut ublk_io,
            offset: u64,
            length: u32,
        ) -> i32,
    >,
    pub submit: Option<unsafe extern "C" fn(user_data: *mut c_void, io: *mut ublk_io) -> i32>,
    pub data_at: Option<
        unsafe extern "C" fn(
            user_data: *mut c_void,
            op: u32,
            flags: u32,
            offset: u64,
            length: u32,
        ) -> *mut c_void,
    >,
}

impl ublk_backend_ops {
    /// `UBLK_BACKEND_OPS_INIT`: `struct_size` set, everything else 0/NULL.
    pub fn init() -> Self {
        ublk_backend_ops {
            struct_size: std::mem::size_of::<ublk_backend_ops>() as u64,
            flags: 0,
            free_user_data: None,
            read: None,
            write: None,
            flush: None,
            discard: None,
            write_zeroes: None,
            submit: None,
            data_at: None,
        }
    }
}

extern "C" {
    pub fn ublk_version() -> u32;
    pub fn ublk_version_at_least(major: u32, minor: u32) -> c_int;
    pub fn ublk_last_error() -> *const c_char;
    pub fn ublk_get_features(out: *mut u64) -> c_int;
    pub fn ublk_feature_name(bit: u32) -> *const c_char;

    pub fn ublk_config_new(out: *mut *mut ublk_config) -> c_int;
    pub fn ublk_config_free(cfg: *mut ublk_config);
    pub fn ublk_config_set_size(cfg: *mut ublk_config, bytes: u64) -> c_int;
    pub fn ublk_config_set_block_size(cfg: *mut ublk_config, logical: u32, physical: u32) -> c_int;
    pub fn ublk_config_set_queues(cfg: *mut ublk_config, nr: u32) -> c_int;
    pub fn ublk_config_set_depth(cfg: *mut ublk_config, depth: u32) -> c_int;
    pub fn ublk_config_set_max_io_size(cfg: *mut ublk_config, bytes: u32) -> c_int;
    pub fn ublk_config_set_dev_id(cfg: *mut ublk_config, id: i32) -> c_int;
    pub fn ublk_config_set_read_only(cfg: *mut ublk_config, read_only: c_int) -> c_int;
    pub fn ublk_config_set_rotational(cfg: *mut ublk_config, rotational: c_int) -> c_int;
    pub fn ublk_config_set_io_hints(cfg: *mut ublk_config, io_min: u32, io_opt: u32) -> c_int;
    pub fn ublk_config_set_data_mode(cfg: *mut ublk_config, mode: u32) -> c_int;
    pub fn ublk_data_mode_name(mode: u32) -> *const c_char;
    pub fn ublk_data_mode_from_name(name: *const c_char, mode: *mut u32) -> c_int;
    pub fn ublk_config_set_queue_affinity(cfg: *mut ublk_config, policy: u32) -> c_int;
    pub fn ublk_config_set_queue_sched(cfg: *mut ublk_config, policy: u32) -> c_int;
    pub fn ublk_config_set_queue_threads(cfg: *mut ublk_config, threads: u32) -> c_int;
    pub fn ublk_config_set_batch_io(cfg: *mut ublk_config, policy: u32) -> c_int;
    pub fn ublk_config_set_ctrl_timeout_ms(cfg: *mut ublk_config, ms: u32) -> c_int;

    pub fn ublk_io_op(io: *const ublk_io) -> u32;
    pub fn ublk_io_flags(io: *const ublk_io) -> u32;
    pub fn ublk_io_offset(io: *const ublk_io) -> u64;
    pub fn ublk_io_length(io: *const ublk_io) -> u32;
    pub fn ublk_io_buf(io: *mut ublk_io) -> *mut c_void;
    pub fn ublk_io_queue(io: *const ublk_io) -> u32;
    pub fn ublk_io_tag(io: *const ublk_io) -> u32;
    pub fn ublk_io_complete(io: *mut ublk_io, result: i32);
    pub fn ublk_io_file_op(io: *mut ublk_io, fd: i32, op: u32, offset: u64, flags: u32) -> c_int;

    pub fn ublk_dev_create(
        cfg: *const ublk_config,
        ops: *const ublk_backend_ops,
        user_data: *mut c_void,
        out: *mut *mut ublk_dev,
    ) -> c_int;
    pub fn ublk_dev_start(dev: *mut ublk_dev) -> c_int;
    pub fn ublk_dev_stop(dev: *mut ublk_dev) -> c_int;
    pub fn ublk_dev_wait(dev: *mut ublk_dev) -> c_int;
    pub fn ublk_dev_close(dev: *mut ublk_dev) -> c_int;
    pub fn ublk_dev_id(dev: *const ublk_dev) -> u32;
    pub fn ublk_dev_path(dev: *const ublk_dev) -> *const c_char;
    pub fn ublk_dev_kernel_flags(dev: *const ublk_dev) -> u64;
    pub fn ublk_dev_nr_queues(dev: *const ublk_dev) -> u32;
    pub fn ublk_dev_depth(dev: *const ublk_dev) -> u32;
    pub fn ublk_dev_data_mode(dev: *const ublk_dev) -> u32;
    pub fn ublk_dev_batch_io(dev: *const ublk_dev) -> c_int;
    pub fn ublk_dev_counter(dev: *const ublk_dev, which: u32, out: *mut u64) -> c_int;
}
