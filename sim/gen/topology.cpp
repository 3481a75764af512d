#include "sim/gen/topology.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <initializer_list>
#include <map>
#include <set>

#include "sim/util/error.hpp"
#include "sim/util/file.hpp"
#include "sim/util/limits.hpp"

namespace trine::gen {

namespace {

// Columns by what they hold; a header names each as SCALE-Sim writes it (case and spacing
// aside). "Strides" sets both strides.
enum Column {
  kName,
  kIfmapH,
  kIfmapW,
  kFilterH,
  kFilterW,
  kChannels,
  kFilters,
  kStrides,
  kStrideH,
  kStrideW,
  kM,
  kN,
  kK,
  kColumns
};
struct ColumnName {
  const char* text;
  Column column;
};
constexpr std::array<ColumnName, 16> kColumnNames{{{"layer name", kName},
                                                   {"layer", kName},
                                                   {"ifmap height", kIfmapH},
                                                   {"ifmap width", kIfmapW},
                                                   {"filter height", kFilterH},
                                                   {"filter width", kFilterW},
                                                   {"channels", kChannels},
                                                   {"num filter", kFilters},
                                                   {"num filters", kFilters},
                                                   {"strides", kStrides},
                                                   {"stride height", kStrideH},
                                                   {"stride width", kStrideW},
                                                   {"m", kM},
                                                   {"n", kN},
                                                   {"k", kK},
                                                   {"layer_name", kName}}};
const char* const kConvColumns =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
    "Strides (or Stride height, Stride width)";
const char* const kGemmColumns = "Layer name, M, N, K";

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// A line's fields, trimmed, without what follows '#' and without trailing empty fields.
std::vector<std::string> fields(std::string line) {
  if (const size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
  std::vector<std::string> out;
  size_t at = 0;
  while (true) {
    const size_t comma = line.find(',', at);
    out.push_back(trim(line.substr(at, comma == std::string::npos ? comma : comma - at)));
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  while (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

// The header: which field holds which column (-1: a column without a name, which rows must
// leave empty). Throws for an unknown or repeated name.
std::vector<int> header_columns(const std::vector<std::string>& names, const std::string& path,
                                int line) {
  std::vector<int> at(names.size(), -1);
  std::set<int> seen;
  for (size_t f = 0; f < names.size(); ++f) {
    if (names[f].empty()) continue;
    std::string key;  // lower case, each run of spaces one space
    for (char c : names[f]) {
      const auto u = static_cast<unsigned char>(c);
      if (!std::isspace(u))
        key += static_cast<char>(std::tolower(u));
      else if (key.back() != ' ')
        key += ' ';
    }
    const auto it = std::find_if(kColumnNames.begin(), kColumnNames.end(),
                                 [&](const ColumnName& c) { return key == c.text; });
    if (it == kColumnNames.end())
      throw InputError(Location{path, line, 0}, "header",
                       "unknown column '" + names[f] + "' (a convolution topology has " +
                           kConvColumns + "; a GEMM one " + kGemmColumns + ")");
    if (!seen.insert(it->column).second)
      throw InputError(Location{path, line, 0}, "header", "column '" + names[f] + "' is repeated");
    at[f] = it->column;
  }
  return at;
}

int64_t positive(const std::string& text, const std::string& column, const std::string& path,
                 int line) {
  int64_t v = 0;
  bool ok = !text.empty() && text.size() <= 9;
  for (char c : text) ok = ok && std::isdigit(static_cast<unsigned char>(c));
  if (ok) v = std::stoll(text);
  if (!ok || v < 1)
    throw InputError(Location{path, line, 0}, column,
                     "'" + text + "' is not a whole number in [1, 999999999]");
  return v;
}

struct Header {
  std::vector<int> column;         // per field
  std::vector<std::string> names;  // per field, as written
  bool gemm = false;
};

Header read_header(const std::vector<std::string>& names, const std::string& path, int line) {
  Header h{header_columns(names, path, line), names, false};
  auto has = [&](Column c) { return std::count(h.column.begin(), h.column.end(), c) > 0; };
  h.gemm = has(kM) || has(kN) || has(kK);
  std::vector<std::pair<Column, const char*>> need;
  if (h.gemm)
    need = {{kName, "Layer name"}, {kM, "M"}, {kN, "N"}, {kK, "K"}};
  else
    need = {{kName, "Layer name"},       {kIfmapH, "IFMAP Height"},  {kIfmapW, "IFMAP Width"},
            {kFilterH, "Filter Height"}, {kFilterW, "Filter Width"}, {kChannels, "Channels"},
            {kFilters, "Num Filter"}};
  for (const auto& [c, text] : need)
    if (!has(c))
      throw InputError(
          Location{path, line, 0}, "header",
          std::string("no column '") + text + "' (" + (h.gemm ? kGemmColumns : kConvColumns) + ")");
  const bool one = has(kStrides), two = has(kStrideH) || has(kStrideW);
  if (!h.gemm && one == two)
    throw InputError(Location{path, line, 0}, "header",
                     one ? "give 'Strides' or 'Stride height' and 'Stride width', not both"
                         : "no column 'Strides' (or 'Stride height' and 'Stride width')");
  if (!h.gemm && two && !(has(kStrideH) && has(kStrideW)))
    throw InputError(Location{path, line, 0}, "header",
                     "'Stride height' and 'Stride width' come together");
  for (int c : h.column)
    if (h.gemm && c != kName && c != kM && c != kN && c != kK && c >= 0)
      throw InputError(Location{path, line, 0}, "header",
                       "a GEMM topology (M, N, K) has no convolution columns");
  return h;
}

// Products of up to four values below 10^9 checked one factor at a time, so none overflows.
bool within(std::initializer_list<int64_t> factors, int64_t limit) {
  int64_t product = 1;
  for (int64_t f : factors) {
    if (f > limit / product) return false;
    product *= f;
  }
  return true;
}

void check_size(const TopologyRow& r, const std::string& path) {
  const int64_t limit = limits::kTensorElements;
  const char* what =
      !within({r.ifmap_h, r.ifmap_w, r.channels}, limit) ? "its IFMAP"
      : !within({r.filters, r.depthwise ? r.channels : 1, r.depthwise ? 1 : r.channels,
                 r.filter_h * r.filter_w},
                limit)
          ? "its weights"
      : !within({r.depthwise ? r.channels : 1, r.filters, r.ifmap_h, r.ifmap_w}, limit)
          ? "its output"
          : nullptr;
  if (what)
    throw InputError(Location{path, r.line, 0}, "row",
                     "layer '" + r.name + "': " + what + " has more than " + std::to_string(limit) +
                         " values (docs/inputs.md)");
}

TopologyRow read_row(const Header& h, const std::vector<std::string>& f, const std::string& path,
                     int line) {
  if (f.size() > h.column.size())
    throw InputError(Location{path, line, 0}, "row",
                     std::to_string(f.size()) + " fields, but the header has " +
                         std::to_string(h.column.size()) + " columns");
  std::array<int64_t, kColumns> v{};
  TopologyRow r;
  r.line = line;
  for (size_t k = 0; k < h.column.size(); ++k) {
    const std::string text = k < f.size() ? f[k] : "";
    if (h.column[k] < 0) {
      if (!text.empty())
        throw InputError(Location{path, line, 0}, "row",
                         "'" + text + "' is in column " + std::to_string(k + 1) +
                             ", which the header does not name");
      continue;
    }
    if (h.column[k] == kName) {
      if (text.empty()) throw InputError(Location{path, line, 0}, h.names[k], "no layer name");
      r.name = text;
    } else {
      v[static_cast<size_t>(h.column[k])] = positive(text, h.names[k], path, line);
    }
  }
  if (h.gemm) {  // M x K input rows, N filters of K: SCALE-Sim's M, N, K
    r.ifmap_h = v[kM], r.ifmap_w = 1, r.filter_h = r.filter_w = 1;
    r.channels = v[kK], r.filters = v[kN];
    check_size(r, path);
    return r;
  }
  r.ifmap_h = v[kIfmapH], r.ifmap_w = v[kIfmapW], r.filter_h = v[kFilterH];
  r.filter_w = v[kFilterW], r.channels = v[kChannels], r.filters = v[kFilters];
  r.stride_h = v[kStrides] ? v[kStrides] : v[kStrideH];
  r.stride_w = v[kStrides] ? v[kStrides] : v[kStrideW];
  r.depthwise = r.name.find("DP") != std::string::npos;
  check_size(r, path);
  if (r.filter_h > r.ifmap_h || r.filter_w > r.ifmap_w)
    throw InputError(Location{path, line, 0}, "row",
                     "layer '" + r.name + "': its " + std::to_string(r.filter_h) + "x" +
                         std::to_string(r.filter_w) + " filter is larger than its " +
                         std::to_string(r.ifmap_h) + "x" + std::to_string(r.ifmap_w) +
                         " IFMAP (the IFMAP includes any padding)");
  return r;
}

}  // namespace

std::vector<TopologyRow> parse_topology(const std::string& text, const std::string& path) {
  std::vector<TopologyRow> rows;
  std::set<std::string> names;
  Header header;
  bool have_header = false;
  size_t at = 0;
  for (int line = 1; at < text.size(); ++line) {
    const size_t end = std::min(text.find('\n', at), text.size());
    std::string raw = text.substr(at, end - at);
    at = end + 1;
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    const std::vector<std::string> f = fields(raw);
    if (f.empty()) continue;  // blank, comment, or only empty fields
    if (!have_header) {
      header = read_header(f, path, line);
      have_header = true;
      continue;
    }
    rows.push_back(read_row(header, f, path, line));
    if (!names.insert(rows.back().name).second)
      throw InputError(Location{path, line, 0}, "row",
                       "two layers are named '" + rows.back().name + "'");
  }
  if (rows.empty())
    throw InputError(path, have_header ? "the topology has no layers (no row after the header)"
                                       : "the topology is empty (no header, no layers)");
  return rows;
}

std::vector<TopologyRow> read_topology(const std::string& path) {
  return parse_topology(read_input_file(path, limits::kTextFileBytes, "topology file"), path);
}

net::Network topology_network(const std::vector<TopologyRow>& rows, const std::string& name,
                              const net::InputSpec& image, const FormSpec& form, uint64_t seed) {
  SplitMix64 rng(seed);
  net::Network n;
  n.name = name + "-" + form.method.name;
  n.input = image;
  for (const TopologyRow& r : rows) {
    net::Layer in;
    in.name = r.name + ".ifmap";
    in.kind = net::LayerKind::Input;
    in.out_channels = r.channels, in.height = r.ifmap_h, in.width = r.ifmap_w;
    n.layers.push_back(std::move(in));
    net::Layer l;
    l.name = r.name;
    l.kind = net::LayerKind::Conv2d;
    l.inputs = {r.name + ".ifmap"};
    l.in_channels = r.channels, l.out_channels = r.out_c();
    l.groups = r.depthwise ? r.channels : 1;
    l.kernel_h = r.filter_h, l.kernel_w = r.filter_w;
    l.stride_h = r.stride_h, l.stride_w = r.stride_w;
    l.relu = true;
    fill_weights(l, l.out_channels, l.in_channels / l.groups * l.kernel_h * l.kernel_w, false, form,
                 rng);
    n.layers.push_back(std::move(l));
  }
  const TopologyRow& last = rows.back();
  n.classes = last.out_c() * last.out_h() * last.out_w();
  return n;
}

}  // namespace trine::gen
