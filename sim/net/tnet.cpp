#include "sim/net/tnet.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "sim/config/yaml_util.hpp"
#include "sim/util/bytes.hpp"
#include "sim/util/error.hpp"
#include "sim/util/file.hpp"
#include "sim/util/limits.hpp"

namespace trine::net {

namespace {

const uint8_t kMagic[8] = {0x89, 'T', 'N', 'E', 'T', '\r', '\n', 0x1a};
constexpr size_t kHeaderBytes = 64;

size_t align_up(size_t x) {
  return (x + kTnetAlign - 1) / kTnetAlign * kTnetAlign;
}
size_t bytes_for_bits(uint64_t bits) {
  return static_cast<size_t>((bits + 7) / 8);
}

std::string quoted(const std::string& s) {
  std::string q = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      q += '\\';
      q += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      q += buf;
    } else {
      q += static_cast<char>(c);
    }
  }
  return q + "\"";
}

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

struct Payload {
  std::string name;
  std::vector<uint8_t> bytes;
};

// ---- payload encodings --------------------------------------------------------------------

std::vector<uint8_t> weight_payload(const Weights& w) {
  ByteWriter b;
  switch (w.form) {
    case WeightForm::Dense8:
      b.raw(w.dense.data(), w.dense.size());
      break;
    case WeightForm::Ternary:
      for (uint64_t s : w.ternary.row_start) b.u64(s);
      b.raw(w.ternary.stream.data(), w.ternary.stream.size());
      break;
    case WeightForm::NK:
      b.raw(w.nk.table.data(), w.nk.table.size());
      b.raw(w.nk.codes.data(), w.nk.codes.size());
      break;
    case WeightForm::ColComb:
      for (const auto& g : w.colcomb.groups) b.u32(static_cast<uint32_t>(g.size()));
      for (const auto& g : w.colcomb.groups)
        for (int32_t c : g) b.u32(static_cast<uint32_t>(c));
      b.raw(w.colcomb.values.data(), w.colcomb.values.size());
      b.raw(w.colcomb.select.data(), w.colcomb.select.size());
      break;
    case WeightForm::LowBit:
      b.raw(w.lowbit.kept.data(), w.lowbit.kept.size());
      b.raw(w.lowbit.codes.data(), w.lowbit.codes.size());
      break;
  }
  return std::move(b.bytes());
}

std::vector<uint8_t> int32_payload(const std::vector<int32_t>& v) {
  ByteWriter b;
  for (int32_t x : v) b.i32(x);
  return std::move(b.bytes());
}

// ---- manifest writer ----------------------------------------------------------------------

void emit_meta(std::ostringstream& m, const char* key, const Meta& meta, const std::string& ind) {
  if (meta.empty()) return;
  m << ind << key << ":\n";
  for (const auto& [k, v] : meta) m << ind << "  " << k << ": " << quoted(v) << "\n";
}

void emit_weights(std::ostringstream& m, const Weights& w, const std::string& payload) {
  m << "    weights:\n      form: " << form_name(w.form) << "\n      payload: " << quoted(payload)
    << "\n";
  switch (w.form) {
    case WeightForm::Dense8:
      break;
    case WeightForm::Ternary:
      m << "      run_bits: " << w.ternary.run_bits
        << "\n      stream_bits: " << w.ternary.row_start.back() << "\n";
      break;
    case WeightForm::NK:
      m << "      n: " << w.nk.n << "\n      k: " << w.nk.k
        << "\n      table_rows: " << w.nk.table_rows << "\n";
      break;
    case WeightForm::ColComb:
      m << "      alpha: " << w.colcomb.alpha << "\n      groups: " << w.colcomb.groups.size()
        << "\n";
      break;
    case WeightForm::LowBit:
      m << "      bits: " << w.lowbit.bits << "\n      block: " << w.lowbit.block
        << "\n      kept_blocks: " << w.lowbit.kept_tiles << "\n";
      break;
  }
}

std::string pair(int64_t a, int64_t b) {
  return "[" + std::to_string(a) + ", " + std::to_string(b) + "]";
}

}  // namespace

uint16_t tnet_minor(const Network& n) {
  auto padded_pool = [](const Layer& l) {
    return (l.kind == LayerKind::MaxPool || l.kind == LayerKind::AvgPool) && (l.pad_h || l.pad_w);
  };
  if (std::any_of(n.layers.begin(), n.layers.end(), padded_pool)) return 3;
  for (const Layer& l : n.layers)
    if (l.kind == LayerKind::Input) return 2;
  return is_chain(n) ? 0 : 1;
}

std::vector<uint8_t> serialize(const Network& n) {
  infer_types(n, n.name.empty() ? "network" : n.name);  // never write what cannot be read
  std::vector<Payload> payloads;
  std::ostringstream m;
  m << "# trine compressed network manifest (docs/tnet.md)\n";
  m << "name: " << quoted(n.name) << "\n";
  m << "input:\n  channels: " << n.input.channels << "\n  height: " << n.input.height
    << "\n  width: " << n.input.width << "\n  bits: " << n.input.bits
    << "\n  shift: " << n.input.shift << "\n";
  m << "classes: " << n.classes << "\n";
  emit_meta(m, "meta", n.meta, "");
  m << "layers:\n";
  for (const Layer& l : n.layers) {
    m << "  - name: " << quoted(l.name) << "\n    kind: " << kind_name(l.kind) << "\n";
    if (!l.inputs.empty()) {
      m << "    inputs: [";
      for (size_t k = 0; k < l.inputs.size(); ++k) m << (k ? ", " : "") << quoted(l.inputs[k]);
      m << "]\n";
    }
    switch (l.kind) {
      case LayerKind::Dense:
        m << "    in: " << l.in_channels << "\n    out: " << l.out_channels << "\n";
        break;
      case LayerKind::Conv2d:
        m << "    in_channels: " << l.in_channels << "\n    out_channels: " << l.out_channels
          << "\n    kernel: " << pair(l.kernel_h, l.kernel_w)
          << "\n    stride: " << pair(l.stride_h, l.stride_w)
          << "\n    padding: " << pair(l.pad_h, l.pad_w) << "\n";
        if (l.groups != 1) m << "    groups: " << l.groups << "\n";
        break;
      case LayerKind::Shift:
        m << "    offsets: [";
        for (size_t c = 0; c < l.offsets.size(); ++c)
          m << (c ? ", " : "") << pair(l.offsets[c].first, l.offsets[c].second);
        m << "]\n";
        break;
      case LayerKind::MaxPool:
      case LayerKind::AvgPool:
        m << "    kernel: " << pair(l.kernel_h, l.kernel_w)
          << "\n    stride: " << pair(l.stride_h, l.stride_w) << "\n";
        if (l.pad_h || l.pad_w) m << "    padding: " << pair(l.pad_h, l.pad_w) << "\n";
        break;
      case LayerKind::Relu:
      case LayerKind::Flatten:
      case LayerKind::Concat:
      case LayerKind::GlobalAvgPool:
        break;
      case LayerKind::Input:
        m << "    shape: [" << l.out_channels << ", " << l.height << ", " << l.width << "]\n";
        break;
      case LayerKind::Add:
        m << "    scales:\n";
        for (const Requant& q : l.scales)
          m << "      - {multiplier: " << q.multiplier << ", shift: " << q.shift << "}\n";
        m << "    relu: " << (l.relu ? "true" : "false") << "\n    out_bits: " << l.out_bits
          << "\n";
        break;
    }
    if (!l.is_compute()) continue;
    payloads.push_back({l.name + ".weights", weight_payload(l.weights)});
    emit_weights(m, l.weights, payloads.back().name);
    if (!l.bias.empty()) {
      payloads.push_back({l.name + ".bias", int32_payload(l.bias)});
      m << "    bias: " << quoted(payloads.back().name) << "\n";
    }
    m << "    requant:\n      shift: " << l.requant.shift << "\n";
    if (l.requant.multipliers.empty()) {
      m << "      multiplier: " << l.requant.multiplier << "\n";
    } else {
      payloads.push_back({l.name + ".multipliers", int32_payload(l.requant.multipliers)});
      m << "      multipliers: " << quoted(payloads.back().name) << "\n";
    }
    m << "    relu: " << (l.relu ? "true" : "false") << "\n    out_bits: " << l.out_bits
      << "\n    acc_bits: " << l.acc_bits << "\n";
    emit_meta(m, "method", l.method, "    ");
  }
  m << "payloads:\n";
  size_t offset = 0;
  for (const Payload& p : payloads) {
    m << "  - {name: " << quoted(p.name) << ", offset: " << offset << ", bytes: " << p.bytes.size()
      << ", crc32: " << hex32(crc32(p.bytes.data(), p.bytes.size())) << "}\n";
    offset = align_up(offset + p.bytes.size());
  }
  const std::string manifest = m.str();

  const size_t area = align_up(kHeaderBytes + manifest.size());
  ByteWriter out;
  out.raw(kMagic, 8);
  out.u16(kTnetMajor);
  out.u16(tnet_minor(n));
  out.u32(kHeaderBytes);
  out.u64(area + offset);  // file size
  out.u64(kHeaderBytes);   // manifest offset
  out.u64(manifest.size());
  out.u32(crc32(reinterpret_cast<const uint8_t*>(manifest.data()), manifest.size()));
  out.u32(static_cast<uint32_t>(payloads.size()));
  out.u64(area);
  out.u32(0);  // reserved
  out.u32(crc32(out.bytes().data(), out.size()));
  out.raw(manifest.data(), manifest.size());
  out.pad_to(kTnetAlign);
  for (const Payload& p : payloads) {
    out.raw(p.bytes.data(), p.bytes.size());
    out.pad_to(kTnetAlign);
  }
  TRINE_ASSERT(out.size() == area + offset, "tnet size bookkeeping");
  return std::move(out.bytes());
}

// ---- reader -------------------------------------------------------------------------------

namespace {

struct PayloadRef {
  const uint8_t* data = nullptr;
  size_t size = 0;
  bool used = false;
};

class ManifestReader {
 public:
  ManifestReader(const std::string& file, std::map<std::string, PayloadRef>& payloads)
      : file_(file), payloads_(payloads) {}

  int64_t integer(yaml::MapReader& m, const std::string& key, int64_t lo, int64_t hi) {
    YAML::Node n = m.need(key);
    const int64_t v = yaml::to_int(n, file_, m.path(key));
    if (v < lo || v > hi)
      throw InputError(yaml::where(n, file_), m.path(key),
                       std::to_string(v) + " is out of range [" + std::to_string(lo) + ", " +
                           std::to_string(hi) + "]");
    return v;
  }
  std::pair<int64_t, int64_t> pair(yaml::MapReader& m, const std::string& key, int64_t lo) {
    YAML::Node n = m.need(key);
    if (!n.IsSequence() || n.size() != 2)
      throw InputError(yaml::where(n, file_), m.path(key), "expected [height, width]");
    int64_t v[2];
    for (int i = 0; i < 2; ++i) {
      v[i] = yaml::to_int(n[i], file_, m.path(key));
      if (v[i] < lo || v[i] > 65535)
        throw InputError(
            yaml::where(n[i], file_), m.path(key),
            std::to_string(v[i]) + " is out of range [" + std::to_string(lo) + ", 65535]");
    }
    return {v[0], v[1]};
  }
  Meta meta(yaml::MapReader& m, const std::string& key) {
    Meta out;
    YAML::Node n = m.get(key);
    if (!n.IsDefined()) return out;
    yaml::MapReader inner(n, file_, m.path(key));  // checks it is a mapping without duplicates
    for (const auto& kv : n) {
      out.emplace_back(kv.first.Scalar(),
                       yaml::to_string(kv.second, file_, inner.path(kv.first.Scalar())));
      inner.get(kv.first.Scalar());
    }
    return out;
  }
  // Claims a payload by the name found at `key`, checking its size.
  const uint8_t* payload(yaml::MapReader& m, const std::string& key, size_t expected) {
    YAML::Node n = m.need(key);
    const std::string name = yaml::to_string(n, file_, m.path(key));
    auto it = payloads_.find(name);
    if (it == payloads_.end())
      throw InputError(yaml::where(n, file_), m.path(key), "no payload named '" + name + "'");
    if (it->second.used)
      throw InputError(yaml::where(n, file_), m.path(key), "payload '" + name + "' used twice");
    if (it->second.size != expected)
      throw InputError(yaml::where(n, file_), m.path(key),
                       "payload '" + name + "' has " + std::to_string(it->second.size) +
                           " bytes, the layer needs " + std::to_string(expected));
    it->second.used = true;
    return it->second.data;
  }
  std::vector<int32_t> int32s(yaml::MapReader& m, const std::string& key, int64_t count) {
    const uint8_t* p = payload(m, key, static_cast<size_t>(count) * 4);
    ByteReader r(p, static_cast<size_t>(count) * 4, key);
    std::vector<int32_t> v(static_cast<size_t>(count));
    for (auto& x : v) x = r.i32();
    return v;
  }

  Weights weights(const YAML::Node& node, const std::string& path, int64_t rows, int64_t cols) {
    yaml::MapReader m(node, file_, path);
    Weights w;
    YAML::Node form_node = m.need("form");
    const std::string form = yaml::to_string(form_node, file_, m.path("form"));
    try {
      w.form = form_from_name(form);
    } catch (const InputError& e) {
      throw InputError(yaml::where(form_node, file_), m.path("form"), e.what());
    }
    w.rows = rows;
    w.cols = cols;
    // Errors inside a payload point at the layer's weights in the manifest.
    const std::string what = yaml::where(node, file_).str() + ": " + path;
    auto copy = [](const uint8_t* p, size_t n) { return std::vector<uint8_t>(p, p + n); };
    switch (w.form) {
      case WeightForm::Dense8: {
        const uint8_t* p = payload(m, "payload", static_cast<size_t>(rows * cols));
        w.dense.assign(reinterpret_cast<const int8_t*>(p),
                       reinterpret_cast<const int8_t*>(p) + rows * cols);
        break;
      }
      case WeightForm::Ternary: {
        TernaryCode& t = w.ternary;
        t.run_bits = static_cast<int>(integer(m, "run_bits", 1, 16));
        const int64_t stream_bits = integer(m, "stream_bits", 0, int64_t{1} << 40);
        const size_t ptr_bytes = static_cast<size_t>(rows + 1) * 8;
        const uint8_t* p = payload(m, "payload", ptr_bytes + bytes_for_bits(stream_bits));
        ByteReader r(p, ptr_bytes, what);
        for (int64_t i = 0; i <= rows; ++i) t.row_start.push_back(r.u64());
        if (t.row_start.front() != 0 || t.row_start.back() != static_cast<uint64_t>(stream_bits))
          throw InputError(what, "row pointers do not span the stream");
        t.stream = copy(p + ptr_bytes, bytes_for_bits(stream_bits));
        break;
      }
      case WeightForm::NK: {
        NKCode& c = w.nk;
        c.n = static_cast<int>(integer(m, "n", 1, 32));
        c.k = static_cast<int>(integer(m, "k", 1, c.n));
        c.table_rows = integer(m, "table_rows", 1, 65536);
        c.code_bits = bits_for(c.table_rows);
        const size_t table = static_cast<size_t>(c.table_rows * c.n);
        const size_t codes =
            bytes_for_bits(static_cast<uint64_t>(rows) * c.groups_per_row(cols) * c.code_bits);
        const uint8_t* p = payload(m, "payload", table + codes);
        c.table.assign(reinterpret_cast<const int8_t*>(p),
                       reinterpret_cast<const int8_t*>(p) + table);
        c.codes = copy(p + table, codes);
        break;
      }
      case WeightForm::ColComb: {
        ColCombCode& cc = w.colcomb;
        cc.alpha = static_cast<int>(integer(m, "alpha", 1, 256));
        const int64_t G = integer(m, "groups", 1, cols);
        const size_t bytes = static_cast<size_t>(G * 4 + cols * 4 + 2 * rows * G);
        const uint8_t* p = payload(m, "payload", bytes);
        ByteReader r(p, bytes, what);
        std::vector<uint32_t> sizes(static_cast<size_t>(G));
        uint64_t total = 0;
        for (auto& s : sizes) total += (s = r.u32());
        if (total != static_cast<uint64_t>(cols))
          throw InputError(what, "group sizes add up to " + std::to_string(total) + ", not the " +
                                     std::to_string(cols) + " columns");
        for (uint32_t s : sizes) {
          cc.groups.emplace_back();
          for (uint32_t j = 0; j < s; ++j)
            cc.groups.back().push_back(static_cast<int32_t>(r.u32()));
        }
        const uint8_t* v = r.take(static_cast<size_t>(rows * G));
        cc.values.assign(reinterpret_cast<const int8_t*>(v),
                         reinterpret_cast<const int8_t*>(v) + rows * G);
        cc.select = copy(r.take(static_cast<size_t>(rows * G)), static_cast<size_t>(rows * G));
        break;
      }
      case WeightForm::LowBit: {
        LowBitCode& lb = w.lowbit;
        lb.bits = static_cast<int>(integer(m, "bits", 1, 8));
        lb.block = static_cast<int>(integer(m, "block", 1, 256));
        const int64_t b = lb.block;
        const int64_t tiles = ((rows + b - 1) / b) * ((cols + b - 1) / b);
        lb.kept_tiles = integer(m, "kept_blocks", 0, tiles);
        const size_t bitmap = bytes_for_bits(static_cast<uint64_t>(tiles));
        const size_t codes = bytes_for_bits(static_cast<uint64_t>(lb.kept_tiles) * b * b * lb.bits);
        const uint8_t* p = payload(m, "payload", bitmap + codes);
        lb.kept = copy(p, bitmap);
        lb.codes = copy(p + bitmap, codes);
        break;
      }
    }
    m.finish();
    validate(w, what);
    return w;
  }

  // An add's per-input rescaling: [{multiplier: M, shift: S}, ...].
  std::vector<Requant> scales(const YAML::Node& node, const std::string& path) {
    if (!node.IsSequence() || node.size() == 0)
      throw InputError(yaml::where(node, file_), path, "expected a list of {multiplier, shift}");
    std::vector<Requant> out;
    for (size_t i = 0; i < node.size(); ++i) {
      yaml::MapReader q(node[i], file_, path + "[" + std::to_string(i) + "]");
      Requant r;
      r.multiplier = integer(q, "multiplier", 1, 0x7fffffff);
      r.shift = integer(q, "shift", 0, 31);
      q.finish();
      out.push_back(r);
    }
    return out;
  }

  // A shift's per-channel offsets: [[dy, dx], ...].
  std::vector<std::pair<int32_t, int32_t>> offsets(const YAML::Node& node,
                                                   const std::string& path) {
    if (!node.IsSequence() || node.size() == 0)
      throw InputError(yaml::where(node, file_), path,
                       "expected a list of [dy, dx], one a channel");
    std::vector<std::pair<int32_t, int32_t>> out;
    for (const YAML::Node& item : node) {
      if (!item.IsSequence() || item.size() != 2)
        throw InputError(yaml::where(item, file_), path, "expected [dy, dx]");
      int32_t v[2];
      for (size_t k = 0; k < 2; ++k) {
        const int64_t d = yaml::to_int(item[k], file_, path);
        if (d < -kMaxShiftOffset || d > kMaxShiftOffset)
          throw InputError(yaml::where(item[k], file_), path,
                           std::to_string(d) + " is out of range [-" +
                               std::to_string(kMaxShiftOffset) + ", " +
                               std::to_string(kMaxShiftOffset) + "]");
        v[k] = static_cast<int32_t>(d);
      }
      out.emplace_back(v[0], v[1]);
    }
    return out;
  }

  // An input layer's [channels, height, width].
  void shape(yaml::MapReader& m, Layer& l) {
    const YAML::Node node = m.need("shape");
    if (!node.IsSequence() || node.size() != 3)
      throw InputError(yaml::where(node, file_), m.path("shape"),
                       "expected [channels, height, width]");
    int64_t v[3];
    for (size_t k = 0; k < 3; ++k) {
      v[k] = yaml::to_int(node[k], file_, m.path("shape"));
      if (v[k] < 1 || v[k] > limits::kTensorElements)
        throw InputError(yaml::where(node[k], file_), m.path("shape"),
                         std::to_string(v[k]) + " is out of range [1, " +
                             std::to_string(limits::kTensorElements) + "]");
    }
    l.out_channels = v[0], l.height = v[1], l.width = v[2];
  }

  Layer layer(const YAML::Node& node, const std::string& path) {
    yaml::MapReader m(node, file_, path);
    Layer l;
    l.name = yaml::to_string(m.need("name"), file_, m.path("name"));
    YAML::Node kind_node = m.need("kind");
    const std::string kind = yaml::to_string(kind_node, file_, m.path("kind"));
    std::string names;
    bool known = false;
    for (LayerKind k : all_kinds()) {
      names += (names.empty() ? "" : ", ") + std::string(kind_name(k));
      if (kind == kind_name(k)) l.kind = k, known = true;
    }
    if (!known)
      throw InputError(yaml::where(kind_node, file_), m.path("kind"),
                       "unknown layer kind '" + kind + "' (this trine reads " + names + ")");
    if (const YAML::Node in = m.get("inputs")) {
      if (!in.IsSequence() || in.size() == 0)
        throw InputError(yaml::where(in, file_), m.path("inputs"),
                         "expected a list of layer names (or 'input')");
      for (const YAML::Node& name : in)
        l.inputs.push_back(yaml::to_string(name, file_, m.path("inputs")));
    }
    const int64_t big = int64_t{1} << 24;
    int64_t cols = 0;
    switch (l.kind) {
      case LayerKind::Dense:
        l.in_channels = integer(m, "in", 1, big);
        l.out_channels = integer(m, "out", 1, big);
        cols = l.in_channels;
        break;
      case LayerKind::Conv2d:
        l.in_channels = integer(m, "in_channels", 1, big);
        l.out_channels = integer(m, "out_channels", 1, big);
        std::tie(l.kernel_h, l.kernel_w) = pair(m, "kernel", 1);
        std::tie(l.stride_h, l.stride_w) = pair(m, "stride", 1);
        std::tie(l.pad_h, l.pad_w) = pair(m, "padding", 0);
        if (m.has("groups")) {
          l.groups = integer(m, "groups", 1, l.in_channels);
          if (l.in_channels % l.groups != 0 || l.out_channels % l.groups != 0)
            throw InputError(yaml::where(m.get("groups"), file_), m.path("groups"),
                             std::to_string(l.groups) + " does not divide in_channels (" +
                                 std::to_string(l.in_channels) + ") and out_channels (" +
                                 std::to_string(l.out_channels) + ")");
        }
        cols = l.in_channels / l.groups * l.kernel_h * l.kernel_w;
        break;
      case LayerKind::Shift:
        l.offsets = offsets(m.need("offsets"), m.path("offsets"));
        break;
      case LayerKind::MaxPool:
      case LayerKind::AvgPool:
        std::tie(l.kernel_h, l.kernel_w) = pair(m, "kernel", 1);
        std::tie(l.stride_h, l.stride_w) = pair(m, "stride", 1);
        if (m.has("padding")) std::tie(l.pad_h, l.pad_w) = pair(m, "padding", 0);
        break;
      case LayerKind::Relu:
      case LayerKind::Flatten:
      case LayerKind::Concat:
      case LayerKind::GlobalAvgPool:
        break;
      case LayerKind::Input:
        shape(m, l);
        break;
      case LayerKind::Add:
        l.scales = scales(m.need("scales"), m.path("scales"));
        l.relu = yaml::to_bool(m.need("relu"), file_, m.path("relu"));
        l.out_bits = static_cast<int>(integer(m, "out_bits", 1, 32));
        break;
    }
    if (l.is_compute()) {
      // Bounded before any payload size is computed from them (rows x cols fits 64 bits).
      if (l.out_channels > limits::kTensorElements / cols)
        throw InputError(yaml::where(node, file_), path,
                         "layer '" + l.name + "' has " + std::to_string(l.out_channels) + " x " +
                             std::to_string(cols) + " weights; the largest tensor has " +
                             std::to_string(limits::kTensorElements) + " (docs/inputs.md)");
      l.weights = weights(m.need("weights"), m.path("weights"), l.out_channels, cols);
      if (m.has("bias"))
        l.bias = int32s(m, "bias", l.out_channels);
      else
        m.get("bias");
      yaml::MapReader rq(m.need("requant"), file_, m.path("requant"));
      l.requant.shift = integer(rq, "shift", 0, 62);
      if (rq.has("multipliers")) {
        l.requant.multipliers = int32s(rq, "multipliers", l.out_channels);
      } else {
        l.requant.multiplier = integer(rq, "multiplier", 1, 0x7fffffff);
      }
      rq.finish();
      l.relu = yaml::to_bool(m.need("relu"), file_, m.path("relu"));
      l.out_bits = static_cast<int>(integer(m, "out_bits", 1, 32));
      l.acc_bits = static_cast<int>(integer(m, "acc_bits", 8, 48));
      l.method = meta(m, "method");
    }
    m.finish();
    return l;
  }

 private:
  std::string file_;
  std::map<std::string, PayloadRef>& payloads_;
};

}  // namespace

Network parse(const std::vector<uint8_t>& bytes, const std::string& name) {
  auto fail = [&](const std::string& msg) -> void { throw InputError(name, msg); };
  if (bytes.size() < kHeaderBytes)
    fail("truncated: " + std::to_string(bytes.size()) + " bytes, shorter than the " +
         std::to_string(kHeaderBytes) + "-byte header");
  if (std::memcmp(bytes.data(), kMagic, 8) != 0) fail("not a .tnet file (bad magic)");
  ByteReader h(bytes.data(), kHeaderBytes, name);
  h.take(8);
  const uint16_t major = h.u16(), minor = h.u16();
  if (major != kTnetMajor)
    fail("format version " + std::to_string(major) + "." + std::to_string(minor) +
         " is not supported (this trine reads " + std::to_string(kTnetMajor) + ".x)");
  const uint32_t header_bytes = h.u32();
  const uint64_t file_bytes = h.u64(), manifest_offset = h.u64(), manifest_bytes = h.u64();
  const uint32_t manifest_crc = h.u32(), payload_count = h.u32();
  const uint64_t area = h.u64();
  const uint32_t reserved = h.u32();
  const uint32_t header_crc = h.u32();
  if (crc32(bytes.data(), kHeaderBytes - 4) != header_crc) fail("header checksum mismatch");
  if (header_bytes != kHeaderBytes) fail("unexpected header size");
  if (reserved != 0) fail("reserved header field is not zero");
  if (bytes.size() < file_bytes)
    fail("truncated: " + std::to_string(bytes.size()) + " bytes, the header says " +
         std::to_string(file_bytes));
  if (bytes.size() > file_bytes)
    fail(std::to_string(bytes.size() - file_bytes) + " unexpected bytes after the end");
  if (manifest_offset != kHeaderBytes || manifest_bytes > file_bytes - manifest_offset ||
      area < manifest_offset + manifest_bytes || area > file_bytes)
    fail("header sections are out of bounds");
  const uint8_t* mp = bytes.data() + manifest_offset;
  if (crc32(mp, manifest_bytes) != manifest_crc) fail("manifest checksum mismatch");

  const std::string mfile = name + "#manifest";
  YAML::Node root =
      yaml::parse(std::string(reinterpret_cast<const char*>(mp), manifest_bytes), mfile);
  yaml::MapReader top(root, mfile, "");

  // Payload table first: layers refer to payloads by name.
  std::map<std::string, PayloadRef> payloads;
  YAML::Node list = top.need("payloads");
  if (!list.IsSequence()) throw InputError(yaml::where(list, mfile), "payloads", "expected a list");
  if (list.size() != payload_count) fail("manifest and header disagree on the payload count");
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string path = "payloads[" + std::to_string(i) + "]";
    yaml::MapReader p(list[i], mfile, path);
    const std::string pname = yaml::to_string(p.need("name"), mfile, p.path("name"));
    const int64_t off = yaml::to_int(p.need("offset"), mfile, p.path("offset"));
    const int64_t size = yaml::to_int(p.need("bytes"), mfile, p.path("bytes"));
    YAML::Node crc_node = p.need("crc32");
    const int64_t crc = yaml::to_int(crc_node, mfile, p.path("crc32"));
    p.finish();
    if (off < 0 || size < 0 || off % kTnetAlign != 0 ||
        static_cast<uint64_t>(off) + static_cast<uint64_t>(size) > file_bytes - area)
      throw InputError(yaml::where(list[i], mfile), path,
                       "payload '" + pname + "' lies outside the file");
    const uint8_t* data = bytes.data() + area + off;
    if (crc32(data, static_cast<size_t>(size)) != static_cast<uint32_t>(crc))
      fail("payload '" + pname + "' checksum mismatch (corrupted file)");
    if (!payloads.emplace(pname, PayloadRef{data, static_cast<size_t>(size), false}).second)
      throw InputError(yaml::where(list[i], mfile), path, "duplicate payload '" + pname + "'");
  }

  // Every byte outside the checksummed sections is alignment padding and must be zero, so that
  // no flipped byte anywhere in the file goes unnoticed.
  std::vector<bool> covered(bytes.size(), false);
  std::fill(covered.begin(), covered.begin() + static_cast<long>(manifest_offset + manifest_bytes),
            true);
  for (const auto& [pname, ref] : payloads) {
    const size_t at = static_cast<size_t>(ref.data - bytes.data());
    std::fill(covered.begin() + static_cast<long>(at),
              covered.begin() + static_cast<long>(at + ref.size), true);
  }
  for (size_t i = 0; i < bytes.size(); ++i)
    if (!covered[i] && bytes[i] != 0)
      fail("non-zero padding byte at offset " + std::to_string(i) + " (corrupted file)");

  ManifestReader r(mfile, payloads);
  Network n;
  n.name = yaml::to_string(top.need("name"), mfile, "name");
  {
    yaml::MapReader in(top.need("input"), mfile, "input");
    n.input.channels = r.integer(in, "channels", 1, 65535);
    n.input.height = r.integer(in, "height", 1, 65535);
    n.input.width = r.integer(in, "width", 1, 65535);
    n.input.bits = static_cast<int>(r.integer(in, "bits", 1, 16));
    n.input.shift = static_cast<int>(r.integer(in, "shift", 0, 7));
    in.finish();
  }
  n.classes = r.integer(top, "classes", 1, 1 << 24);
  n.meta = r.meta(top, "meta");
  YAML::Node layers = top.need("layers");
  if (!layers.IsSequence())
    throw InputError(yaml::where(layers, mfile), "layers", "expected a list");
  for (size_t i = 0; i < layers.size(); ++i)
    n.layers.push_back(r.layer(layers[i], "layers[" + std::to_string(i) + "]"));
  top.finish();
  for (const auto& [pname, ref] : payloads)
    if (!ref.used) fail("payload '" + pname + "' is not used by any layer");
  infer_types(n, name);
  return n;
}

Network read_tnet(const std::string& path) {
  return parse(read_input_bytes(path, limits::kModelFileBytes, ".tnet network"), path);
}

void write_tnet(const Network& n, const std::string& path) {
  write_file_atomic(path, serialize(n));
}

}  // namespace trine::net
