#include "sim/util/bytes.hpp"

#include <zlib.h>

#include "sim/util/error.hpp"

namespace trine {

uint64_t ByteReader::get(int n) {
  if (remaining() < static_cast<size_t>(n))
    throw InputError(what_ + ": truncated (needs " + std::to_string(n) + " more bytes at offset " +
                     std::to_string(pos_) + ")");
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(p_[pos_ + i]) << (8 * i);
  pos_ += n;
  return v;
}

const uint8_t* ByteReader::take(size_t n) {
  if (remaining() < n)
    throw InputError(what_ + ": truncated (needs " + std::to_string(n) + " bytes at offset " +
                     std::to_string(pos_) + ")");
  const uint8_t* p = p_ + pos_;
  pos_ += n;
  return p;
}

uint32_t crc32(const uint8_t* data, size_t size) {
  uLong c = ::crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths; feed large buffers in slices.
  while (size > 0) {
    uInt chunk = size > (1u << 30) ? (1u << 30) : static_cast<uInt>(size);
    c = ::crc32(c, data, chunk);
    data += chunk;
    size -= chunk;
  }
  return static_cast<uint32_t>(c);
}

void BitWriter::put(uint32_t value, int bits) {
  TRINE_ASSERT(bits >= 0 && bits <= 32, "bit field width");
  TRINE_ASSERT(bits == 32 || (value >> bits) == 0, "value wider than its bit field");
  for (int i = 0; i < bits; ++i) {
    if (bits_ % 8 == 0) buf_.push_back(0);
    if ((value >> i) & 1u) buf_.back() |= static_cast<uint8_t>(1u << (bits_ % 8));
    ++bits_;
  }
}

uint32_t BitReader::get(int bits) {
  TRINE_ASSERT(bits >= 0 && bits <= 32, "bit field width");
  TRINE_ASSERT(pos_ + bits <= buf_.size() * 8, "bit stream read past its end");
  uint32_t v = 0;
  for (int i = 0; i < bits; ++i, ++pos_)
    if ((buf_[pos_ / 8] >> (pos_ % 8)) & 1u) v |= 1u << i;
  return v;
}

}  // namespace trine
