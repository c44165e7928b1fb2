#pragma once
// How both back ends keep a run's tags and a marker's metrics: as JSON text in one column, so the
// schema stays the same whatever keys users pick. Unreadable text reads as empty, not as an error:
// one odd row must not hide a whole run.

#include <map>
#include <string>

namespace wattcast {

std::string tags_to_json(const std::map<std::string, std::string>& tags);
std::map<std::string, std::string> tags_from_json(const std::string& text);

std::string metrics_to_json(const std::map<std::string, double>& metrics);
// Keeps the numeric values only.
std::map<std::string, double> metrics_from_json(const std::string& text);

}  // namespace wattcast
