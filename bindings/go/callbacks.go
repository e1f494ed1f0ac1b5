package ublk

// The functions libublk calls (set in gw_dev_create, ublk.go). They run on
// libublk's queue threads, except goUblkFree (the thread closing the device
// or failing its creation). Only conversion here; the backend is called
// through backendCtx (context.go), which contains panics.

/*
#include <stdint.h>
#include <ublk.h>
*/
import "C"

import (
	"runtime/cgo"
	"syscall"
	"unsafe"
)

func ctxOf(ud unsafe.Pointer) *backendCtx {
	return cgo.Handle(uintptr(ud)).Value().(*backendCtx)
}

//export goUblkRead
func goUblkRead(ud unsafe.Pointer, io *C.ublk_io, buf unsafe.Pointer, length C.uint32_t, off C.uint64_t) C.int32_t {
	p := unsafe.Slice((*byte)(buf), int(length))
	return C.int32_t(ctxOf(ud).readAt(p, int64(off)))
}

//export goUblkWrite
func goUblkWrite(ud unsafe.Pointer, io *C.ublk_io, buf unsafe.Pointer, length C.uint32_t, off C.uint64_t) C.int32_t {
	p := unsafe.Slice((*byte)(buf), int(length))
	return C.int32_t(ctxOf(ud).writeAt(p, int64(off)))
}

//export goUblkFlush
func goUblkFlush(ud unsafe.Pointer, io *C.ublk_io) C.int32_t {
	return C.int32_t(ctxOf(ud).flush())
}

//export goUblkDiscard
func goUblkDiscard(ud unsafe.Pointer, io *C.ublk_io, off C.uint64_t, length C.uint32_t) C.int32_t {
	return C.int32_t(ctxOf(ud).discard(int64(off), int64(length)))
}

//export goUblkWriteZeroes
func goUblkWriteZeroes(ud unsafe.Pointer, io *C.ublk_io, off C.uint64_t, length C.uint32_t) C.int32_t {
	return C.int32_t(ctxOf(ud).writeZeroes(int64(off), int64(length)))
}

//export goUblkSubmit
func goUblkSubmit(ud unsafe.Pointer, io *C.ublk_io) (res C.int32_t) {
	c := ctxOf(ud)
	r := &Request{io: io}
	defer func() {
		if v := recover(); v != nil {
			c.recovered("Submit", v)
			// Fail the request unless the backend completed it already; a
			// later Complete from the backend is then ignored.
			r.abandoned.Store(true)
			if r.done.CompareAndSwap(false, true) {
				C.ublk_io_complete(io, -C.int32_t(syscall.EIO))
			}
			res = 0
		}
	}()
	c.async.Submit(r)
	return 0
}

// The address is inside the backend's Memory, an mmap'd region outside the
// Go heap: C may use it after this returns.
//
//export goUblkDataAt
func goUblkDataAt(ud unsafe.Pointer, op, flags C.uint32_t, off C.uint64_t, length C.uint32_t) unsafe.Pointer {
	fua := flags&C.UBLK_OP_FLAG_FUA != 0
	return ctxOf(ud).dataAt(Op(op), fua, int64(off), int(length))
}

//export goUblkFree
func goUblkFree(ud unsafe.Pointer) {
	releaseHandle(cgo.Handle(uintptr(ud)))
}
