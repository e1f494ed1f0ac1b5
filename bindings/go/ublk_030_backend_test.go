package ublk

import (
	"strings"
	"syscall"
	"testing"
)

type faultyDisk struct{ nopDisk }

func (faultyDisk) ReadAt(p []byte, off int64) (int, error) {
	switch off {
	case 0:
		return len(p), nil
	case 4096:
		return 0, syscall.ENOSPC
	}
	panic("bad sector")
}

func (faultyDisk) Discard(off, length int64) error { return nil }

// The synchronous path as the queue thread sees it: results, errnos, and a
// panic contained as EIO and reported by Wait/Panicked.
func TestSyncBackendResultsAndPanics(t *testing.T) {
	c := &backendCtx{sync: faultyDisk{}}
	p := make([]byte, 512)
	if r := c.readAt(p, 0); r != 512 {
		t.Fatalf("read: %d", r)
	}
	if r := c.readAt(p, 4096); r != -int32(syscall.ENOSPC) {
		t.Fatalf("read ENOSPC: %d", r)
	}
	if c.panicMessage() != "" {
		t.Fatal("panic recorded too early")
	}
	if r := c.readAt(p, 8192); r != -int32(syscall.EIO) {
		t.Fatalf("read panic: %d", r)
	}
	if m := c.panicMessage(); !strings.Contains(m, "ReadAt panicked: bad sector") {
		t.Fatalf("panic message %q", m)
	}
	if r := c.discard(0, 4096); r != 0 {
		t.Fatalf("discard: %d", r)
	}
	if r := c.writeAt(p, 0); r != 512 {
		t.Fatalf("write: %d", r)
	}
}
