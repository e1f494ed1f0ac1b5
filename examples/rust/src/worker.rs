//! The same RAM disk as an asynchronous backend (--async): `submit` only
//! sends the request to a worker thread, which serves it and completes it
//! from there. The pattern for backends that complete I/O elsewhere (a
//! thread pool, an async runtime, another process).
use crate::ramdisk::RamDisk;
use std::io;
use std::sync::{mpsc, Arc, Mutex};
use std::thread::{self, JoinHandle};
use ublk::{AsyncBackend, Backend, DataPtr, Features, Io, Op};

pub struct Worker {
    disk: Arc<RamDisk>,
    tx: Mutex<Option<mpsc::Sender<Io>>>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    pub fn new(disk: RamDisk) -> Worker {
        let disk = Arc::new(disk);
        let (tx, rx) = mpsc::channel::<Io>();
        let d = disk.clone();
        let thread = thread::spawn(move || {
            for mut io in rx {
                let r = serve(&d, &mut io);
                io.complete(r); // from this thread
            }
        });
        Worker {
            disk,
            tx: Mutex::new(Some(tx)),
            thread: Some(thread),
        }
    }
}

fn serve(d: &RamDisk, io: &mut Io) -> io::Result<usize> {
    let off = io.offset();
    match io.op() {
        Op::Read => d.read(io.buf_mut(), off),
        Op::Write => d.write(io.buf(), off, io.fua()),
        Op::Discard => d.discard(off, io.len()).map(|()| 0),
        Op::WriteZeroes => d.write_zeroes(off, io.len(), io.no_unmap()).map(|()| 0),
        _ => Err(ublk::unsupported()),
    }
}

impl AsyncBackend for Worker {
    fn features(&self) -> Features {
        self.disk.features()
    }
    // Queue thread; must not block: an unbounded channel send.
    fn submit(&self, io: Io) {
        if let Some(tx) = self.tx.lock().unwrap().as_ref() {
            // If the worker is gone, the request comes back and is dropped: EIO.
            let _ = tx.send(io);
        }
    }
    // Queue thread: the disk's answer; READs and WRITEs it answers never
    // reach submit.
    fn data_at(&self, op: Op, off: u64, len: u32, fua: bool) -> Option<DataPtr<'_>> {
        self.disk.data_at(op, off, len, fua)
    }
}

// At close, after the last request: stop the worker.
impl Drop for Worker {
    fn drop(&mut self) {
        self.tx.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
