#pragma once
// The .tnet file: a 64-byte header, a YAML manifest, and 64-byte aligned binary payloads, each
// with a CRC-32 (layout in docs/tnet.md). Writing is canonical: reading a file trine wrote and
// writing it again gives the same bytes.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/net/network.hpp"

namespace trine::net {

constexpr uint16_t kTnetMajor = 1;
constexpr uint16_t kTnetMinor = 2;  // the newest minor; each file is written with the oldest
                                    // minor that has what it uses (tnet_minor())
constexpr size_t kTnetAlign = 64;

// The minor version a network is written with: 2 when it has an input layer, 1 when it is a
// graph otherwise (inputs, add, concat, global pooling, shift, groups), else 0.
uint16_t tnet_minor(const Network& n);
std::vector<uint8_t> serialize(const Network& n);
// Parses and fully validates a file's bytes; `name` is used in messages. Throws InputError.
Network parse(const std::vector<uint8_t>& bytes, const std::string& name);

Network read_tnet(const std::string& path);
// Writes atomically (temporary file, then rename): a failed write leaves no partial file.
void write_tnet(const Network& n, const std::string& path);

}  // namespace trine::net
