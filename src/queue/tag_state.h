// Per-tag protocol state of one queue, separate from the ring so it can be
// driven by a fake kernel in tests. Queue-thread only.
//
//   kFetching --CQE res=OK--> kInBackend --completion--> kFetching (commit)
//   kFetching --CQE ABORT or error--> kDead
//   kFetching --CQE NEED_GET_DATA (only if enabled)--> kFetching (the server
//     sends NEED_GET_DATA with the buffer; the kernel completes it with OK)
// Anything else (a CQE for a tag the server owns, a completion for a tag
// the kernel owns) is a protocol violation: counted and ignored.
//
// BATCH_IO: a tag listed by a FETCH_IO_CMDS CQE counts as OnCqe(tag, OK);
// its commit hands it back (kFetching). When the multishot fetch ends for
// good (OnFetchEnded), every tag the kernel holds dies at once, and a tag
// still in the backend dies when its commit is sent.
#pragma once

#include <cstdint>
#include <vector>

namespace ublk {

class TagStates {
 public:
  enum class State : uint8_t { kFetching, kInBackend, kDead };
  enum class Action : uint8_t { kDispatch, kDied, kIgnore, kGetData };

  explicit TagStates(uint32_t depth, bool need_get_data = false)
      : states_(depth, State::kFetching), live_(depth), need_get_data_(need_get_data) {}

  // A FETCH/COMMIT_AND_FETCH completion for `tag` with result `res`.
  Action OnCqe(uint32_t tag, int32_t res);
  // The backend finished `tag`; true if a commit must be sent.
  bool OnBackendDone(uint32_t tag);
  // Marks every tag dead (the ring is going away).
  void KillAll();
  // BATCH_IO: the fetch command ended (device stopped, or an error).
  void OnFetchEnded();
  // BATCH_IO: the kernel refused the commit of `tag` (counted as an error):
  // nothing more can be done with it.
  void OnCommitRefused(uint32_t tag);

  uint32_t live() const { return live_; }
  uint32_t in_backend() const { return in_backend_; }
  uint64_t violations() const { return violations_; }
  uint64_t errors() const { return errors_; }
  State state(uint32_t tag) const { return states_[tag]; }

 private:
  std::vector<State> states_;
  uint32_t live_;
  uint32_t in_backend_ = 0;
  uint64_t violations_ = 0;
  uint64_t errors_ = 0;
  bool need_get_data_;
  bool fetch_ended_ = false;
};

}  // namespace ublk
