//! The safe crate against the real library, without a kernel driver:
//! errors from the library's validation, error conversion, ownership of the
//! backend on failed creation.
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use ublk::errno::{EINVAL, ENOSPC, EOPNOTSUPP};
use ublk::{AsyncBackend, Backend, DeviceBuilder, Features, Io};

struct Counted(Arc<AtomicUsize>);
impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}
impl Backend for Counted {}
impl AsyncBackend for Counted {
    fn features(&self) -> Features {
        Features {
            flush: true,
            fua: true,
            discard: true,
            write_zeroes: true,
            data_in_memory: false,
        }
    }
    fn submit(&self, io: Io) {
        io.complete(Ok(0));
    }
}

#[test]
fn setter_errors_carry_errno_and_message() {
    let mut b = DeviceBuilder::new().unwrap();
    let e = b.depth(5000).err().expect("depth 5000 accepted");
    assert_eq!(e.errno(), EINVAL);
    assert!(
        e.message().starts_with("ublk_config_set_depth: "),
        "{}",
        e.message()
    );
    assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
    let e = b
        .block_size(3000, 0)
        .err()
        .expect("block size 3000 accepted");
    assert!(
        e.message().starts_with("ublk_config_set_block_size: "),
        "{}",
        e.message()
    );
    let e = b.io_hints(3000, 0).err().expect("io_min 3000 accepted");
    assert!(
        e.message().starts_with("ublk_config_set_io_hints: "),
        "{}",
        e.message()
    );
    b.queue_affinity(ublk::QueueAffinity::None).unwrap();
    b.queue_affinity(ublk::QueueAffinity::Auto).unwrap();
    b.queue_sched(ublk::QueueSched::Batch).unwrap();
    b.queue_sched(ublk::QueueSched::Inherit).unwrap();
    let e = b
        .queue_threads(5000)
        .err()
        .expect("5000 queue threads accepted");
    assert_eq!(e.errno(), EINVAL);
    assert!(
        e.message().starts_with("ublk_config_set_queue_threads: "),
        "{}",
        e.message()
    );
    b.queue_threads(0).unwrap();
    b.batch_io(ublk::BatchIo::On).unwrap();
    b.batch_io(ublk::BatchIo::Auto).unwrap();
    // Every data mode is accepted here; the kernel decides at create.
    b.data_mode(ublk::DataMode::ZeroCopy).unwrap();
    b.data_mode(ublk::DataMode::Copy).unwrap();
    // Valid settings chain.
    b.size(64 << 20)
        .unwrap()
        .queues(2)
        .unwrap()
        .depth(32)
        .unwrap();
}

#[test]
fn error_converts_to_io_error() {
    let mut b = DeviceBuilder::new().unwrap();
    let e = b.queues(0).err().unwrap();
    let text = e.to_string();
    let ioe: io::Error = e.clone().into();
    assert_eq!(ioe.kind(), io::ErrorKind::InvalidInput);
    let back = ioe
        .get_ref()
        .unwrap()
        .downcast_ref::<ublk::Error>()
        .unwrap();
    assert_eq!(back, &e);
    assert!(
        text.contains("ublk_config_set_queues") && text.contains("os error 22"),
        "{text}"
    );
}

#[test]
fn failed_create_drops_the_backend_once() {
    // No size: refused by ublk_dev_create before anything reaches the kernel.
    let b = DeviceBuilder::new().unwrap();
    let drops = Arc::new(AtomicUsize::new(0));
    let e = b
        .create(Counted(drops.clone()))
        .err()
        .expect("created without a size");
    assert_eq!(e.errno(), EINVAL);
    assert!(
        e.message().starts_with("ublk_dev_create: "),
        "{}",
        e.message()
    );
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    let e = b.create_async(Counted(drops.clone())).err().unwrap();
    assert_eq!(e.errno(), EINVAL);
    assert_eq!(drops.load(Ordering::SeqCst), 2);
}

#[test]
fn errno_of_maps_os_errors_and_kinds() {
    assert_eq!(
        ublk::errno_of(&io::Error::from_raw_os_error(ENOSPC)),
        ENOSPC
    );
    assert_eq!(
        ublk::errno_of(&io::Error::new(io::ErrorKind::InvalidInput, "x")),
        EINVAL
    );
    assert_eq!(ublk::errno_of(&ublk::unsupported()), EOPNOTSUPP);
    assert_eq!(
        ublk::errno_of(&io::Error::new(io::ErrorKind::Other, "x")),
        ublk::errno::EIO
    );
}

#[test]
fn version_and_feature_names() {
    assert_eq!(ublk::version(), (0, 1, 0));
    assert_eq!(ublk::feature_name(6), Some("CMD_IOCTL_ENCODE"));
    assert_eq!(ublk::feature_name(63), None);
}

#[test]
fn data_mode_names_round_trip() {
    use ublk::DataMode::*;
    let modes = [
        (Copy, "copy"),
        (NeedGetData, "need-get-data"),
        (UserCopy, "user-copy"),
        (ZeroCopy, "zero-copy"),
        (Auto, "auto"),
        (ZeroCopyManual, "zero-copy-manual"),
    ];
    for (mode, name) in modes {
        assert_eq!(mode.name(), name);
        assert_eq!(mode.to_string(), name);
        assert_eq!(name.parse::<ublk::DataMode>(), Ok(mode));
    }
}

#[test]
fn data_mode_parse_refuses_unknown_names() {
    let e = "fast".parse::<ublk::DataMode>().unwrap_err();
    assert_eq!(e.errno(), EINVAL);
    assert_eq!(
        e.message(),
        "ublk_data_mode_from_name: unknown data mode 'fast'"
    );
    for name in ["", "COPY", "zero_copy", "copy\0x"] {
        let e = name.parse::<ublk::DataMode>().unwrap_err();
        assert_eq!(e.errno(), EINVAL, "{:?}", name);
    }
}
