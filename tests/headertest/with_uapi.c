/* ublk.h and the kernel's uapi header together: no name may collide. */
#include <linux/ublk_cmd.h>

#include "ublk.h"

int headertest_with_uapi(void);
int headertest_with_uapi(void) {
  struct ublk_backend_ops ops = UBLK_BACKEND_OPS_INIT;
  struct ublksrv_io_desc desc = {0};
  return (int)ops.struct_size + (int)desc.op_flags + UBLK_IO_OP_READ + (int)UBLK_OP_WRITE;
}
