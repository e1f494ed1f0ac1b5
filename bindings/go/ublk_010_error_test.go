package ublk

import (
	"errors"
	"fmt"
	"io"
	"syscall"
	"testing"
)

func TestErrorIsErrno(t *testing.T) {
	var err error = &Error{Op: "ublk_dev_close", Errno: syscall.EBUSY, Msg: "ublk_dev_close: busy"}
	if !errors.Is(err, syscall.EBUSY) || errors.Is(err, syscall.EINVAL) {
		t.Fatalf("errors.Is does not see the errno of %v", err)
	}
	wrapped := fmt.Errorf("closing: %w", err)
	var ue *Error
	if !errors.As(wrapped, &ue) || ue.Op != "ublk_dev_close" {
		t.Fatalf("errors.As lost the *Error: %v", wrapped)
	}
	if got := err.Error(); got != "ublk_dev_close: busy (device or resource busy)" {
		t.Fatalf("Error() = %q", got)
	}
}

func TestErrnoOfBackendErrors(t *testing.T) {
	cases := []struct {
		err  error
		want syscall.Errno
	}{
		{syscall.ENOSPC, syscall.ENOSPC},
		{fmt.Errorf("disk full: %w", syscall.ENOSPC), syscall.ENOSPC},
		{&Error{Errno: syscall.EROFS}, syscall.EROFS},
		{errors.New("no errno"), syscall.EIO},
		{io.ErrUnexpectedEOF, syscall.EIO},
	}
	for _, c := range cases {
		if got := errnoOf(c.err); got != c.want {
			t.Errorf("errnoOf(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

func TestIoResult(t *testing.T) {
	cases := []struct {
		n, want int
		err     error
		res     int32
	}{
		{4096, 4096, nil, 4096},
		{4096, 4096, io.EOF, 4096}, // io.ReaderAt may report EOF with the last bytes
		{0, 4096, syscall.ENOSPC, -int32(syscall.ENOSPC)},
		{512, 4096, nil, 512},
		{512, 4096, io.EOF, -int32(syscall.EIO)},
		{0, 4096, nil, -int32(syscall.EIO)},
	}
	for _, c := range cases {
		if got := ioResult(c.n, c.want, c.err); got != c.res {
			t.Errorf("ioResult(%d, %d, %v) = %d, want %d", c.n, c.want, c.err, got, c.res)
		}
	}
	if statusResult(nil) != 0 || statusResult(syscall.EOPNOTSUPP) != -int32(syscall.EOPNOTSUPP) {
		t.Error("statusResult")
	}
}
