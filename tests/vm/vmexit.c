/* vmexit: power the guest off through qemu's isa-debug-exit device
 * (-device isa-debug-exit,iobase=0xf4,iosize=0x04); qemu then exits with
 * status (CODE << 1) | 1.  Usage: vmexit [CODE]   (CODE 0..255, default 0)
 * Built by run.sh with `gcc -O2 -static` (the cloud kernel has no /dev/port). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>

int main(int argc, char **argv)
{
	int code = argc > 1 ? atoi(argv[1]) : 0;

	if (ioperm(0xf4, 4, 1) != 0) {
		perror("vmexit: ioperm");
		return 1;
	}
	outb((unsigned char)code, 0xf4);
	return 1; /* not reached when the device is present */
}
