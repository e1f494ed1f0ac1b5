package ublk

import "io"

// Backend serves a device synchronously. ReadAt fills p from offset off,
// WriteAt stores p at off; both return len(p) on success. The methods run
// on the queue thread of the request and may block (that stalls the queue).
// An error reaches the reader as its syscall.Errno (EIO if it has none).
type Backend interface {
	io.ReaderAt
	io.WriterAt
}

// Flusher is implemented by backends with a volatile cache: the device then
// advertises a write cache and the kernel sends flushes.
type Flusher interface {
	Flush() error
}

// Discarder is implemented by backends that can discard a byte range; the
// device then advertises discard.
type Discarder interface {
	Discard(off, length int64) error
}

// ZeroWriter is implemented by backends that can zero a byte range; the
// device then advertises write-zeroes.
type ZeroWriter interface {
	WriteZeroes(off, length int64) error
}

// InMemory is implemented by a backend (either form) whose data lives in a
// Memory. Where the library copies request data itself (DataModeUserCopy,
// DataModeZeroCopy) it then asks DataAt for every READ and WRITE and
// copies straight between the request and the Memory, without ReadAt,
// WriteAt or Submit; DataModeAuto picks user copy where the kernel has it.
type InMemory interface {
	// Memory is the region; called once, in Create, which fails with
	// EINVAL if it is nil or closed. It stays attached until Close.
	Memory() *Memory
	// DataAt says where the device's length bytes at off are: at pos in
	// Memory().Bytes(), or ok=false (also for a range not all inside) to
	// take the request the normal way. fua marks a FUA write. Called on the
	// request's queue thread in the hot path: must not block, keep it to a
	// lookup. A copy the kernel cannot make comes back the normal way; a
	// panic counts as ok=false and is reported like the others.
	DataAt(op Op, off int64, length int, fua bool) (pos int64, ok bool)
}

// Features lists what an AsyncBackend handles beyond read and write; it is
// what the device advertises (see struct ublk_backend_ops in ublk.h).
type Features struct {
	Flush, FUA, Discard, WriteZeroes bool
}

// AsyncBackend serves a device asynchronously: Submit is called on the
// request's queue thread for every request and must not block; the request
// is finished later with Request.Complete, from any goroutine.
type AsyncBackend interface {
	Features() Features
	Submit(r *Request)
}

// Op is the operation of a request (UBLK_OP_*).
type Op uint32

const (
	OpRead        Op = 0
	OpWrite       Op = 1
	OpFlush       Op = 2
	OpDiscard     Op = 3
	OpWriteZeroes Op = 5
)
