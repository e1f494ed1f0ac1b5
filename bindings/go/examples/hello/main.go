package main

import (
	"fmt"
	"os"

	"libublk.dev/ublk"
)

type ram []byte

func (r ram) ReadAt(p []byte, off int64) (int, error)  { return copy(p, r[off:]), nil }
func (r ram) WriteAt(p []byte, off int64) (int, error) { return copy(r[off:], p), nil }

func main() {
	dev, err := ublk.Create(ublk.Config{Size: 64 << 20, Queues: 2}, make(ram, 64<<20))
	if err == nil {
		err = dev.Start()
	}
	if err != nil { // *ublk.Error: Op, Errno (errors.Is works), Msg
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("serving", dev.Path())
	dev.Wait() // until `ublk del` (or dev.Stop() from another goroutine)
	dev.Close()
}
