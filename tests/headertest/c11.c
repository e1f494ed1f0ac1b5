/* ublk.h must compile as strict C11 with every warning as an error. */
#include "ublk.h"

int headertest_c11(void);
int headertest_c11(void) {
  struct ublk_backend_ops ops = UBLK_BACKEND_OPS_INIT;
  return (int)ops.struct_size + (int)UBLK_OP_READ;
}
