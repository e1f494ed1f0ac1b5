package main

import (
	"sync"
	"syscall"
)

// ramDisk is the backend: memory, with discard and write-zeroes; no Flush
// (nothing is volatile). Its methods run on libublk's queue threads.
type ramDisk struct {
	mu   sync.RWMutex
	data []byte
	// Reads overlapping [failStart, failStart+failLen) fail with failErrno.
	failStart, failLen int64
	failErrno          syscall.Errno
}

func (d *ramDisk) ReadAt(p []byte, off int64) (int, error) {
	if d.failLen > 0 && off < d.failStart+d.failLen && d.failStart < off+int64(len(p)) {
		return 0, d.failErrno
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	return copy(p, d.data[off:]), nil
}

func (d *ramDisk) WriteAt(p []byte, off int64) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return copy(d.data[off:], p), nil
}

func (d *ramDisk) WriteZeroes(off, length int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range d.data[off : off+length] {
		d.data[off+int64(i)] = 0
	}
	return nil
}

func (d *ramDisk) Discard(off, length int64) error { return d.WriteZeroes(off, length) }
