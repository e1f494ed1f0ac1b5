//! The backend: a RAM disk. Reads, writes, discard and write-zeroes; no
//! flush (nothing is volatile). Optional fault injection for tests, and
//! (`data_at`) the library copying straight into its memory.
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use ublk::{Backend, DataPtr, Features, Memory, Op};

/// Reads overlapping [start, start+len) fail with `errno`, or panic.
pub struct Fault {
    pub start: u64,
    pub len: u64,
    pub errno: Option<i32>, // None: panic
}

/// READs and WRITEs served by the callbacks (`read`/`write`, or the worker
/// with --async) and by `data_at`.
#[derive(Default)]
pub struct Served {
    pub reads: AtomicU64,
    pub writes: AtomicU64,
    pub reads_at: AtomicU64,
    pub writes_at: AtomicU64,
}

impl Served {
    /// The exit line.
    pub fn report(&self, mode: &str) -> String {
        let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
        format!(
            "data mode {}: reads {} via data_at, {} via callbacks; \
             writes {} via data_at, {} via callbacks",
            mode,
            n(&self.reads_at),
            n(&self.reads),
            n(&self.writes_at),
            n(&self.writes)
        )
    }
}

fn count(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

pub struct RamDisk {
    mem: Memory,
    pub fault: Option<Fault>,
    /// Offer `data_at` (`Features::data_in_memory`).
    pub data_at: bool,
    pub served: Arc<Served>,
}

impl RamDisk {
    pub fn new(size: usize) -> io::Result<RamDisk> {
        Ok(RamDisk {
            mem: Memory::new(size)?,
            fault: None,
            data_at: false,
            served: Arc::default(),
        })
    }

    fn faulty(&self, off: u64, len: u64) -> Option<&Fault> {
        self.fault
            .as_ref()
            .filter(|f| off < f.start + f.len && f.start < off + len)
    }

    fn check_fault(&self, off: u64, len: usize) -> io::Result<()> {
        match self.faulty(off, len as u64).map(|f| f.errno) {
            Some(Some(e)) => Err(io::Error::from_raw_os_error(e)),
            Some(None) => panic!("injected panic reading {} bytes at {}", len, off),
            None => Ok(()),
        }
    }
}

// Called on the queue threads; the library keeps every request inside the
// device, so the ranges below are in bounds.
impl Backend for RamDisk {
    fn features(&self) -> Features {
        Features {
            discard: true,
            write_zeroes: true,
            data_in_memory: self.data_at,
            ..Features::default()
        }
    }
    fn read(&self, buf: &mut [u8], off: u64) -> io::Result<usize> {
        count(&self.served.reads);
        self.check_fault(off, buf.len())?;
        self.mem.read_at(buf, off)
    }
    fn write(&self, buf: &[u8], off: u64, _fua: bool) -> io::Result<usize> {
        count(&self.served.writes);
        self.mem.write_at(buf, off)
    }
    fn discard(&self, off: u64, len: u32) -> io::Result<()> {
        self.write_zeroes(off, len, false)
    }
    fn write_zeroes(&self, off: u64, len: u32, _no_unmap: bool) -> io::Result<()> {
        self.mem.zero(off, len)
    }
    // A faulty range takes the normal way, to read() and its fault.
    fn data_at(&self, op: Op, off: u64, len: u32, _fua: bool) -> Option<DataPtr<'_>> {
        if op == Op::Read && self.faulty(off, u64::from(len)).is_some() {
            return None;
        }
        count(if op == Op::Read {
            &self.served.reads_at
        } else {
            &self.served.writes_at
        });
        self.mem.data_at(off, len)
    }
}
