#include "cached_op.hpp"

#include <memory>

namespace asmk::ops {

CachedOpPtr selection_entry(Selection selection) {
  auto entry = std::make_shared<CachedOp>();
  entry->selection = std::move(selection);
  return entry;
}

CachedOpPtr single_launch_entry(Context& context, Selection selection, std::span<const KernargValue> values,
                                std::span<const std::string_view> pointer_names) {
  auto entry = std::make_shared<CachedOp>();
  entry->launches.push_back(
      prepare_launch(context, *selection.kernel, selection.grid, selection.block, values, pointer_names));
  entry->selection = std::move(selection);
  return entry;
}

}  // namespace asmk::ops
