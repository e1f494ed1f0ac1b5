package ublk

/*
#include <stdint.h>
#include <ublk.h>
*/
import "C"

import (
	"sync/atomic"
	"syscall"
	"unsafe"
)

// Request is one request handed to an AsyncBackend's Submit. It belongs to
// the backend until Complete, which may be called from any goroutine,
// exactly once (a second call panics). Buf is valid until then.
type Request struct {
	io        *C.ublk_io
	done      atomic.Bool
	abandoned atomic.Bool // Submit panicked: failed with EIO by the binding
}

// Op is the operation.
func (r *Request) Op() Op { return Op(C.ublk_io_op(r.io)) }

// FUA reports a write that must be durable on completion.
func (r *Request) FUA() bool { return C.ublk_io_flags(r.io)&C.UBLK_OP_FLAG_FUA != 0 }

// NoUnmap reports a write-zeroes that must keep the space allocated.
func (r *Request) NoUnmap() bool { return C.ublk_io_flags(r.io)&C.UBLK_OP_FLAG_NOUNMAP != 0 }

// Offset is the byte offset on the device (0 for flush).
func (r *Request) Offset() int64 { return int64(C.ublk_io_offset(r.io)) }

// Len is the length in bytes (0 for flush).
func (r *Request) Len() int { return int(C.ublk_io_length(r.io)) }

// Queue and Tag identify the request's slot.
func (r *Request) Queue() uint32 { return uint32(C.ublk_io_queue(r.io)) }
func (r *Request) Tag() uint32   { return uint32(C.ublk_io_tag(r.io)) }

// Buf is the request's data: the bytes of a write, or where a read puts
// them; nil for other operations. Libublk's memory: do not keep it after
// Complete.
func (r *Request) Buf() []byte {
	p := C.ublk_io_buf(r.io)
	if p == nil {
		return nil
	}
	return unsafe.Slice((*byte)(p), r.Len())
}

// Complete finishes the request: n bytes done for read/write (0 for other
// operations) when err is nil; otherwise the reader sees err's errno (EIO
// if it has none).
func (r *Request) Complete(n int, err error) {
	if !r.done.CompareAndSwap(false, true) {
		if r.abandoned.Load() {
			return
		}
		panic("ublk: Request completed twice")
	}
	res := int32(n)
	if err != nil {
		res = -int32(errnoOf(err))
	} else if n < 0 || n > r.Len() {
		res = -int32(syscall.EIO)
	}
	C.ublk_io_complete(r.io, C.int32_t(res))
}
