// ublk-ramdisk-go: a RAM disk served through the libublk Go binding.
//
//	ublk-ramdisk-go [-size-mib N] [-queues N] [-depth N] [-async]
//	                [-data-at] [-data-mode MODE] [-fail-read START:LEN:ERRNO]
//
// Prints /dev/ublkbN on stdout once the device is live; stops on SIGINT,
// SIGTERM or `ublk del`. -fail-read makes reads overlapping the byte range
// fail with ERRNO (to see a backend error reach the reader). -async serves
// requests through the asynchronous interface, completing from goroutines.
// -data-at makes the disk ublk.InMemory: where the library copies (MODE
// user-copy, or auto where the kernel has it) it copies READs and WRITEs
// straight between the request and the disk's memory, without ReadAt,
// WriteAt or Submit. MODE: copy (default), need-get-data, user-copy,
// zero-copy, auto, zero-copy-manual. The exit line on stderr counts the
// READs and WRITEs each way went.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"libublk.dev/ublk"
)

func main() {
	sizeMiB := flag.Uint64("size-mib", 256, "device size in MiB")
	queues := flag.Uint("queues", 1, "number of queues")
	depth := flag.Uint("depth", 64, "queue depth")
	async := flag.Bool("async", false, "serve through the asynchronous interface")
	fail := flag.String("fail-read", "", "START:LEN:ERRNO: reads in this byte range fail")
	dataAt := flag.Bool("data-at", false, "offer DataAt: the library copies into the memory")
	modeName := flag.String("data-mode", "copy", "data mode: copy, user-copy, auto, ...")
	flag.Parse()

	mode, err := ublk.ParseDataMode(*modeName)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ublk-ramdisk-go: unknown data mode", *modeName)
		os.Exit(2)
	}
	mem, err := ublk.NewMemory(int(*sizeMiB << 20))
	if err != nil {
		fmt.Fprintln(os.Stderr, "ublk-ramdisk-go:", err)
		os.Exit(1)
	}
	disk := &ramDisk{mem: mem}
	if *fail != "" {
		var e int
		_, err := fmt.Sscanf(*fail, "%d:%d:%d", &disk.failStart, &disk.failLen, &e)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ublk-ramdisk-go: -fail-read wants START:LEN:ERRNO")
			os.Exit(2)
		}
		disk.failErrno = syscall.Errno(e)
	}
	cfg := ublk.Config{Size: *sizeMiB << 20, Queues: uint32(*queues), Depth: uint32(*depth),
		DataMode: mode}
	err = run(cfg, disk, *async, *dataAt)
	mem.Close() // after the device's Close (which run makes sure of)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ublk-ramdisk-go:", err)
		os.Exit(1)
	}
}

func run(cfg ublk.Config, disk *ramDisk, async, dataAt bool) error {
	var dev *ublk.Device
	var err error
	switch {
	case async && dataAt:
		dev, err = ublk.CreateAsync(cfg, struct {
			asyncDisk
			inMemory
		}{asyncDisk{disk}, inMemory{disk}})
	case async:
		dev, err = ublk.CreateAsync(cfg, asyncDisk{disk})
	case dataAt:
		dev, err = ublk.Create(cfg, struct {
			*ramDisk
			inMemory
		}{disk, inMemory{disk}})
	default:
		dev, err = ublk.Create(cfg, disk)
	}
	if err != nil {
		return err
	}
	defer dev.Close()
	if err := dev.Start(); err != nil {
		return err
	}
	fmt.Println(dev.Path())

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		<-sigs
		dev.Stop() // Wait returns
	}()
	if err := dev.Wait(); err != nil { // until a signal or `ublk del`
		return err
	}
	mode := dev.DataMode().String()
	if err := dev.Close(); err != nil {
		return err
	}
	s := &disk.served
	fmt.Fprintf(os.Stderr, "ublk-ramdisk-go: data mode %s: reads %d via data_at, %d via callbacks; "+
		"writes %d via data_at, %d via callbacks\n", mode,
		s.readsAt.Load(), s.reads.Load(), s.writesAt.Load(), s.writes.Load())
	return nil
}
