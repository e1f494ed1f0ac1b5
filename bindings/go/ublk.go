package ublk

/*
#cgo pkg-config: libublk
#include <stdint.h>
#include <stdlib.h>
#include <ublk.h>

// Exported from callbacks.go.
extern int32_t goUblkRead(void *, ublk_io *, void *, uint32_t, uint64_t);
extern int32_t goUblkWrite(void *, ublk_io *, void *, uint32_t, uint64_t);
extern int32_t goUblkFlush(void *, ublk_io *);
extern int32_t goUblkDiscard(void *, ublk_io *, uint64_t, uint32_t);
extern int32_t goUblkWriteZeroes(void *, ublk_io *, uint64_t, uint32_t);
extern int32_t goUblkSubmit(void *, ublk_io *);
extern void *goUblkDataAt(void *, uint32_t, uint32_t, uint64_t, uint32_t);
extern void goUblkFree(void *);

static int32_t gw_write(void *ud, ublk_io *io, const void *buf, uint32_t len, uint64_t off) {
	return goUblkWrite(ud, io, (void *)buf, len, off);
}

// Creates the device with the Go trampolines; the cgo.Handle h is the
// user data (released by goUblkFree, exactly once, also on failure).
static int gw_dev_create(const ublk_config *cfg, int async, int flush, int discard, int wz,
                         int data_at, uint64_t flags, uintptr_t h, ublk_dev **out) {
	struct ublk_backend_ops ops = UBLK_BACKEND_OPS_INIT;
	ops.flags = flags;
	ops.free_user_data = goUblkFree;
	if (async) {
		ops.submit = goUblkSubmit;
	} else {
		ops.read = goUblkRead;
		ops.write = gw_write;
		if (flush) ops.flush = goUblkFlush;
		if (discard) ops.discard = goUblkDiscard;
		if (wz) ops.write_zeroes = goUblkWriteZeroes;
	}
	if (data_at) ops.data_at = goUblkDataAt;
	return ublk_dev_create(cfg, &ops, (void *)h, out);
}
*/
import "C"

import (
	"fmt"
	"runtime"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// call runs one libublk call and, on failure, copies ublk_last_error() on
// the same OS thread (the goroutine is locked to it for both calls).
func call(op string, f func() C.int) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	rc := f()
	if rc >= 0 {
		return nil
	}
	return &Error{Op: op, Errno: syscall.Errno(-rc), Msg: C.GoString(C.ublk_last_error())}
}

// DataMode is how request data moves between the kernel and the backend's
// buffer (UBLK_DATA_MODE_*); the backend sees the same API in every mode.
type DataMode uint32

const (
	DataModeCopy        DataMode = 0
	DataModeNeedGetData DataMode = 1
	DataModeUserCopy    DataMode = 2
	DataModeZeroCopy    DataMode = 3
	// DataModeAuto picks the fastest mode the kernel and backend allow.
	DataModeAuto DataMode = 4
	// DataModeZeroCopyManual registers buffers by hand on every request.
	DataModeZeroCopyManual DataMode = 5
)

// String is the library's name of the mode (ublk_data_mode_name): "copy",
// "need-get-data", "user-copy", "zero-copy", "auto" or "zero-copy-manual",
// as the ublk CLI's --data-mode takes them; "DataMode(N)" for a number the
// library does not know.
func (m DataMode) String() string {
	p := C.ublk_data_mode_name(C.uint32_t(m))
	if p == nil {
		return fmt.Sprintf("DataMode(%d)", uint32(m))
	}
	return C.GoString(p)
}

// ParseDataMode is the DataMode whose String is name
// (ublk_data_mode_from_name). Errors: *Error with EINVAL for any other name.
func ParseDataMode(name string) (DataMode, error) {
	// C would see only the part before a NUL, and might accept it.
	if strings.IndexByte(name, 0) >= 0 {
		return 0, &Error{Op: "ParseDataMode", Errno: syscall.EINVAL,
			Msg: fmt.Sprintf("ParseDataMode: name %q contains a NUL byte", name)}
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var m C.uint32_t
	err := call("ublk_data_mode_from_name", func() C.int {
		return C.ublk_data_mode_from_name(cname, &m)
	})
	return DataMode(m), err
}

// QueueAffinity says which CPUs each queue thread may run on
// (UBLK_QUEUE_AFFINITY_*).
type QueueAffinity uint32

const (
	// QueueAffinityAuto pins to the queue's CPUs when they are two or more.
	QueueAffinityAuto QueueAffinity = 0
	// QueueAffinityQueueCPUs always pins to the queue's CPUs.
	QueueAffinityQueueCPUs QueueAffinity = 1
	// QueueAffinityNone never pins.
	QueueAffinityNone QueueAffinity = 2
)

// QueueSched is the scheduling policy of the queue threads
// (UBLK_QUEUE_SCHED_*).
type QueueSched uint32

const (
	// QueueSchedInherit keeps the policy of the thread that starts the device.
	QueueSchedInherit QueueSched = 0
	// QueueSchedBatch is SCHED_BATCH: a woken queue thread does not preempt
	// the task on its CPU. Start fails with the errno if the system refuses.
	QueueSchedBatch QueueSched = 1
)

// BatchIO says whether the queues use batch I/O commands (UBLK_BATCH_IO_*,
// Linux 7.0+).
type BatchIO uint32

const (
	// BatchIOAuto uses them when the kernel has them and the data mode allows.
	BatchIOAuto BatchIO = 0
	// BatchIOOff never uses them.
	BatchIOOff BatchIO = 1
	// BatchIOOn always uses them; Create fails with EOPNOTSUPP where it cannot.
	BatchIOOn BatchIO = 2
)

// Config describes a device. Zero fields keep libublk's defaults (1 queue
// of depth 64, 512-byte blocks, 512 KiB max I/O, automatic id, writable,
// non-rotational, copy mode, 30 s control timeout). Size is required.
// Create passes every set field to its ublk_config_* setter, which
// validates it: a bad value is an *Error naming the setter.
type Config struct {
	Size              uint64 // bytes, a multiple of the logical block size
	Queues            uint32
	Depth             uint32
	LogicalBlockSize  uint32
	PhysicalBlockSize uint32 // 0: same as logical
	MaxIOSize         uint32
	ID                *uint32 // nil: the kernel chooses N of /dev/ublkbN
	ReadOnly          bool
	Rotational        bool
	DataMode          DataMode // a mode the kernel lacks: Create fails with EOPNOTSUPP
	IOMin, IOOpt      uint32   // I/O size hints; 0: the defaults
	QueueAffinity     QueueAffinity
	QueueSched        QueueSched
	QueueThreads      uint32 // 0: one thread per queue; N: N threads share the queues
	BatchIO           BatchIO
	CtrlTimeout       time.Duration
}

// ID returns a pointer to n, for Config.ID.
func ID(n uint32) *uint32 { return &n }

func boolInt(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

func (c *Config) apply(cfg *C.ublk_config) error {
	type setter struct {
		on bool
		op string
		f  func() C.int
	}
	ms := c.CtrlTimeout.Milliseconds()
	if ms > 1<<32-1 {
		ms = 1<<32 - 1
	}
	id := C.int32_t(0)
	if c.ID != nil {
		id = C.int32_t(int32(*c.ID))
		if *c.ID > 1<<31-1 {
			id = 1<<31 - 1
		}
	}
	setters := []setter{
		{c.Size != 0, "ublk_config_set_size", func() C.int {
			return C.ublk_config_set_size(cfg, C.uint64_t(c.Size))
		}},
		{c.LogicalBlockSize != 0 || c.PhysicalBlockSize != 0, "ublk_config_set_block_size",
			func() C.int {
				return C.ublk_config_set_block_size(cfg, C.uint32_t(c.LogicalBlockSize),
					C.uint32_t(c.PhysicalBlockSize))
			}},
		{c.Queues != 0, "ublk_config_set_queues", func() C.int {
			return C.ublk_config_set_queues(cfg, C.uint32_t(c.Queues))
		}},
		{c.Depth != 0, "ublk_config_set_depth", func() C.int {
			return C.ublk_config_set_depth(cfg, C.uint32_t(c.Depth))
		}},
		{c.MaxIOSize != 0, "ublk_config_set_max_io_size", func() C.int {
			return C.ublk_config_set_max_io_size(cfg, C.uint32_t(c.MaxIOSize))
		}},
		{c.ID != nil, "ublk_config_set_dev_id", func() C.int {
			return C.ublk_config_set_dev_id(cfg, id)
		}},
		{c.ReadOnly, "ublk_config_set_read_only", func() C.int {
			return C.ublk_config_set_read_only(cfg, boolInt(c.ReadOnly))
		}},
		{c.Rotational, "ublk_config_set_rotational", func() C.int {
			return C.ublk_config_set_rotational(cfg, boolInt(c.Rotational))
		}},
		{c.DataMode != DataModeCopy, "ublk_config_set_data_mode", func() C.int {
			return C.ublk_config_set_data_mode(cfg, C.uint32_t(c.DataMode))
		}},
		{c.QueueAffinity != QueueAffinityAuto, "ublk_config_set_queue_affinity", func() C.int {
			return C.ublk_config_set_queue_affinity(cfg, C.uint32_t(c.QueueAffinity))
		}},
		{c.QueueSched != QueueSchedInherit, "ublk_config_set_queue_sched", func() C.int {
			return C.ublk_config_set_queue_sched(cfg, C.uint32_t(c.QueueSched))
		}},
		{c.QueueThreads != 0, "ublk_config_set_queue_threads", func() C.int {
			return C.ublk_config_set_queue_threads(cfg, C.uint32_t(c.QueueThreads))
		}},
		{c.BatchIO != BatchIOAuto, "ublk_config_set_batch_io", func() C.int {
			return C.ublk_config_set_batch_io(cfg, C.uint32_t(c.BatchIO))
		}},
		{c.IOMin != 0 || c.IOOpt != 0, "ublk_config_set_io_hints", func() C.int {
			return C.ublk_config_set_io_hints(cfg, C.uint32_t(c.IOMin), C.uint32_t(c.IOOpt))
		}},
		{c.CtrlTimeout != 0, "ublk_config_set_ctrl_timeout_ms", func() C.int {
			return C.ublk_config_set_ctrl_timeout_ms(cfg, C.uint32_t(ms))
		}},
	}
	for _, s := range setters {
		if s.on {
			if err := call(s.op, s.f); err != nil {
				return err
			}
		}
	}
	return nil
}

// Device is a kernel device served by a Go backend. Stop, Wait and the
// accessors may be called from any goroutine, also concurrently; Start and
// Close belong to the owner and must not run concurrently with other calls.
type Device struct {
	dev *C.ublk_dev
	ctx *backendCtx
}

// Create makes a kernel device from cfg, served by backend (synchronous
// form; Flusher, Discarder, ZeroWriter and InMemory are detected). The device is not
// visible until Start. Blocks for the control commands. Errors (*Error):
// EINVAL (bad config, nothing sent to the kernel), EOPNOTSUPP, ENOENT (no
// driver), EPERM/EACCES, EEXIST (id taken), ETIMEDOUT.
func Create(cfg Config, backend Backend) (*Device, error) {
	if backend == nil {
		return nil, &Error{Op: "Create", Errno: syscall.EINVAL, Msg: "Create: nil backend"}
	}
	return create(&cfg, &backendCtx{sync: backend})
}

// CreateAsync is Create for an asynchronous backend (InMemory is detected).
func CreateAsync(cfg Config, backend AsyncBackend) (*Device, error) {
	if backend == nil {
		return nil, &Error{Op: "CreateAsync", Errno: syscall.EINVAL, Msg: "CreateAsync: nil backend"}
	}
	return create(&cfg, &backendCtx{async: backend})
}

func create(cfg *Config, ctx *backendCtx) (*Device, error) {
	var c *C.ublk_config
	if err := call("ublk_config_new", func() C.int { return C.ublk_config_new(&c) }); err != nil {
		return nil, err
	}
	defer C.ublk_config_free(c)
	if err := cfg.apply(c); err != nil {
		return nil, err
	}
	var async, flush, discard, wz C.int
	var flags C.uint64_t
	if ctx.async != nil {
		async = 1
		f := ctx.async.Features()
		for _, b := range []struct {
			on  bool
			bit C.uint64_t
		}{{f.Flush, C.UBLK_BACKEND_F_FLUSH}, {f.FUA, C.UBLK_BACKEND_F_FUA},
			{f.Discard, C.UBLK_BACKEND_F_DISCARD}, {f.WriteZeroes, C.UBLK_BACKEND_F_WRITE_ZEROES}} {
			if b.on {
				flags |= b.bit
			}
		}
	} else {
		_, isF := ctx.sync.(Flusher)
		_, isD := ctx.sync.(Discarder)
		_, isZ := ctx.sync.(ZeroWriter)
		flush, discard, wz = boolInt(isF), boolInt(isD), boolInt(isZ)
	}
	if err := ctx.attachMemory(); err != nil {
		return nil, err
	}
	dataAt := boolInt(ctx.mem != nil)
	h := newHandle(ctx) // from here on goUblkFree detaches the Memory
	var dev *C.ublk_dev
	err := call("ublk_dev_create", func() C.int {
		return C.gw_dev_create(c, async, flush, discard, wz, dataAt, flags, C.uintptr_t(h), &dev)
	})
	if err != nil {
		return nil, err // goUblkFree has released h
	}
	return &Device{dev: dev, ctx: ctx}, nil
}

var errClosed = &Error{Op: "Device", Errno: syscall.EINVAL, Msg: "device is closed"}

// Start serves the device: one thread per queue; returns once /dev/ublkbN
// exists. Backend methods run from before it returns. Errors: EINVAL
// (started before), ETIMEDOUT, the kernel's START_DEV errors.
func (d *Device) Start() error {
	if d.dev == nil {
		return errClosed
	}
	return call("ublk_dev_start", func() C.int { return C.ublk_dev_start(d.dev) })
}

// Stop stops the device; when it returns no backend method runs any more.
// Idempotent. Any goroutine. Errors: ETIMEDOUT.
func (d *Device) Stop() error {
	if d.dev == nil {
		return errClosed
	}
	return call("ublk_dev_stop", func() C.int { return C.ublk_dev_stop(d.dev) })
}

// Wait blocks until the device stops serving (Stop, or `ublk del`). Any
// goroutine. Returns an error wrapping EIO if a backend method panicked.
func (d *Device) Wait() error {
	if d.dev == nil {
		return errClosed
	}
	if err := call("ublk_dev_wait", func() C.int { return C.ublk_dev_wait(d.dev) }); err != nil {
		return err
	}
	if msg := d.ctx.panicMessage(); msg != "" {
		return &Error{Op: "backend", Errno: syscall.EIO, Msg: msg}
	}
	return nil
}

// Close stops the device if needed, deletes it and releases the backend.
// Further calls return nil. Errors: ETIMEDOUT, EBUSY (an async backend
// still holds requests; they may still be completed safely).
func (d *Device) Close() error {
	if d.dev == nil {
		return nil
	}
	dev := d.dev
	d.dev = nil
	return call("ublk_dev_close", func() C.int { return C.ublk_dev_close(dev) })
}

// Path is "/dev/ublkbN".
func (d *Device) Path() string { return C.GoString(C.ublk_dev_path(d.dev)) }

// ID is N of /dev/ublkbN.
func (d *Device) ID() uint32 { return uint32(C.ublk_dev_id(d.dev)) }

// Queues is the number of queues the kernel granted.
func (d *Device) Queues() uint32 { return uint32(C.ublk_dev_nr_queues(d.dev)) }

// Depth is the queue depth.
func (d *Device) Depth() uint32 { return uint32(C.ublk_dev_depth(d.dev)) }

// DataMode is the data mode in use (never DataModeAuto).
func (d *Device) DataMode() DataMode { return DataMode(C.ublk_dev_data_mode(d.dev)) }

// BatchIO reports whether the queues use batch I/O commands.
func (d *Device) BatchIO() bool { return C.ublk_dev_batch_io(d.dev) != 0 }

// Panicked reports whether a backend method panicked.
func (d *Device) Panicked() bool { return d.ctx.panicMessage() != "" }

// Version is the run-time library's (major, minor, patch).
func Version() (major, minor, patch uint32) {
	v := uint32(C.ublk_version())
	return v >> 16, (v >> 8) & 0xff, v & 0xff
}

// FeatureName is the name of kernel feature bit (e.g. "ZERO_COPY"), or ""
// if the library does not know it.
func FeatureName(bit uint32) string {
	p := C.ublk_feature_name(C.uint32_t(bit))
	if p == nil {
		return ""
	}
	return C.GoString(p)
}

// KernelFeatures is the kernel driver's feature mask (0 before 6.5).
// Errors: ENOENT (no driver), EACCES/EPERM.
func KernelFeatures() (uint64, error) {
	var f C.uint64_t
	err := call("ublk_get_features", func() C.int { return C.ublk_get_features(&f) })
	return uint64(f), err
}
