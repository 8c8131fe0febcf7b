// Host references for the kernels that read what the runtime provides: the AQL dispatch packet
// and the code object v5 hidden arguments. The expected values follow from the launch shape
// (grid counted in workgroups, so there are no partial workgroups and remainders are 0).
#include "corpus.hpp"

namespace asmk::corpus {
namespace {

struct Launch {
  Dim3 grid, block;
};
const Launch kLaunches[] = {{{3, 1, 1}, {64, 1, 1}}, {{2, 3, 1}, {16, 8, 1}}, {{2, 2, 3}, {4, 4, 4}}};

/// The dimension count a dispatch needs: the last axis with more than one work-item.
uint32_t needed_dims(const Launch& l) {
  if (uint64_t(l.grid.z) * l.block.z > 1) return 3;
  if (uint64_t(l.grid.y) * l.block.y > 1) return 2;
  return 1;
}

}  // namespace

CORPUS_CASE(dispatch_packet) {
  for (const Launch& l : kLaunches) {
    const uint64_t groups = l.grid.count();
    uint64_t out = ctx.filled<uint32_t>(10 * groups, 0xdeadbeef);
    ctx.launch(l.grid, l.block, out, l.grid.x, l.grid.y);
    std::vector<uint32_t> got = ctx.download<uint32_t>(out, 10 * groups);
    std::vector<uint32_t> want(10 * groups);
    for (uint64_t g = 0; g < groups; g++) {
      uint32_t* w = &want[10 * g];
      w[0] = l.block.x, w[1] = l.block.y, w[2] = l.block.z;
      w[3] = l.grid.x * l.block.x, w[4] = l.grid.y * l.block.y, w[5] = l.grid.z * l.block.z;
      w[6] = l.block.x, w[7] = l.block.y, w[8] = l.block.z;
      // The packet's dimension count: the runtime may declare more dimensions than used (HIP
      // always says 3); it must cover the used ones.
      const uint32_t dims = got[10 * g + 9];
      EXPECT_TRUE(dims >= needed_dims(l) && dims <= 3) << "setup dimensions " << dims;
      w[9] = dims;
    }
    ctx.expect_same(got, want, "dispatch packet sizes per workgroup", [](size_t k) {
      const char* f[] = {"wg_size_x", "wg_size_y", "wg_size_z", "grid_x", "grid_y", "grid_z",
                         "builtin size x", "builtin size y", "builtin size z", "dims"};
      return std::string(f[k % 10]) + " of workgroup " + std::to_string(k / 10);
    });
  }
}

CORPUS_CASE(implicit_args) {
  for (const Launch& l : kLaunches) {
    uint64_t out = ctx.filled<uint32_t>(14, 0xdeadbeef);
    ctx.launch(l.grid, l.block, out, 0x5eedu);
    std::vector<uint32_t> got = ctx.download<uint32_t>(out, 14);
    const uint32_t dims = got[12];
    EXPECT_TRUE(dims >= needed_dims(l) && dims <= 3) << "hidden_grid_dims " << dims;
    std::vector<uint32_t> want = {l.grid.x, l.grid.y, l.grid.z, l.block.x, l.block.y, l.block.z, 0, 0, 0,
                                  0,        0,        0,        dims,      0x5eedu};
    ctx.expect_same(got, want, "hidden arguments", [](size_t k) {
      const char* f[] = {"block_count_x", "block_count_y", "block_count_z", "group_size_x", "group_size_y",
                         "group_size_z",  "remainder_x",   "remainder_y",   "remainder_z",  "global_offset_x",
                         "global_offset_y", "global_offset_z", "grid_dims", "explicit tag"};
      return std::string(f[k]);
    });
  }
}

}  // namespace asmk::corpus
