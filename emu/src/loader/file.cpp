// POSIX open/fstat/read rather than std::ifstream: the kind and size of the file are known before
// reading (ifstream reads a FIFO or /dev/zero forever and throws on a directory), and opening
// with O_NONBLOCK keeps a FIFO without a writer from blocking the open itself.
#include "asmk/emu/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace asmk::emu {
namespace {

std::string kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Expected<std::vector<uint8_t>> read_regular_file(const std::string& path, uint64_t max_bytes, const std::string& what) {
  const auto failed = [&](const std::string& why) {
    return Expected<std::vector<uint8_t>>::failure(what + ": cannot read '" + path + "': " + why);
  };
  const Descriptor fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) return failed(std::strerror(errno));
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return failed(std::strerror(errno));
  if (!S_ISREG(info.st_mode)) return failed("it is " + kind_of(info.st_mode) + ", not a regular file");
  const auto size = static_cast<uint64_t>(info.st_size);
  if (size > max_bytes)
    return failed("it holds " + std::to_string(size) + " bytes, more than the limit of " + std::to_string(max_bytes));
  std::vector<uint8_t> bytes(size);
  uint64_t done = 0;
  while (done < size) {
    const ssize_t n = ::read(fd.get(), bytes.data() + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return failed(std::strerror(errno));
    if (n == 0) return failed("it shrank while being read (" + std::to_string(done) + " of " + std::to_string(size) + " bytes)");
    done += static_cast<uint64_t>(n);
  }
  return bytes;
}

}  // namespace asmk::emu
