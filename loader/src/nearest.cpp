#include "nearest.hpp"

#include <algorithm>
#include <numeric>

namespace asmk {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // One row of the dynamic-programming table at a time.
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::vector<std::string> nearest_names(std::string_view asked,
                                       const std::vector<std::string>& candidates,
                                       std::size_t count) {
  std::vector<std::pair<std::size_t, std::size_t>> scored;  // (distance, index)
  scored.reserve(candidates.size());
  for (std::size_t i = 0; i < candidates.size(); ++i)
    scored.emplace_back(edit_distance(asked, candidates[i]), i);
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& l, const auto& r) { return l.first < r.first; });
  std::vector<std::string> names;
  for (std::size_t i = 0; i < scored.size() && i < count; ++i)
    names.push_back(candidates[scored[i].second]);
  return names;
}

std::string join_names(const std::vector<std::string>& names, std::string_view empty) {
  if (names.empty()) return std::string(empty);
  std::string joined;
  for (const auto& name : names) {
    if (!joined.empty()) joined += ", ";
    joined += name;
  }
  return joined;
}

}  // namespace asmk
