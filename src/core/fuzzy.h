#pragma once
// Fuzzy lookup of catalog names ("3090" -> "NVIDIA GeForce RTX 3090"), shared by the GPU,
// region and CPU catalogs.

#include <string>
#include <string_view>
#include <vector>

namespace wattcast {

// Lower-cased alphanumeric tokens; vendor words that carry no information are dropped.
std::vector<std::string> name_tokens(std::string_view name);

struct FuzzyMatch {
  size_t index;     // into the candidate list
  double score;     // higher is better
  bool all_tokens;  // every query token found in the candidate
};

// Candidates ranked by how well they match the query. Exact normalized matches come first,
// then candidates containing every query token (fewest extra tokens first), then the rest by
// similarity, so the tail of the list can serve as "did you mean" suggestions.
std::vector<FuzzyMatch> rank_matches(std::string_view query, const std::vector<std::string>& candidates);

size_t edit_distance(std::string_view a, std::string_view b);

// The items whose key contains every token of the query, best first; every item for a query
// with no tokens.
template <typename T, typename KeyOf>
std::vector<const T*> search_all_tokens(std::string_view query, const std::vector<T>& items, KeyOf key_of) {
  std::vector<std::string> keys;
  keys.reserve(items.size());
  for (const auto& item : items) keys.push_back(key_of(item));
  const bool everything = name_tokens(query).empty();
  std::vector<const T*> found;
  for (const auto& match : rank_matches(query, keys)) {
    if (everything || match.all_tokens) found.push_back(&items[match.index]);
  }
  return found;
}

}  // namespace wattcast
