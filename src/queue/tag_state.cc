#include "queue/tag_state.h"

#include "uapi/abi.h"

namespace ublk {

TagStates::Action TagStates::OnCqe(uint32_t tag, int32_t res) {
  if (tag >= states_.size() || states_[tag] != State::kFetching) {
    ++violations_;
    return Action::kIgnore;
  }
  if (res == uapi::kIoResOk) {
    states_[tag] = State::kInBackend;
    ++in_backend_;
    return Action::kDispatch;
  }
  if (res == uapi::kIoResNeedGetData && need_get_data_) return Action::kGetData;
  if (res != uapi::kIoResAbort) ++errors_;  // e.g. -EINVAL from a bad commit
  states_[tag] = State::kDead;
  --live_;
  return Action::kDied;
}

bool TagStates::OnBackendDone(uint32_t tag) {
  if (tag >= states_.size() || states_[tag] != State::kInBackend) {
    ++violations_;
    return false;
  }
  --in_backend_;
  if (fetch_ended_) {  // nobody will fetch it again; the commit still goes out
    states_[tag] = State::kDead;
    --live_;
  } else {
    states_[tag] = State::kFetching;
  }
  return true;
}

void TagStates::OnFetchEnded() {
  fetch_ended_ = true;
  for (auto& s : states_) {
    if (s != State::kFetching) continue;
    s = State::kDead;
    --live_;
  }
}

void TagStates::OnCommitRefused(uint32_t tag) {
  ++errors_;
  if (tag >= states_.size() || states_[tag] != State::kFetching) return;
  states_[tag] = State::kDead;
  --live_;
}

void TagStates::KillAll() {
  for (auto& s : states_) s = State::kDead;
  live_ = 0;
  in_backend_ = 0;
}

}  // namespace ublk
