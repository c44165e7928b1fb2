#pragma once
// "evaluate: 12/30 folds (40%)" on stderr, redrawn in place, for work that takes seconds: only on
// a terminal, only once the work has gone on for 2 s, and erased when it ends, so output piped
// or redirected never holds it.

#include <chrono>
#include <string>

namespace wattcast::cli {

class ProgressLine {
 public:
  ProgressLine(std::string label, std::string unit);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void update(int done, int total);

 private:
  std::string label_, unit_;
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_drawn_;
};

}  // namespace wattcast::cli
