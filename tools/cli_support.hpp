// What the subcommands share: the repository default, a context that closes itself, and
// turning a libasmk status into an error the CLI prints before exiting non-zero.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "asmk.h"

namespace asmk::cli {

// A failure the CLI reports as "asmk: error: <message>" with exit code 1.
class Failure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws Failure carrying libasmk's message when status is not ASMK_SUCCESS.
void check(asmk_status status);

// Host memory the CLI lets its own buffers take: half the machine's physical memory. A larger
// request (a `zeros:` size, a shape for --check) is refused before anything is allocated.
std::uint64_t host_memory_budget();
// Throws Failure naming `what`, the bytes and the budget when `bytes` exceeds host_memory_budget().
void require_host_memory(const std::string& what, std::uint64_t bytes);

// The bytes of a regular file of at most `max_bytes`; a directory, FIFO or device, or a larger
// file, is a Failure naming `what` and the path (emu/file.hpp reads it).
std::vector<std::uint8_t> read_input_file(const std::string& path, std::uint64_t max_bytes, const std::string& what);

// Throws Failure naming `option` unless `path` can be written as a file: not a directory, and
// either a writable existing file or a new name in an existing, writable folder. Checked before a
// command runs, so a launch is not wasted and nothing is half-written.
void require_writable_file(const std::string& option, const std::string& path);

// --repo if given, else $ASMK_REPO, else the source tree's hsaco/.
std::string repository_or_default(const std::string& given);

struct ContextCloser {
  void operator()(asmk_context* c) const { asmk_close(c); }
};
using Context = std::unique_ptr<asmk_context, ContextCloser>;

// Opens `repo` with the device (may be empty) and backend.
Context open_context(const std::string& repo, const std::string& device = "", const std::string& backend = "record");

struct KernelView {
  asmk_kernel_info info{};
  std::vector<asmk_param> params;
  std::vector<asmk_kernarg_info> kernargs;
};
KernelView describe(const asmk_kernel* kernel);

// "in_dtype=bf16 granularity=row n_per_wg=1024"
std::string params_text(const KernelView& view);
std::string param_value_text(const asmk_param& param);

// The kernarg layout as an aligned table, one line per argument; `value_of(name)` may add a
// value column (return "" for none).
template <typename ValueOf>
std::string kernarg_table(const KernelView& view, ValueOf&& value_of);
std::string kernarg_table(const KernelView& view);

}  // namespace asmk::cli

#include "cli_support_inl.hpp"
