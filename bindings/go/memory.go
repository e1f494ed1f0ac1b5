package ublk

import (
	"sync"
	"syscall"
	"unsafe"
)

// Memory is a region outside the Go heap (an anonymous mapping): the
// storage of a backend whose data lives in memory, which libublk may then
// copy requests straight into and out of (see InMemory). Go memory cannot
// serve there: the library copies after DataAt has returned, and cgo does
// not let C use a Go pointer after the call that passed it.
//
// Bytes is the region for the backend's own reads and writes. A device
// created with the Memory keeps it attached until the device is closed (or
// its Create fails); Close refuses meanwhile, so the library never copies
// into memory that was unmapped and perhaps reused.
type Memory struct {
	b []byte

	mu     sync.Mutex
	users  int // devices attached
	closed bool
}

// NewMemory maps size zeroed bytes (pages are allocated when first
// written). Errors: EINVAL (size <= 0), ENOMEM.
func NewMemory(size int) (*Memory, error) {
	if size <= 0 {
		return nil, &Error{Op: "NewMemory", Errno: syscall.EINVAL, Msg: "NewMemory: size must be > 0"}
	}
	b, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_NORESERVE)
	if err != nil {
		return nil, &Error{Op: "NewMemory", Errno: errnoOf(err), Msg: "NewMemory: mmap failed"}
	}
	return &Memory{b: b}, nil
}

// Bytes is the region; nil after Close. Not concurrently with Close.
func (m *Memory) Bytes() []byte { return m.b }

// Close unmaps the region. Errors: EBUSY while a device is attached.
// Further calls return nil.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.users > 0 {
		return &Error{Op: "Memory.Close", Errno: syscall.EBUSY,
			Msg: "Memory.Close: a device still serves from this memory"}
	}
	if m.closed {
		return nil
	}
	m.closed = true
	b := m.b
	m.b = nil
	if err := syscall.Munmap(b); err != nil {
		return &Error{Op: "Memory.Close", Errno: errnoOf(err), Msg: "Memory.Close: munmap failed"}
	}
	return nil
}

// attach keeps the region mapped for a device; false once it is closed.
func (m *Memory) attach() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false
	}
	m.users++
	return true
}

func (m *Memory) detach() {
	m.mu.Lock()
	m.users--
	m.mu.Unlock()
}

// at is the address of length bytes at pos, or nil if they are not all
// inside the region.
func (m *Memory) at(pos int64, length int) unsafe.Pointer {
	if pos < 0 || length <= 0 || length > len(m.b) || pos > int64(len(m.b)-length) {
		return nil
	}
	return unsafe.Pointer(&m.b[pos])
}
