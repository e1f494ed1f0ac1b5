package main

import (
	"sync"
	"sync/atomic"
	"syscall"

	"libublk.dev/ublk"
)

// ramDisk is the backend: memory, with discard and write-zeroes; no Flush
// (nothing is volatile). Its methods run on libublk's queue threads. The
// bytes are in a ublk.Memory (mmap'd, outside the Go heap), so that with
// -data-at the library can copy requests straight into them (inMemory).
type ramDisk struct {
	mu  sync.RWMutex
	mem *ublk.Memory
	// Reads overlapping [failStart, failStart+failLen) fail with failErrno.
	failStart, failLen int64
	failErrno          syscall.Errno
	served             served
}

// served counts the READs and WRITEs served by ReadAt/WriteAt (the
// callbacks, also under -async) and by DataAt.
type served struct{ reads, writes, readsAt, writesAt atomic.Uint64 }

func (d *ramDisk) faulty(off, length int64) bool {
	return d.failLen > 0 && off < d.failStart+d.failLen && d.failStart < off+length
}

func (d *ramDisk) ReadAt(p []byte, off int64) (int, error) {
	d.served.reads.Add(1)
	if d.faulty(off, int64(len(p))) {
		return 0, d.failErrno
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	return copy(p, d.mem.Bytes()[off:]), nil
}

func (d *ramDisk) WriteAt(p []byte, off int64) (int, error) {
	d.served.writes.Add(1)
	d.mu.Lock()
	defer d.mu.Unlock()
	return copy(d.mem.Bytes()[off:], p), nil
}

func (d *ramDisk) WriteZeroes(off, length int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	b := d.mem.Bytes()[off : off+length]
	for i := range b {
		b[i] = 0
	}
	return nil
}

func (d *ramDisk) Discard(off, length int64) error { return d.WriteZeroes(off, length) }

// inMemory adds ublk.InMemory to either form of the disk (-data-at): where
// the library copies (user copy) it asks DataAt for every READ and WRITE
// and copies straight between the request and the Memory.
type inMemory struct{ d *ramDisk }

func (m inMemory) Memory() *ublk.Memory { return m.d.mem }

// DataAt runs on a queue thread. A faulty range takes the normal way, to
// ReadAt and its error.
func (m inMemory) DataAt(op ublk.Op, off int64, length int, fua bool) (int64, bool) {
	if op == ublk.OpRead && m.d.faulty(off, int64(length)) {
		return 0, false
	}
	if op == ublk.OpRead {
		m.d.served.readsAt.Add(1)
	} else {
		m.d.served.writesAt.Add(1)
	}
	return off, true
}
