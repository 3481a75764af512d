#pragma once
// Little-endian binary encoding, independent of the host, for the .tnet format.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace trine {

class ByteWriter {
 public:
  void u8(uint8_t v) { buf_.push_back(v); }
  void u16(uint16_t v) { put(v, 2); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void i8(int8_t v) { u8(static_cast<uint8_t>(v)); }
  void i32(int32_t v) { u32(static_cast<uint32_t>(v)); }
  void raw(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    buf_.insert(buf_.end(), b, b + n);
  }
  void pad_to(size_t alignment) {
    while (buf_.size() % alignment) buf_.push_back(0);
  }
  size_t size() const { return buf_.size(); }
  std::vector<uint8_t>& bytes() { return buf_; }

 private:
  void put(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) buf_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> buf_;
};

// Reads from a bounded byte range; running past the end throws InputError naming `what`.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size, std::string what)
      : p_(data), n_(size), what_(std::move(what)) {}
  uint8_t u8() { return static_cast<uint8_t>(get(1)); }
  uint16_t u16() { return static_cast<uint16_t>(get(2)); }
  uint32_t u32() { return static_cast<uint32_t>(get(4)); }
  uint64_t u64() { return get(8); }
  int8_t i8() { return static_cast<int8_t>(u8()); }
  int32_t i32() { return static_cast<int32_t>(u32()); }
  const uint8_t* take(size_t n);
  size_t remaining() const { return n_ - pos_; }
  size_t position() const { return pos_; }

 private:
  uint64_t get(int n);
  const uint8_t* p_;
  size_t n_;
  size_t pos_ = 0;
  std::string what_;
};

uint32_t crc32(const uint8_t* data, size_t size);

// Packs and unpacks unsigned fields of 1..32 bits, LSB-first, as the hardware streams them.
class BitWriter {
 public:
  void put(uint32_t value, int bits);
  size_t bit_count() const { return bits_; }
  const std::vector<uint8_t>& bytes() const { return buf_; }

 private:
  std::vector<uint8_t> buf_;
  size_t bits_ = 0;
};

class BitReader {
 public:
  BitReader(const std::vector<uint8_t>& buf, size_t bit_offset = 0) : buf_(buf), pos_(bit_offset) {}
  // Throws RunError if it would read past the buffer (callers validate bounds first).
  uint32_t get(int bits);
  size_t position() const { return pos_; }

 private:
  const std::vector<uint8_t>& buf_;
  size_t pos_;
};

}  // namespace trine
