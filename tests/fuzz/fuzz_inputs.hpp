// Inputs for the fuzz entry point's deterministic tests: the generated code objects used as
// seeds, file reading, and feeding one input to LLVMFuzzerTestOneInput (code_object_fuzzer.cpp).
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace asmk::fuzz {

namespace fs = std::filesystem;

/// One generated code object per arch and family folder of ASMK_HSACO_DIR (the smallest, to keep
/// the tests fast).
inline std::vector<fs::path> seeds() {
  std::vector<fs::path> out;
  for (const char* arch : {"gfx942", "gfx950"}) {
    const fs::path dir = fs::path(ASMK_HSACO_DIR) / arch;
    std::error_code ec;
    for (const auto& family : fs::directory_iterator(dir, ec)) {
      if (!family.is_directory()) continue;
      std::vector<fs::path> files;
      for (const auto& f : fs::directory_iterator(family.path()))
        if (f.path().extension() == ".co") files.push_back(f.path());
      if (files.empty()) continue;
      out.push_back(*std::min_element(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
        return fs::file_size(a) < fs::file_size(b);
      }));
    }
  }
  return out;
}

/// The file's bytes (empty if it cannot be read).
inline std::vector<std::uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

namespace detail {

// The input being fed, for the crash handler below.
inline const std::uint8_t* volatile current_input = nullptr;
inline volatile std::size_t current_input_size = 0;

// On a fatal signal, saves the input being fed as ASMK_FUZZ_LAST_INPUT (async-signal-safe
// calls only), then dies of the same signal. Writing every input up front instead costs a
// file truncation per input, which dominated these tests' run time.
extern "C" inline void save_input_and_die(int signal) {
  const int fd = ::open(ASMK_FUZZ_LAST_INPUT, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    const std::uint8_t* data = current_input;
    std::size_t left = data ? current_input_size : 0;
    while (left > 0) {
      const ssize_t written = ::write(fd, data, left);
      if (written <= 0) break;
      data += written;
      left -= std::size_t(written);
    }
    ::close(fd);
  }
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

inline void install_crash_handler() {
  static const bool installed = [] {
    static std::uint8_t alternate_stack[64 * 1024];  // so a stack overflow is caught too
    stack_t stack{};
    stack.ss_sp = alternate_stack;
    stack.ss_size = sizeof alternate_stack;
    ::sigaltstack(&stack, nullptr);
    struct sigaction action{};
    action.sa_handler = save_input_and_die;
    action.sa_flags = SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    for (int signal : {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL}) ::sigaction(signal, &action, nullptr);
    return true;
  }();
  (void)installed;
}

}  // namespace detail

/// Runs one input through the fuzz entry point; if it crashes, the input is left behind as
/// ASMK_FUZZ_LAST_INPUT (replay: code_object_fuzzer FILE, then reduce it to a recipe in
/// regression_test.cpp).
/// While it lives, a fatal signal saves `input` as ASMK_FUZZ_LAST_INPUT (for tests that do more
/// with an input than feed it to the entry point, e.g. run it).
class SavedOnCrash {
 public:
  explicit SavedOnCrash(const std::vector<std::uint8_t>& input) {
    detail::install_crash_handler();
    detail::current_input_size = input.size();
    detail::current_input = input.data();
  }
  ~SavedOnCrash() { detail::current_input = nullptr; }
  SavedOnCrash(const SavedOnCrash&) = delete;
  SavedOnCrash& operator=(const SavedOnCrash&) = delete;
};

inline void feed(const std::vector<std::uint8_t>& input) {
  detail::install_crash_handler();
  detail::current_input_size = input.size();
  detail::current_input = input.data();
  EXPECT_EQ(LLVMFuzzerTestOneInput(input.data(), input.size()), 0);
  detail::current_input = nullptr;
}

}  // namespace asmk::fuzz
