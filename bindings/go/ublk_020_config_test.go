package ublk

import (
	"errors"
	"strings"
	"syscall"
	"testing"
)

type nopDisk struct{}

func (nopDisk) ReadAt(p []byte, off int64) (int, error)  { return len(p), nil }
func (nopDisk) WriteAt(p []byte, off int64) (int, error) { return len(p), nil }

type nopAsync struct{}

func (nopAsync) Features() Features { return Features{Flush: true} }
func (nopAsync) Submit(r *Request)  { r.Complete(r.Len(), nil) }

// Setters validate in the library, without a kernel.
func TestCreateReportsSetterErrors(t *testing.T) {
	cases := []struct {
		cfg   Config
		op    string
		errno syscall.Errno
	}{
		{Config{Size: 64 << 20, Depth: 5000}, "ublk_config_set_depth", syscall.EINVAL},
		{Config{Size: 64 << 20, Queues: 5000}, "ublk_config_set_queues", syscall.EINVAL},
		{Config{Size: 64 << 20, LogicalBlockSize: 3000}, "ublk_config_set_block_size", syscall.EINVAL},
		{Config{Size: 64 << 20, MaxIOSize: 1000}, "ublk_config_set_max_io_size", syscall.EINVAL},
		{Config{Size: 64 << 20, DataMode: 77}, "ublk_config_set_data_mode", syscall.EINVAL},
		{Config{Size: 64 << 20, IOMin: 3000}, "ublk_config_set_io_hints", syscall.EINVAL},
		{Config{Size: 64 << 20, QueueAffinity: 7}, "ublk_config_set_queue_affinity", syscall.EINVAL},
		{Config{Size: 64 << 20, QueueSched: 2}, "ublk_config_set_queue_sched", syscall.EINVAL},
		{Config{Size: 64 << 20, QueueThreads: 5000}, "ublk_config_set_queue_threads", syscall.EINVAL},
		{Config{Size: 64 << 20, BatchIO: 3}, "ublk_config_set_batch_io", syscall.EINVAL},
	}
	for _, c := range cases {
		before := liveHandles.Load()
		_, err := Create(c.cfg, nopDisk{})
		var ue *Error
		if !errors.As(err, &ue) {
			t.Fatalf("%+v: want *Error, got %v", c.cfg, err)
		}
		if ue.Op != c.op || !errors.Is(err, c.errno) || !strings.HasPrefix(ue.Msg, c.op+": ") {
			t.Errorf("%+v: got Op=%q Errno=%v Msg=%q", c.cfg, ue.Op, ue.Errno, ue.Msg)
		}
		if liveHandles.Load() != before {
			t.Errorf("%+v: a handle was made for a config that failed", c.cfg)
		}
	}
}

// ublk_dev_create refuses a config without a size before the kernel, and
// releases the backend's handle exactly once.
func TestFailedCreateReleasesHandle(t *testing.T) {
	before := liveHandles.Load()
	_, err := Create(Config{Queues: 2}, nopDisk{})
	var ue *Error
	if !errors.As(err, &ue) || ue.Op != "ublk_dev_create" || ue.Errno != syscall.EINVAL {
		t.Fatalf("want ublk_dev_create EINVAL, got %v", err)
	}
	_, err = CreateAsync(Config{}, nopAsync{})
	if !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("async: want EINVAL, got %v", err)
	}
	if got := liveHandles.Load(); got != before {
		t.Fatalf("live handles: %d before, %d after", before, got)
	}
	if _, err := Create(Config{Size: 1 << 20}, nil); !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("nil backend: %v", err)
	}
}

func TestVersionAndFeatureNames(t *testing.T) {
	if maj, min, _ := Version(); maj != 0 || min != 1 {
		t.Fatalf("version %d.%d", maj, min)
	}
	if FeatureName(6) != "CMD_IOCTL_ENCODE" || FeatureName(63) != "" {
		t.Fatal("feature names")
	}
}

// The names are those of ublk_data_mode_name; String and ParseDataMode are
// inverses.
func TestDataModeNames(t *testing.T) {
	modes := []struct {
		mode DataMode
		name string
	}{
		{DataModeCopy, "copy"},
		{DataModeNeedGetData, "need-get-data"},
		{DataModeUserCopy, "user-copy"},
		{DataModeZeroCopy, "zero-copy"},
		{DataModeAuto, "auto"},
		{DataModeZeroCopyManual, "zero-copy-manual"},
	}
	for _, c := range modes {
		if got := c.mode.String(); got != c.name {
			t.Errorf("DataMode(%d).String() = %q, want %q", uint32(c.mode), got, c.name)
		}
		if m, err := ParseDataMode(c.name); err != nil || m != c.mode {
			t.Errorf("ParseDataMode(%q) = %d, %v", c.name, uint32(m), err)
		}
	}
	if got := DataMode(6).String(); got != "DataMode(6)" {
		t.Errorf("DataMode(6).String() = %q", got)
	}
}

func TestParseDataModeRefusesUnknownNames(t *testing.T) {
	_, err := ParseDataMode("fast")
	var ue *Error
	if !errors.As(err, &ue) || ue.Op != "ublk_data_mode_from_name" || ue.Errno != syscall.EINVAL ||
		ue.Msg != "ublk_data_mode_from_name: unknown data mode 'fast'" {
		t.Fatalf("ParseDataMode(\"fast\"): %#v", err)
	}
	for _, name := range []string{"", "COPY", "zero_copy", "copy\x00x"} {
		if _, err := ParseDataMode(name); !errors.Is(err, syscall.EINVAL) {
			t.Errorf("ParseDataMode(%q): want EINVAL, got %v", name, err)
		}
	}
}
