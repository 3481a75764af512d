#include "sim/util/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "sim/util/error.hpp"

namespace trine {

namespace {

// A device or a pipe named as an output is written to, never replaced (as root, a rename onto
// /dev/null would replace the device with a regular file).
void write_through(const std::string& path, const void* data, size_t size) {
  // Opened without blocking (a FIFO nobody reads fails at once instead of hanging), then
  // written with blocking writes.
  const int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw InputError(path, std::string("cannot write (") + std::strerror(errno) + ")");
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      throw InputError(path, "write failed");
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  ::close(fd);
}

// The file a path names: a symbolic link's target (resolved against the link's folder), so
// that the rename replaces the file the link points to and the link stays.
std::string link_target(const std::string& path) {
  std::string target = path;
  for (int hops = 0; hops < 32; ++hops) {
    struct stat st;
    if (::lstat(target.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return target;
    char buf[4096];
    const ssize_t n = ::readlink(target.c_str(), buf, sizeof buf - 1);
    if (n <= 0) return target;
    const std::string to(buf, static_cast<size_t>(n));
    const size_t slash = target.rfind('/');
    target = to[0] == '/' || slash == std::string::npos ? to : target.substr(0, slash + 1) + to;
  }
  throw InputError(path, "too many levels of symbolic links");
}

}  // namespace

void write_file_atomic(const std::string& path, const void* data, size_t size) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw InputError(path, "is a folder; name a file to write");
    if (!S_ISREG(st.st_mode)) return write_through(path, data, size);
  }
  const std::string target = link_target(path);
  // A name of this process's own: two processes writing one file (a point finished by an
  // orphan of a killed sweep and by its rerun) never share a temporary.
  const std::string tmp = target + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(path, "cannot write file");
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.flush();
    if (!out) {
      out.close();
      std::remove(tmp.c_str());
      throw InputError(path, "write failed");
    }
  }
  if (std::rename(tmp.c_str(), target.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw InputError(path, "cannot move the finished file into place");
  }
}

void write_file_streamed(const std::string& path, const std::function<void(std::ostream&)>& fill) {
  struct stat st;
  const bool exists = ::stat(path.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) throw InputError(path, "is a folder; name a file to write");
  const bool direct = exists && !S_ISREG(st.st_mode);
  const std::string target = direct ? path : link_target(path);
  const std::string tmp = direct ? path : target + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(path, "cannot write file");
    try {
      fill(out);
    } catch (...) {
      out.close();
      if (!direct) std::remove(tmp.c_str());
      throw;
    }
    out.flush();
    if (!out) {
      out.close();
      if (!direct) std::remove(tmp.c_str());
      throw InputError(path, "write failed");
    }
  }
  if (!direct && std::rename(tmp.c_str(), target.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw InputError(path, "cannot move the finished file into place");
  }
}

std::string read_file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

namespace {

std::string size_text(int64_t bytes) {
  if (bytes >= (int64_t{1} << 30) && bytes % (int64_t{1} << 30) == 0)
    return std::to_string(bytes >> 30) + " GiB";
  if (bytes >= (int64_t{1} << 20) && bytes % (int64_t{1} << 20) == 0)
    return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

// Opens without blocking (a FIFO with no writer would wait forever) and checks the kind and
// size of what was opened, not of what the path named a moment before.
int open_input(const std::string& path, int64_t max_bytes, const char* what, int64_t& size) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    throw InputError(path,
                     std::string("cannot open the ") + what + " (" + std::strerror(errno) + ")");
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const bool dir = S_ISDIR(st.st_mode);
    ::close(fd);
    throw InputError(path, dir ? "is a folder, not a file"
                               : "is a device, a pipe or a socket, not a regular file");
  }
  if (st.st_size > max_bytes) {
    ::close(fd);
    throw InputError(path, std::string("the ") + what + " is " + size_text(st.st_size) +
                               "; the largest accepted is " + size_text(max_bytes) +
                               " (docs/inputs.md)");
  }
  size = st.st_size;
  return fd;
}

template <class Buffer>
Buffer read_whole(const std::string& path, int64_t max_bytes, const char* what) {
  int64_t size = 0;
  const int fd = open_input(path, max_bytes, what, size);
  Buffer out(static_cast<size_t>(size), 0);
  size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::read(fd, &out[got], out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the file shrank while being read: take what is there
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  out.resize(got);
  return out;
}

}  // namespace

int64_t check_input_file(const std::string& path, int64_t max_bytes, const char* what) {
  int64_t size = 0;
  ::close(open_input(path, max_bytes, what, size));
  return size;
}

std::string read_input_file(const std::string& path, int64_t max_bytes, const char* what) {
  return read_whole<std::string>(path, max_bytes, what);
}

std::vector<uint8_t> read_input_bytes(const std::string& path, int64_t max_bytes,
                                      const char* what) {
  return read_whole<std::vector<uint8_t>>(path, max_bytes, what);
}

}  // namespace trine
