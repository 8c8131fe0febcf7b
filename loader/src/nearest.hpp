// "Did you mean": the known names closest to what was asked, for error messages.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace asmk {

// Levenshtein distance (insert, delete, substitute each cost 1), case-sensitive.
std::size_t edit_distance(std::string_view a, std::string_view b);

// Up to `count` candidates, closest first (ties keep the candidates' order).
std::vector<std::string> nearest_names(std::string_view asked,
                                       const std::vector<std::string>& candidates,
                                       std::size_t count = 3);

// "a, b, c" — or `empty` when there is nothing to list.
std::string join_names(const std::vector<std::string>& names, std::string_view empty = "(none)");

}  // namespace asmk
