#pragma once
// Text files compiled into the binary (see cmake/Embed.cmake): the default design point and
// the DRAM presets, so that `trine` works from any directory without the source tree.
#include <cstddef>
#include <string>
#include <vector>

namespace trine::embedded {

struct File {
  const char* path;  // relative to the repository root, e.g. "configs/arch/default.yaml"
  const char* text;
};

const std::vector<File>& configs();

// The embedded file at `path`, or nullptr.
const File* find(const std::string& path);

// Binary files: the default network (configs/nets/default.tnet).
struct Blob {
  const char* path;
  const unsigned char* data;
  size_t size;
};
const std::vector<Blob>& blobs();
const Blob* find_blob(const std::string& path);

}  // namespace trine::embedded
