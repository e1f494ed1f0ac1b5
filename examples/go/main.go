// ublk-ramdisk-go: a RAM disk served through the libublk Go binding.
//
//	ublk-ramdisk-go [-size-mib N] [-queues N] [-depth N] [-async] [-fail-read START:LEN:ERRNO]
//
// Prints /dev/ublkbN on stdout once the device is live; stops on SIGINT,
// SIGTERM or `ublk del`. -fail-read makes reads overlapping the byte range
// fail with ERRNO (to see a backend error reach the reader). -async serves
// requests through the asynchronous interface, completing from goroutines.
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
	flag.Parse()

	disk := &ramDisk{data: make([]byte, *sizeMiB<<20)}
	if *fail != "" {
		var e int
		_, err := fmt.Sscanf(*fail, "%d:%d:%d", &disk.failStart, &disk.failLen, &e)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ublk-ramdisk-go: -fail-read wants START:LEN:ERRNO")
			os.Exit(2)
		}
		disk.failErrno = syscall.Errno(e)
	}
	cfg := ublk.Config{Size: *sizeMiB << 20, Queues: uint32(*queues), Depth: uint32(*depth)}
	if err := run(cfg, disk, *async); err != nil {
		fmt.Fprintln(os.Stderr, "ublk-ramdisk-go:", err)
		os.Exit(1)
	}
}

func run(cfg ublk.Config, disk *ramDisk, async bool) error {
	var dev *ublk.Device
	var err error
	if async {
		dev, err = ublk.CreateAsync(cfg, asyncDisk{disk})
	} else {
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
	return dev.Close()
}
