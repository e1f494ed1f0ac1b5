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
