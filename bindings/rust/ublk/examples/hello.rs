use std::io;
use std::sync::Mutex;

struct Ram(Mutex<Vec<u8>>);

impl ublk::Backend for Ram {
    fn read(&self, buf: &mut [u8], off: u64) -> io::Result<usize> {
        buf.copy_from_slice(&self.0.lock().unwrap()[off as usize..][..buf.len()]);
        Ok(buf.len()) // bytes done, or Err(e): the reader sees e's errno
    }
    fn write(&self, buf: &[u8], off: u64, _fua: bool) -> io::Result<usize> {
        self.0.lock().unwrap()[off as usize..][..buf.len()].copy_from_slice(buf);
        Ok(buf.len())
    }
}

fn main() -> Result<(), ublk::Error> {
    let size = 64 << 20;
    let mut dev = ublk::DeviceBuilder::new()?
        .size(size)?
        .queues(2)?
        .create(Ram(Mutex::new(vec![0; size as usize])))?;
    dev.start()?;
    println!("serving {}", dev.path());
    dev.wait() // until `ublk del` (or dev.stop() from another thread)
}
