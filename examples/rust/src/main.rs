//! ublk-ramdisk: a RAM disk served through the libublk Rust binding.
//!
//!   ublk-ramdisk [--size-mib N] [--queues N] [--depth N] [--async]
//!                [--data-at] [--data-mode MODE]
//!                [--fail-read START:LEN:ERRNO] [--panic-read START:LEN]
//!
//! Prints /dev/ublkbN on stdout once the device is live; stops on SIGINT,
//! SIGTERM or `ublk del`. --fail-read makes reads overlapping the byte range
//! fail with ERRNO; --panic-read makes them panic (the request gets EIO, the
//! panic is reported and the exit status is 1). --async serves requests
//! from a worker thread through the asynchronous backend interface.
//! --data-at answers `data_at`: where the library copies (MODE user-copy,
//! or auto where the kernel has it) it copies READs and WRITEs straight
//! between the request and the disk's memory, without read/write/submit.
//! MODE: copy (default), need-get-data, user-copy, zero-copy, auto,
//! zero-copy-manual. The exit line on stderr counts the READs and WRITEs
//! each way went.
mod ramdisk;
mod signals;
mod worker;

use ramdisk::{Fault, RamDisk};
use std::process::exit;
use ublk::DataMode;

struct Args {
    size_mib: u64,
    queues: u32,
    depth: u32,
    is_async: bool,
    data_at: bool,
    mode: DataMode,
    fault: Option<Fault>,
}

fn usage(msg: &str) -> ! {
    eprintln!("ublk-ramdisk: {}", msg);
    eprintln!(
        "usage: ublk-ramdisk [--size-mib N] [--queues N] [--depth N] [--async] \
         [--data-at] [--data-mode MODE] [--fail-read START:LEN:ERRNO] [--panic-read START:LEN]"
    );
    exit(2)
}

fn num(s: &str) -> u64 {
    s.parse()
        .unwrap_or_else(|_| usage(&format!("not a number: {}", s)))
}

fn parse_args() -> Args {
    let mut a = Args {
        size_mib: 256,
        queues: 1,
        depth: 64,
        is_async: false,
        data_at: false,
        mode: DataMode::Copy,
        fault: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--async" {
            a.is_async = true;
            continue;
        }
        if flag == "--data-at" {
            a.data_at = true;
            continue;
        }
        let v = it
            .next()
            .unwrap_or_else(|| usage(&format!("{} needs a value", flag)));
        if flag == "--data-mode" {
            a.mode = v
                .parse()
                .unwrap_or_else(|_| usage(&format!("unknown data mode: {}", v)));
            continue;
        }
        let parts: Vec<u64> = v.split(':').map(num).collect();
        match (flag.as_str(), parts.as_slice()) {
            ("--size-mib", [n]) => a.size_mib = *n,
            ("--queues", [n]) => a.queues = *n as u32,
            ("--depth", [n]) => a.depth = *n as u32,
            ("--fail-read", [s, l, e]) => {
                a.fault = Some(Fault {
                    start: *s,
                    len: *l,
                    errno: Some(*e as i32),
                })
            }
            ("--panic-read", [s, l]) => {
                a.fault = Some(Fault {
                    start: *s,
                    len: *l,
                    errno: None,
                })
            }
            _ => usage(&format!("bad argument: {} {}", flag, v)),
        }
    }
    a
}

fn run(a: Args) -> Result<(), ublk::Error> {
    let size = a.size_mib << 20;
    let mut disk = RamDisk::new(size as usize).unwrap_or_else(|e| {
        eprintln!("ublk-ramdisk: {} MiB of memory: {}", a.size_mib, e);
        exit(1)
    });
    disk.fault = a.fault;
    disk.data_at = a.data_at;
    let served = disk.served.clone();
    let mut b = ublk::DeviceBuilder::new()?;
    b.size(size)?.queues(a.queues)?.depth(a.depth)?;
    b.data_mode(a.mode)?;
    let mut dev = if a.is_async {
        b.create_async(worker::Worker::new(disk))?
    } else {
        b.create(disk)?
    };
    dev.start()?;
    println!("{}", dev.path());
    std::thread::scope(|s| {
        let dev = &dev;
        let stopper = s.spawn(move || {
            signals::wait();
            dev.stop()
        });
        let waited = dev.wait(); // until a signal or `ublk del`
        signals::wake(); // release the stopper if the device went away by itself
        let stopped = stopper.join().expect("signal thread");
        waited.and(stopped)
    })?;
    let mode = dev.data_mode().name();
    dev.close()?;
    eprintln!("ublk-ramdisk: {}", served.report(mode));
    Ok(())
}

fn main() {
    // Before any thread exists, so that all of them block the signals.
    signals::block();
    if let Err(e) = run(parse_args()) {
        eprintln!("ublk-ramdisk: {}", e);
        exit(1);
    }
}
