// Shared helpers for the libasmk tests: the fixture repository and a context on it.
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "asmk.h"
#include "backends/record.hpp"
#include "c_handles.hpp"
#include "context.hpp"

namespace asmk::test {

inline const std::string kRepo = ASMK_TEST_REPO;                      // the fixture: placeholder .co files
inline const std::string kGemmRepo = ASMK_TEST_GEMM_REPO;              // a GEMM repository with tuned tables
inline const std::string kGeneratedRepo = ASMK_TEST_GENERATED_REPO;    // the build's kernel set (hsaco/)

// A C-ABI context on the fixture with the record backend; fails the test if it cannot open.
struct ContextDeleter {
  void operator()(asmk_context* c) const { asmk_close(c); }
};
using ContextPtr = std::unique_ptr<asmk_context, ContextDeleter>;

inline ContextPtr open_fixture(const char* device = "MI300X") {
  asmk_open_options options;
  asmk_open_options_init(&options);
  options.device = device;
  options.backend = "record";  // the fixture's .co files are placeholders: record, never run
  asmk_context* context = nullptr;
  const asmk_status status = asmk_open(kRepo.c_str(), &options, &context);
  EXPECT_EQ(status, ASMK_SUCCESS) << asmk_last_error();
  return ContextPtr(context);
}

// The launches the record backend of a C-ABI context has seen (tests look inside the handle).
inline const std::vector<RecordedLaunch>& recorded_launches(asmk_context* context) {
  return dynamic_cast<const RecordingBackend&>(context->impl->backend()).launches();
}

// The status of a C-ABI call and the message it left.
struct Outcome {
  asmk_status status;
  std::string message;
};
inline Outcome outcome(asmk_status status) { return {status, asmk_last_error()}; }

// gtest helper: the message contains `part`.
inline ::testing::AssertionResult mentions(const Outcome& o, const std::string& part) {
  if (o.message.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "message \"" << o.message << "\" does not mention \"" << part << "\"";
}

}  // namespace asmk::test
