#include "core/fuzzy.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace wattcast {

std::vector<std::string> name_tokens(std::string_view name) {
  static const std::set<std::string> kNoise = {"nvidia", "geforce"};
  std::vector<std::string> tokens;
  std::string current;
  auto flush = [&] {
    if (!current.empty() && !kNoise.count(current)) tokens.push_back(current);
    current.clear();
  };
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      // "1080ti" and "1080 ti" should tokenize alike: split at digit/letter boundaries.
      if (!current.empty() && (std::isdigit(static_cast<unsigned char>(current.back())) != 0) != (std::isdigit(u) != 0)) {
        flush();
      }
      current.push_back(static_cast<char>(std::tolower(u)));
    } else {
      flush();
    }
  }
  flush();
  return tokens;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

namespace {

std::string joined(const std::vector<std::string>& tokens) {
  std::string out;
  for (const auto& t : tokens) out += t;
  return out;
}

}  // namespace

std::vector<FuzzyMatch> rank_matches(std::string_view query, const std::vector<std::string>& candidates) {
  const auto query_tokens = name_tokens(query);
  const std::string query_joined = joined(query_tokens);
  std::vector<FuzzyMatch> matches;
  matches.reserve(candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    const auto tokens = name_tokens(candidates[i]);
    size_t found = 0;
    for (const auto& q : query_tokens) {
      if (std::find(tokens.begin(), tokens.end(), q) != tokens.end()) ++found;
    }
    const bool all = !query_tokens.empty() && found == query_tokens.size();
    const std::string candidate_joined = joined(tokens);
    double score;
    if (candidate_joined == query_joined) {
      score = 3.0;
    } else if (all) {
      // Prefer the candidate with the fewest tokens the user did not ask for.
      score = 2.0 - 0.01 * static_cast<double>(tokens.size() - found);
    } else {
      const double longest = static_cast<double>(std::max(candidate_joined.size(), query_joined.size()));
      const double similarity = longest == 0 ? 0 : 1.0 - static_cast<double>(edit_distance(query_joined, candidate_joined)) / longest;
      score = similarity + 0.5 * static_cast<double>(found) / static_cast<double>(std::max<size_t>(1, query_tokens.size()));
    }
    matches.push_back({i, score, all});
  }
  std::stable_sort(matches.begin(), matches.end(), [](const FuzzyMatch& a, const FuzzyMatch& b) { return a.score > b.score; });
  return matches;
}

}  // namespace wattcast
