// The run's view of time: the wall clock and sleeping, replaceable in tests.
#pragma once

#include <chrono>
#include <thread>

#include "time_util.hpp"

namespace mt {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant Now() = 0;
  virtual void SleepFor(Ticks duration) = 0;
};

class SystemClock : public Clock {
 public:
  Instant Now() override { return std::chrono::time_point_cast<Ticks>(std::chrono::system_clock::now()); }
  void SleepFor(Ticks duration) override { std::this_thread::sleep_for(duration); }
};

}  // namespace mt
