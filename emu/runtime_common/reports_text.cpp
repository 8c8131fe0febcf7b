#include "reports_text.hpp"

#include <algorithm>

namespace asmk::emu_runtime {

std::string reports_text(const std::vector<emu::Report>& reports, std::uint64_t count, const std::string& what) {
  constexpr std::size_t kReportsInText = 3;
  std::string text = std::to_string(count) + " " + what + (count == 1 ? "" : "s");
  for (std::size_t i = 0; i < reports.size() && i < kReportsInText; ++i)
    text += (i == 0 ? ": " : "; ") + reports[i].to_string();
  const std::uint64_t shown = std::min<std::uint64_t>({reports.size(), kReportsInText, count});
  if (count > shown) text += " (and " + std::to_string(count - shown) + " more)";
  return text;
}

}  // namespace asmk::emu_runtime
