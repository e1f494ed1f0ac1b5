package main

import (
	"syscall"

	"libublk.dev/ublk"
)

// asyncDisk serves the same RAM disk through the asynchronous interface
// (-async): Submit starts a goroutine per request, which completes it.
type asyncDisk struct{ d *ramDisk }

func (a asyncDisk) Features() ublk.Features {
	return ublk.Features{Discard: true, WriteZeroes: true}
}

// Submit runs on a queue thread and must not block.
func (a asyncDisk) Submit(r *ublk.Request) {
	go func() {
		var n int
		var err error
		switch r.Op() {
		case ublk.OpRead:
			n, err = a.d.ReadAt(r.Buf(), r.Offset())
		case ublk.OpWrite:
			n, err = a.d.WriteAt(r.Buf(), r.Offset())
		case ublk.OpDiscard:
			err = a.d.Discard(r.Offset(), int64(r.Len()))
		case ublk.OpWriteZeroes:
			err = a.d.WriteZeroes(r.Offset(), int64(r.Len()))
		default:
			err = syscall.EOPNOTSUPP
		}
		r.Complete(n, err) // from this goroutine
	}()
}
