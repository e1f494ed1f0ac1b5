// Counters that one thread writes and others read.
#pragma once

#include <atomic>

namespace ublk {

// A plain load + store, no locked read-modify-write: only for counters a
// single thread writes (the queue thread's, on the per-request path).
template <typename T>
void Bump(std::atomic<T>& c, T n, std::memory_order order = std::memory_order_relaxed) {
  c.store(c.load(std::memory_order_relaxed) + n, order);
}

}  // namespace ublk
