// Package ublk serves Linux block devices from Go, through libublk (cgo).
//
// A backend is an io.ReaderAt plus io.WriterAt (optionally also Flusher,
// Discarder, ZeroWriter), or an AsyncBackend that completes each *Request
// later from any goroutine. Create a device from a Config and a backend,
// Start it, Wait for it to stop, Close it:
//
//	dev, err := ublk.Create(ublk.Config{Size: 64 << 20, Queues: 2}, backend)
//	if err != nil { ... }          // *ublk.Error: Op, Errno, Msg
//	defer dev.Close()
//	if err := dev.Start(); err != nil { ... }
//	fmt.Println(dev.Path())        // /dev/ublkbN
//	dev.Wait()                     // until dev.Stop() or `ublk del`
//
// The package only converts types, owns the backend (through a
// runtime/cgo.Handle released exactly once, when libublk frees its
// user data) and translates errors. Behaviour, limits and thread rules are
// those of include/ublk.h.
//
// A backend whose data lives in a Memory (mmap'd, outside the Go heap) can
// also implement InMemory: the library then copies requests straight
// between the kernel and that memory, one copy each.
//
// Backend methods run on libublk's queue threads (one per queue, so methods
// for different queues run concurrently). A synchronous method may block;
// that stalls its queue. A panic in a backend method fails the request with
// EIO, is printed to stderr and makes Device.Wait return an error.
//
// Build: cgo finds libublk with pkg-config (package "libublk"); for an
// uninstalled build point PKG_CONFIG_PATH at the CMake build directory,
// which holds libublk-uninstalled.pc.
package ublk
