#include "cli/progress_line.h"

#include <cstdio>

#include <fmt/format.h>

#include "cli/output.h"

namespace wattcast::cli {

namespace {

constexpr auto kQuietFor = std::chrono::seconds(2);            // shorter work shows nothing
constexpr auto kRedrawEvery = std::chrono::milliseconds(200);  // no flicker on fast steps

}  // namespace

ProgressLine::ProgressLine(std::string label, std::string unit)
    : label_(std::move(label)), unit_(std::move(unit)), enabled_(stderr_is_terminal()), started_(std::chrono::steady_clock::now()) {}

ProgressLine::~ProgressLine() {
  if (!shown_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
}

void ProgressLine::update(int done, int total) {
  if (!enabled_ || total <= 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - started_ < kQuietFor || (shown_ && now - last_drawn_ < kRedrawEvery && done < total)) return;
  const std::string line = fmt::format("{}: {}/{} {} ({:.0f}%)", label_, done, total, unit_, 100.0 * done / total);
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
  shown_ = true;
  last_drawn_ = now;
}

}  // namespace wattcast::cli
