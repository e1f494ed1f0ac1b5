package ublk

import (
	"fmt"
	"os"
	"runtime/cgo"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// backendCtx is what libublk's user data refers to, through a cgo.Handle.
type backendCtx struct {
	sync  Backend
	async AsyncBackend
	inMem InMemory // with mem, when the backend implements it
	mem   *Memory

	mu         sync.Mutex
	firstPanic string
}

// liveHandles counts handles not yet released (tests check exactly-once).
var liveHandles atomic.Int64

func newHandle(ctx *backendCtx) cgo.Handle {
	liveHandles.Add(1)
	return cgo.NewHandle(ctx)
}

// releaseHandle is free_user_data: called exactly once by libublk.
func releaseHandle(h cgo.Handle) {
	if c := h.Value().(*backendCtx); c.mem != nil {
		c.mem.detach()
	}
	h.Delete()
	liveHandles.Add(-1)
}

func (c *backendCtx) panicMessage() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.firstPanic
}

// recovered turns a panic in a backend method into a report on stderr and
// a record for Device.Wait; the caller then fails the request with EIO.
func (c *backendCtx) recovered(what string, v interface{}) {
	c.recoveredThen(what, "the request failed with EIO", v)
}

// recoveredThen is recovered for a caller that does `then` instead.
func (c *backendCtx) recoveredThen(what, then string, v interface{}) {
	msg := fmt.Sprintf("backend %s panicked: %v", what, v)
	fmt.Fprintf(os.Stderr, "ublk: %s; %s\n%s", msg, then, debug.Stack())
	c.mu.Lock()
	if c.firstPanic == "" {
		c.firstPanic = msg
	}
	c.mu.Unlock()
}

// guard fails the request with EIO if the backend panicked.
func (c *backendCtx) guard(what string, res *int32) {
	if v := recover(); v != nil {
		c.recovered(what, v)
		*res = -int32(syscall.EIO)
	}
}

// The synchronous operations, as libublk results (bytes or -errno).

func (c *backendCtx) readAt(p []byte, off int64) (res int32) {
	defer c.guard("ReadAt", &res)
	n, err := c.sync.ReadAt(p, off)
	return ioResult(n, len(p), err)
}

func (c *backendCtx) writeAt(p []byte, off int64) (res int32) {
	defer c.guard("WriteAt", &res)
	n, err := c.sync.WriteAt(p, off)
	return ioResult(n, len(p), err)
}

func (c *backendCtx) flush() (res int32) {
	defer c.guard("Flush", &res)
	return statusResult(c.sync.(Flusher).Flush())
}

func (c *backendCtx) discard(off, length int64) (res int32) {
	defer c.guard("Discard", &res)
	return statusResult(c.sync.(Discarder).Discard(off, length))
}

func (c *backendCtx) writeZeroes(off, length int64) (res int32) {
	defer c.guard("WriteZeroes", &res)
	return statusResult(c.sync.(ZeroWriter).WriteZeroes(off, length))
}

// attachMemory records the backend's Memory if it is InMemory, keeping it
// mapped until releaseHandle.
func (c *backendCtx) attachMemory() error {
	var b interface{} = c.sync
	if c.async != nil {
		b = c.async
	}
	im, ok := b.(InMemory)
	if !ok {
		return nil
	}
	m := im.Memory()
	if m == nil || !m.attach() {
		return &Error{Op: "Create", Errno: syscall.EINVAL,
			Msg: "Create: the backend's Memory() is nil or closed"}
	}
	c.inMem, c.mem = im, m
	return nil
}

// dataAt is data_at: the address of the answer inside the Memory, or nil
// (for no answer, one outside the Memory, or a panic) for the normal way.
func (c *backendCtx) dataAt(op Op, fua bool, off int64, length int) (p unsafe.Pointer) {
	defer func() {
		if v := recover(); v != nil {
			c.recoveredThen("DataAt", "the request took the normal way", v)
			p = nil
		}
	}()
	pos, ok := c.inMem.DataAt(op, off, length, fua)
	if !ok {
		return nil
	}
	return c.mem.at(pos, length)
}
