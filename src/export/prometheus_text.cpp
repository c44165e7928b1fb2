#include "export/prometheus_text.h"

#include <cmath>

#include <fmt/format.h>

namespace wattcast {

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_sample_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);  // shortest round-trip representation
}

void ExpositionWriter::family(std::string_view name, MetricType type, std::string_view help) {
  family_ = name;
  text_ += "# HELP ";
  text_ += name;
  text_ += ' ';
  text_ += escape_help(help);
  text_ += "\n# TYPE ";
  text_ += name;
  text_ += type == MetricType::kCounter ? " counter\n" : " gauge\n";
}

void ExpositionWriter::sample(const Labels& labels, double value) {
  text_ += family_;
  bool first = true;
  for (const auto& [name, label_value] : labels) {
    if (label_value.empty()) continue;
    text_ += first ? '{' : ',';
    first = false;
    text_ += name;
    text_ += "=\"";
    text_ += escape_label_value(label_value);
    text_ += '"';
  }
  if (!first) text_ += '}';
  text_ += ' ';
  text_ += format_sample_value(value);
  text_ += '\n';
}

}  // namespace wattcast
