//! The backend: a RAM disk. Reads, writes, discard and write-zeroes; no
//! flush (nothing is volatile). Optional fault injection for tests.
use std::io;
use std::sync::Mutex;
use ublk::{Backend, Features};

/// Reads overlapping [start, start+len) fail with `errno`, or panic.
pub struct Fault {
    pub start: u64,
    pub len: u64,
    pub errno: Option<i32>, // None: panic
}

pub struct RamDisk {
    data: Mutex<Vec<u8>>,
    pub fault: Option<Fault>,
}

impl RamDisk {
    pub fn new(size: usize) -> RamDisk {
        RamDisk {
            data: Mutex::new(vec![0; size]),
            fault: None,
        }
    }

    fn check_fault(&self, off: u64, len: usize) -> io::Result<()> {
        if let Some(f) = &self.fault {
            if off < f.start + f.len && f.start < off + len as u64 {
                match f.errno {
                    Some(e) => return Err(io::Error::from_raw_os_error(e)),
                    None => panic!("injected panic reading {} bytes at {}", len, off),
                }
            }
        }
        Ok(())
    }
}

// Called on the queue threads; the library keeps every request inside the
// device, so the ranges below are in bounds.
impl Backend for RamDisk {
    fn features(&self) -> Features {
        Features {
            discard: true,
            write_zeroes: true,
            ..Features::default()
        }
    }
    fn read(&self, buf: &mut [u8], off: u64) -> io::Result<usize> {
        self.check_fault(off, buf.len())?;
        let d = self.data.lock().unwrap();
        buf.copy_from_slice(&d[off as usize..off as usize + buf.len()]);
        Ok(buf.len())
    }
    fn write(&self, buf: &[u8], off: u64, _fua: bool) -> io::Result<usize> {
        let mut d = self.data.lock().unwrap();
        d[off as usize..off as usize + buf.len()].copy_from_slice(buf);
        Ok(buf.len())
    }
    fn discard(&self, off: u64, len: u32) -> io::Result<()> {
        self.write_zeroes(off, len, false)
    }
    fn write_zeroes(&self, off: u64, len: u32, _no_unmap: bool) -> io::Result<()> {
        let mut d = self.data.lock().unwrap();
        d[off as usize..off as usize + len as usize].fill(0);
        Ok(())
    }
}
