#include "tuned_table.hpp"

#include <charconv>
#include <fstream>
#include <map>
#include <mutex>
#include <tuple>
#include <vector>

#include <fmt/format.h>

namespace asmk::gemm {
namespace {

constexpr std::string_view kHeader = "family,m,n,k,kernel,k_splits";

using Key = std::tuple<std::string, std::uint32_t, std::uint32_t, std::uint32_t>;

struct Table {
  std::filesystem::file_time_type modified{};
  std::map<Key, std::vector<TunedChoice>> rows;  // in file order
  std::string note;
};

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  while (true) {
    const auto comma = line.find(',');
    fields.push_back(line.substr(0, comma));
    if (comma == std::string_view::npos) return fields;
    line.remove_prefix(comma + 1);
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool parse_u32(std::string_view text, std::uint32_t& out) {
  text = trim(text);
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

Table read_table(const std::filesystem::path& path, std::filesystem::file_time_type modified) {
  Table table;
  table.modified = modified;
  std::ifstream in(path);
  if (!in) {
    table.note = fmt::format("cannot read {}", path.string());
    return table;
  }
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string_view text = trim(line);
    if (number == 1) {
      if (text != kHeader) {
        table.note = fmt::format("{} ignored: its header is '{}', not '{}'", path.string(), text, kHeader);
        return table;
      }
      continue;
    }
    if (text.empty() || text.front() == '#') continue;
    const auto f = split_fields(text);
    TunedChoice choice;
    std::uint32_t m = 0, n = 0, k = 0;
    if (f.size() != 6 || !parse_u32(f[1], m) || !parse_u32(f[2], n) || !parse_u32(f[3], k) ||
        !parse_u32(f[5], choice.k_splits) || choice.k_splits == 0) {
      if (table.note.empty()) table.note = fmt::format("{}:{} is malformed and skipped", path.string(), number);
      continue;
    }
    choice.kernel = std::string(trim(f[4]));
    choice.line = number;
    choice.m = m;
    table.rows[Key{std::string(trim(f[0])), m, n, k}].push_back(std::move(choice));
  }
  return table;
}

}  // namespace

TunedLookup lookup_tuned(const std::filesystem::path& repository, std::string_view arch, std::uint32_t compute_units,
                         std::string_view family, std::uint32_t m, std::uint32_t n, std::uint32_t k) {
  const auto path = repository / "tuned" / fmt::format("{}-{}.csv", arch, compute_units);
  TunedLookup result;
  result.file = path.string();
  std::error_code error;
  const auto modified = std::filesystem::last_write_time(path, error);
  if (error) return result;  // no table for this device: nothing tuned

  static std::mutex mutex;
  static std::map<std::string, Table> cache;
  std::lock_guard lock(mutex);
  auto it = cache.find(result.file);
  if (it == cache.end() || it->second.modified != modified)
    it = cache.insert_or_assign(result.file, read_table(path, modified)).first;
  const Table& table = it->second;
  result.note = table.note;
  auto found = table.rows.find(Key{std::string(family), m, n, k});
  if (found == table.rows.end()) {  // the bucket: the smallest tuned M above m, below 2·m
    const auto above = table.rows.upper_bound(Key{std::string(family), m, 0, 0});
    for (auto it = above; it != table.rows.end() && std::get<0>(it->first) == family; ++it) {
      const auto [f, tuned_m, tuned_n, tuned_k] = it->first;
      if (std::uint64_t(tuned_m) >= 2 * std::uint64_t(m)) break;
      if (tuned_n == n && tuned_k == k) {
        found = it;
        break;
      }
    }
  }
  if (found != table.rows.end()) {
    result.rows.assign(found->second.rbegin(), found->second.rend());
    result.choice = result.rows.front();
  }
  return result;
}

}  // namespace asmk::gemm
