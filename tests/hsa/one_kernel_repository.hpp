// A one-kernel repository in a temporary folder, for the GPU backends' bad-state tests (hsa and
// hip): kKernel's manifest entry, edited by the test, and a code object of the test's choice.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hsa_test_support.hpp"

namespace asmk::hsa_test {

// A one-kernel repository in a temporary folder: kKernel's manifest entry (changed by `edit`) and
// `code_object` as its .co.
class OneKernelRepository {
 public:
  OneKernelRepository(const std::string& tag, const std::vector<char>& code_object,
                      const std::function<void(nlohmann::json&)>& edit) {
    root_ = std::filesystem::temp_directory_path() / ("asmk_hsa_test_" + tag + "_" + std::to_string(::getpid()));
    std::ifstream in(hsaco_dir() + "/gfx942/manifest.json");
    nlohmann::json manifest = nlohmann::json::parse(in);
    nlohmann::json kept = nlohmann::json::array();
    for (auto& k : manifest["kernels"])
      if (k["name"] == kKernel) kept.push_back(k);
    EXPECT_EQ(kept.size(), 1u);
    edit(kept[0]);
    manifest["kernels"] = kept;
    manifest["rejected"] = nlohmann::json::array();
    const std::filesystem::path co = root_ / "gfx942" / kept[0]["file"].get<std::string>();
    std::filesystem::create_directories(co.parent_path());
    std::ofstream(root_ / "gfx942" / "manifest.json") << manifest.dump(1);
    std::ofstream(co, std::ios::binary).write(code_object.data(), std::streamsize(code_object.size()));
  }
  ~OneKernelRepository() { std::filesystem::remove_all(root_); }
  std::string path() const { return root_.string(); }

 private:
  std::filesystem::path root_;
};

// kKernel's code object (which it may share with other kernels), as the manifest names it.
inline std::vector<char> real_code_object() {
  std::ifstream manifest_in(hsaco_dir() + "/gfx942/manifest.json");
  const nlohmann::json manifest = nlohmann::json::parse(manifest_in);
  std::string file;
  for (const auto& k : manifest["kernels"])
    if (k["name"] == kKernel) file = k["file"].get<std::string>();
  EXPECT_FALSE(file.empty()) << kKernel << " is not in the gfx942 manifest";
  std::ifstream in(hsaco_dir() + "/gfx942/" + file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Issue 17: a GPU backend reads the code object's metadata note itself (no libLLVM) and refuses a
// manifest whose kernarg layout disagrees with it (m and n swapped: packed by the manifest, the
// kernel would read m as n), every time, before anything runs.
inline void expect_a_swapped_layout_refused(const char* backend) {
  OneKernelRepository repo(std::string(backend) + "_layout", real_code_object(), [&](nlohmann::json& k) {
    for (auto& arg : k["kernargs"])
      if (arg["name"] == "m") arg["name"] = "n";
      else if (arg["name"] == "n") arg["name"] = "m";
  });
  Opened o;
  open(o, backend, "MI300X", repo.path());
  ASSERT_EQ(o.status, ASMK_SUCCESS) << o.message;
  QuantBuffers b(o.context, 1);
  for (int attempt = 0; attempt < 2; ++attempt) {
    EXPECT_EQ(b.launch(), ASMK_ERROR_BAD_REPOSITORY);
    const std::string message = asmk_last_error();
    EXPECT_TRUE(mentions(message, "kernel " + std::string(kKernel) + ": the manifest's kernarg layout disagrees"))
        << message;
    EXPECT_TRUE(mentions(message, "is 'n' in the manifest, 'm' in the code object")) << message;
  }
}

}  // namespace asmk::hsa_test
