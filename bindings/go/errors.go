package ublk

import (
	"errors"
	"fmt"
	"syscall"
)

// Error is a failed libublk call: the C function (Op), the errno it
// returned and the library's message, copied on the OS thread of the call.
// errors.Is(err, syscall.EINVAL) and errors.As(err, &errno) see Errno.
type Error struct {
	Op    string        // e.g. "ublk_config_set_depth"
	Errno syscall.Errno // positive errno
	Msg   string        // ublk_last_error(), names Op
}

func (e *Error) Error() string {
	if e.Msg == "" {
		return fmt.Sprintf("%s: %v", e.Op, e.Errno)
	}
	return fmt.Sprintf("%s (%v)", e.Msg, e.Errno)
}

// Unwrap returns Errno.
func (e *Error) Unwrap() error { return e.Errno }

// errnoOf is the errno a backend error reaches the reader as: a
// syscall.Errno anywhere in its chain, else EIO.
func errnoOf(err error) syscall.Errno {
	var e syscall.Errno
	if errors.As(err, &e) && e > 0 && e < 4096 {
		return e
	}
	return syscall.EIO
}

// ioResult is the C result of a read or write that was asked for want
// bytes: n, or a negative errno. A full transfer counts as success even
// with an error (io.ReaderAt may return io.EOF with the last bytes).
func ioResult(n, want int, err error) int32 {
	switch {
	case n == want && n > 0:
		return int32(n)
	case err != nil:
		return -int32(errnoOf(err))
	case n > 0 && n < want:
		return int32(n)
	default:
		return -int32(syscall.EIO)
	}
}

// statusResult is the C result of flush/discard/write-zeroes.
func statusResult(err error) int32 {
	if err != nil {
		return -int32(errnoOf(err))
	}
	return 0
}
