#include "ctrl/control.h"

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "util/status.h"

namespace ublk::ctrl {

struct Control::Scratch {
  alignas(8) unsigned char buf[4096];
};

namespace {

TransportFactory& Factory() {
  static TransportFactory* f = new TransportFactory();
  return *f;
}

std::string Hint(uapi::CtrlOp op, int err) {
  using uapi::CtrlOp;
  if (op == CtrlOp::kAddDev && err == EEXIST) return "the device id is already in use";
  if (op == CtrlOp::kAddDev && err == EINVAL) return "the kernel refused the device description";
  if (op == CtrlOp::kSetParams && err == EINVAL) return "the kernel refused the parameters";
  if (err == EPERM || err == EACCES) return "permission denied (needs CAP_SYS_ADMIN)";
  if (err == ENODEV) return "no such ublk device";
  if (err == EOPNOTSUPP) return "the running kernel does not support this command";
  return "";
}

}  // namespace

void SetTransportFactoryForTesting(TransportFactory factory) { Factory() = std::move(factory); }

absl::Status CtrlError(uapi::CtrlOp op, const char* name, int err) {
  const std::string hint = Hint(op, err);
  return ErrnoError(err, absl::StrCat(name, " failed: ", std::strerror(err),
                                      hint.empty() ? "" : " (", hint, hint.empty() ? "" : ")"));
}

Control::Control(std::unique_ptr<Transport> transport, absl::Duration timeout)
    : transport_(std::move(transport)), timeout_(timeout), scratch_(std::make_unique<Scratch>()) {}

Control::~Control() {
  if (transport_->retired()) {
    (void)scratch_.release();  // the kernel may still write it
    (void)transport_.release();
  }
}

absl::StatusOr<std::unique_ptr<Control>> Control::Open(absl::Duration timeout) {
  std::unique_ptr<Transport> t;
  if (Factory()) {
    UBLK_ASSIGN_OR_RETURN(t, Factory()(timeout));
  } else {
    UBLK_ASSIGN_OR_RETURN(t, OpenRingTransport(timeout));
  }
  return std::unique_ptr<Control>(new Control(std::move(t), timeout));
}

absl::StatusOr<int> Control::Run(uapi::CtrlOp op, const char* name, const void* addr, uint16_t len,
                                 uint32_t dev_id, uint64_t data) {
  uapi::CtrlCmd c{};
  c.dev_id = dev_id;
  c.queue_id = uapi::kNoQueue;
  c.addr = reinterpret_cast<uintptr_t>(addr);
  c.len = len;
  c.data[0] = data;
  return transport_->Send(op, name, c);
}

absl::StatusOr<uint64_t> Control::GetFeatures(bool* supported) {
  auto* out = reinterpret_cast<uint64_t*>(scratch_->buf);
  *out = 0;
  auto r =
      Run(uapi::CtrlOp::kGetFeatures, "GET_FEATURES", out, uapi::kFeaturesLen, uapi::kAutoDevId);
  if (!r.ok()) {
    const int err = ToErrno(r.status());
    if (err == EOPNOTSUPP || err == EINVAL) {  // kernel before 6.5
      if (supported) *supported = false;
      return uint64_t{0};
    }
    return r.status();
  }
  if (supported) *supported = true;
  return *out;
}

absl::Status Control::AddDev(uapi::DevInfo* info) {
  std::memcpy(scratch_->buf, info, sizeof(*info));
  auto r = Run(uapi::CtrlOp::kAddDev, "ADD_DEV", scratch_->buf, sizeof(*info), info->dev_id);
  if (!r.ok()) return r.status();
  std::memcpy(info, scratch_->buf, sizeof(*info));
  return absl::OkStatus();
}

absl::Status Control::SetParams(uint32_t dev_id, const uapi::Params& params) {
  std::memcpy(scratch_->buf, &params, sizeof(params));
  return Run(uapi::CtrlOp::kSetParams, "SET_PARAMS", scratch_->buf, sizeof(params), dev_id)
      .status();
}

absl::Status Control::GetParams(uint32_t dev_id, uapi::Params* params) {
  uapi::Params p{};
  p.len = sizeof(p);
  std::memcpy(scratch_->buf, &p, sizeof(p));
  auto r = Run(uapi::CtrlOp::kGetParams, "GET_PARAMS", scratch_->buf, sizeof(p), dev_id);
  if (!r.ok()) return r.status();
  std::memcpy(params, scratch_->buf, sizeof(*params));
  return absl::OkStatus();
}

absl::Status Control::StartDev(uint32_t dev_id, int32_t daemon_pid) {
  return Run(uapi::CtrlOp::kStartDev, "START_DEV", nullptr, 0, dev_id,
             static_cast<uint64_t>(daemon_pid))
      .status();
}

absl::Status Control::StopDev(uint32_t dev_id) {
  return Run(uapi::CtrlOp::kStopDev, "STOP_DEV", nullptr, 0, dev_id).status();
}

absl::Status Control::DelDev(uint32_t dev_id) {
  return Run(uapi::CtrlOp::kDelDev, "DEL_DEV", nullptr, 0, dev_id).status();
}

absl::Status Control::GetDevInfo(uint32_t dev_id, uapi::DevInfo* info) {
  // GET_DEV_INFO2 wants the char device path in front of the payload.
  const std::string path = absl::StrCat("/dev/ublkc", dev_id);
  const size_t plen = path.size() + 1;
  std::memset(scratch_->buf, 0, plen + sizeof(*info));
  std::memcpy(scratch_->buf, path.c_str(), plen);
  uapi::CtrlCmd c{};
  c.dev_id = dev_id;
  c.queue_id = uapi::kNoQueue;
  c.addr = reinterpret_cast<uintptr_t>(scratch_->buf);
  c.len = static_cast<uint16_t>(plen + sizeof(*info));
  c.dev_path_len = static_cast<uint16_t>(plen);
  auto r = transport_->Send(uapi::CtrlOp::kGetDevInfo2, "GET_DEV_INFO2", c);
  if (r.ok()) {
    std::memcpy(info, scratch_->buf + plen, sizeof(*info));
    return absl::OkStatus();
  }
  if (ToErrno(r.status()) == ENODEV) return r.status();
  std::memset(scratch_->buf, 0, sizeof(*info));
  r = Run(uapi::CtrlOp::kGetDevInfo, "GET_DEV_INFO", scratch_->buf, sizeof(*info), dev_id);
  if (!r.ok()) return r.status();
  std::memcpy(info, scratch_->buf, sizeof(*info));
  return absl::OkStatus();
}

absl::Status Control::GetQueueAffinity(uint32_t dev_id, uint16_t q_id, cpu_set_t* set) {
  std::memset(scratch_->buf, 0, sizeof(cpu_set_t));
  auto r = Run(uapi::CtrlOp::kGetQueueAffinity, "GET_QUEUE_AFFINITY", scratch_->buf,
               sizeof(cpu_set_t), dev_id, q_id);
  if (!r.ok()) return r.status();
  std::memcpy(set, scratch_->buf, sizeof(*set));
  return absl::OkStatus();
}

absl::StatusOr<UniqueFd> Control::OpenCharDev(uint32_t dev_id) {
  return transport_->OpenCharDev(absl::StrCat("/dev/ublkc", dev_id), timeout_);
}

}  // namespace ublk::ctrl
