#pragma once
// The Prometheus text exposition format, version 0.0.4: each metric family as one block of
// `# HELP` and `# TYPE` lines followed by its samples, label values and help text escaped as the
// format requires. Knows nothing about wattcast's metrics (metrics_snapshot.h does).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wattcast {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

enum class MetricType { kCounter, kGauge };

// Label names are fixed by the caller ([a-zA-Z_][a-zA-Z0-9_]*); only values are escaped.
using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

// Label values: backslash, double quote and line feed become \\, \" and \n.
std::string escape_label_value(std::string_view value);
// Help text: backslash and line feed become \\ and \n (quotes stay as they are).
std::string escape_help(std::string_view help);
// Shortest text that reads back as the same double; NaN, +Inf and -Inf as the format spells them.
std::string format_sample_value(double value);

class ExpositionWriter {
 public:
  // Starts a family; every sample() until the next family() must belong to it.
  void family(std::string_view name, MetricType type, std::string_view help);
  // Labels with an empty value are left out: in Prometheus an empty label and a missing one are
  // the same series, and leaving it out keeps the text short.
  void sample(const Labels& labels, double value);

  const std::string& text() const { return text_; }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
  std::string family_;
};

}  // namespace wattcast
