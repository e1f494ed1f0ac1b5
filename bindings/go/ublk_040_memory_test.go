package ublk

import (
	"errors"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// ramDisk serves from a Memory; DataAt answers with the device offset and
// panics at 1 MiB.
type ramDisk struct{ m *Memory }

func (r ramDisk) ReadAt(p []byte, off int64) (int, error)  { return copy(p, r.m.Bytes()[off:]), nil }
func (r ramDisk) WriteAt(p []byte, off int64) (int, error) { return copy(r.m.Bytes()[off:], p), nil }
func (r ramDisk) Memory() *Memory                          { return r.m }
func (r ramDisk) DataAt(op Op, off int64, length int, fua bool) (int64, bool) {
	if off == 1<<20 {
		panic("DataAt at 1 MiB")
	}
	return off, true
}

func newMemory(t *testing.T, size int) *Memory {
	m, err := NewMemory(size)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// data_at as the queue thread sees it: addresses inside the Memory only,
// nil for a range past its end and after a panic (reported); the Memory
// cannot be closed while a device is attached.
func TestDataAtAnswersInsideTheMemoryOnly(t *testing.T) {
	m := newMemory(t, 1<<20)
	c := &backendCtx{sync: ramDisk{m}}
	if err := c.attachMemory(); err != nil {
		t.Fatal(err)
	}
	b := m.Bytes()
	if b[4096] != 0 || len(b) != 1<<20 {
		t.Fatal("not 1 MiB of zeros")
	}
	if p := c.dataAt(OpWrite, true, 4096, 4096); p != unsafe.Pointer(&b[4096]) {
		t.Fatalf("write at 4096: %p, want %p", p, &b[4096])
	}
	if p := c.dataAt(OpRead, false, 1<<20-4096, 8192); p != nil {
		t.Fatalf("a range past the end answered %p", p)
	}
	if p := c.dataAt(OpRead, false, 1<<20, 4096); p != nil {
		t.Fatalf("a panic answered %p", p)
	}
	if msg := c.panicMessage(); !strings.Contains(msg, "DataAt panicked: DataAt at 1 MiB") {
		t.Fatalf("panic message %q", msg)
	}
	if err := m.Close(); !errors.Is(err, syscall.EBUSY) {
		t.Fatalf("Close while attached: %v", err)
	}
	m.detach()
	if err := m.Close(); err != nil || m.Bytes() != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := NewMemory(0); !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("NewMemory(0): %v", err)
	}
}

// Create attaches the Memory and a failed Create releases it with the
// handle; a closed Memory is refused before any handle exists.
func TestCreateAttachesAndReleasesMemory(t *testing.T) {
	m := newMemory(t, 1<<20)
	before := liveHandles.Load()
	_, err := Create(Config{Queues: 2}, ramDisk{m}) // no size: refused by ublk_dev_create
	var ue *Error
	if !errors.As(err, &ue) || ue.Op != "ublk_dev_create" || ue.Errno != syscall.EINVAL {
		t.Fatalf("want ublk_dev_create EINVAL, got %v", err)
	}
	if liveHandles.Load() != before {
		t.Fatal("handle not released")
	}
	if err := m.Close(); err != nil {
		t.Fatalf("Memory still attached after a failed Create: %v", err)
	}
	_, err = CreateAsync(Config{Size: 1 << 20}, asyncRAM{ramDisk{m}})
	if !errors.As(err, &ue) || ue.Op != "Create" || ue.Errno != syscall.EINVAL {
		t.Fatalf("closed Memory: want Create EINVAL, got %v", err)
	}
	if liveHandles.Load() != before {
		t.Fatal("a handle was made for a closed Memory")
	}
}

type asyncRAM struct{ ramDisk }

func (asyncRAM) Features() Features { return Features{} }
func (asyncRAM) Submit(r *Request)  { r.Complete(r.Len(), nil) }
