#include "sim/config/design_point.hpp"

#include <algorithm>

#include "sim/config/schema_io.hpp"
#include "sim/config/yaml_util.hpp"
#include "sim/util/embedded.hpp"
#include "sim/util/limits.hpp"

namespace trine::config {

// ---- the schema ---------------------------------------------------------------------------

void ClockConfig::describe(FieldVisitor& v) {
  v.hertz("frequency", frequency_hz, 1'000'000, 10'000'000'000, "accelerator clock");
}

void ArrayConfig::describe(FieldVisitor& v) {
  v.integer("rows", rows, 1, 1024, "cells",
            "systolic array rows (a tile's reduction rows; os: its outputs)");
  v.integer("cols", cols, 1, 1024, "cells",
            "systolic array columns (a tile's outputs; os, is: its vectors)");
  v.integer("act_bits", act_bits, 1, 16, "bits",
            "activation precision; a bit-serial cell takes one bit per cycle, a bit-parallel cell "
            "all of them");
  v.integer("acc_bits", acc_bits, 8, 64, "bits", "accumulator width of a cell");
  // (Only what is modelled is accepted: a bit-parallel value once was read and ignored.)
  static const std::string cell_doc =
      "multiply-accumulate cell: " + models::array::docs_of(models::array::kCells);
  static const std::string dataflow_doc =
      "dataflow: " + models::array::docs_of(models::array::kDataflows);
  static const std::string overlap_doc =
      "consecutive tiles: " + models::array::docs_of(models::array::kOverlaps);
  static const std::string model_doc =
      "array timing model: " + models::array::docs_of(models::array::kModels);
  v.choice_of("cell", cell, models::array::kCells, cell_doc.c_str());
  v.choice_of("dataflow", dataflow, models::array::kDataflows, dataflow_doc.c_str());
  v.choice_of("tile_overlap", overlap, models::array::kOverlaps, overlap_doc.c_str());
  v.choice_of("model", model, models::array::kModels, model_doc.c_str());
}

void BufferConfig::describe(FieldVisitor& v) {
  v.bytes("size", size_bytes, 64, int64_t{1} << 30, "capacity");
  v.integer("banks", banks, 1, 256, "", "independent banks");
  v.integer("word_bits", word_bits, 8, 4096, "bits", "width of one bank access");
  v.integer("ports", ports, 1, 4, "", "accesses per bank per cycle");
  v.integer("latency_cycles", latency_cycles, 1, 64, "cycles", "access latency");
}

void BuffersConfig::describe(FieldVisitor& v) {
  v.section("weight", "weight buffer", [&](FieldVisitor& s) {
    weight.describe(s);
    static const std::string residency_doc = "where weights live: " + models::docs_of(kResidencies);
    s.choice_of("residency", residency, kResidencies, residency_doc.c_str());
    s.integer("prefetch_tiles", prefetch_tiles, 0, 65536, "tiles",
              "streamed weights: tiles fetched ahead, each in its own slot of the buffer (2: "
              "double buffering; 0: as many as the buffer holds of the network's largest tile)");
  });
  v.section("input", "input activation buffer", [&](FieldVisitor& s) { input.describe(s); });
  v.section("output", "output/accumulator buffer", [&](FieldVisitor& s) { output.describe(s); });
}

void DecoderConfig::describe(FieldVisitor& v) {
  static const std::string kind_doc = "weight decoder: " + models::docs_of(kDecoders);
  v.choice_of("kind", kind, kDecoders, kind_doc.c_str());
  v.integer("lanes", lanes, 1, 1024, "codes/cycle", "codes decoded per cycle");
  v.integer("table_entries", table_entries, 0, 65536, "rows",
            "decoder table capacity (kind: table)");
}

void DramOrg::describe(FieldVisitor& v) {
  v.integer("channels", channels, 1, 64, "", "independent channels");
  v.integer("ranks", ranks, 1, 16, "", "ranks per channel");
  v.integer("bank_groups", bank_groups, 1, 16, "", "bank groups per rank (1 if none)");
  v.integer("banks_per_group", banks_per_group, 1, 64, "", "banks per bank group");
  v.integer("rows", rows, 1, int64_t{1} << 24, "", "rows per bank");
  v.integer("columns", columns, 1, int64_t{1} << 16, "", "columns per row");
  v.integer("device_width", device_width, 1, 64, "bits", "data width of one device");
  v.integer("bus_width", bus_width, 8, 1024, "bits", "data bus width of a channel");
  v.integer("burst_length", burst_length, 1, 32, "beats", "burst length");
}

void DramTiming::describe(FieldVisitor& v) {
  const int64_t big = 1'000'000;
  v.hertz("clock", clock_hz, 1'000'000, 10'000'000'000, "device clock (half the data rate)");
  v.integer("tRCD", tRCD, 1, big, "cycles", "activate to read/write");
  v.integer("tRP", tRP, 1, big, "cycles", "precharge to activate");
  v.integer("tCL", tCL, 1, big, "cycles", "read command to data (CAS latency)");
  v.integer("tCWL", tCWL, 1, big, "cycles", "write command to data");
  v.integer("tRAS", tRAS, 1, big, "cycles", "activate to precharge");
  v.integer("tRC", tRC, 1, big, "cycles", "activate to activate, same bank");
  v.integer("tCCD_S", tCCD_S, 1, big, "cycles", "column to column, different bank group");
  v.integer("tCCD_L", tCCD_L, 1, big, "cycles", "column to column, same bank group");
  v.integer("tRRD_S", tRRD_S, 1, big, "cycles", "activate to activate, different bank group");
  v.integer("tRRD_L", tRRD_L, 1, big, "cycles", "activate to activate, same bank group");
  v.integer("tFAW", tFAW, 1, big, "cycles", "window holding at most four activates");
  v.integer("tWR", tWR, 1, big, "cycles", "end of write data to precharge");
  v.integer("tWTR_S", tWTR_S, 1, big, "cycles", "end of write data to read, other group");
  v.integer("tWTR_L", tWTR_L, 1, big, "cycles", "end of write data to read, same group");
  v.integer("tRTW", tRTW, 1, big, "cycles", "read to write turnaround");
  v.integer("tRTP", tRTP, 1, big, "cycles", "read to precharge");
  v.integer("tRTRS", tRTRS, 0, big, "cycles", "data bus gap when it passes to another rank");
  v.integer("tRFC", tRFC, 1, big, "cycles", "refresh cycle time");
  v.integer("tREFI", tREFI, 1, 100 * big, "cycles", "refresh interval");
  v.integer("tXP", tXP, 1, big, "cycles", "power-down exit to the next command");
  v.integer("tCKE", tCKE, 1, big, "cycles", "shortest power-down (CKE low to high)");
}

void DramPower::describe(FieldVisitor& v) {
  v.real("vdd", vdd, 0, 5, "V", "core supply voltage");
  v.real("idd0", idd0, 0, 10000, "mA", "one bank activate-precharge cycling, per device");
  v.real("idd2n", idd2n, 0, 10000, "mA", "precharge standby, per device");
  v.real("idd3n", idd3n, 0, 10000, "mA", "active standby, per device");
  v.real("idd4r", idd4r, 0, 10000, "mA", "burst read, per device");
  v.real("idd4w", idd4w, 0, 10000, "mA", "burst write, per device");
  v.real("idd5b", idd5b, 0, 10000, "mA", "burst refresh (all banks), per device");
  v.real("vpp", vpp, 0, 5, "V", "second supply (DDR4 VPP, LPDDR4 VDD1); 0: none");
  v.real("ipp", ipp, 0, 10000, "mA",
         "standby current of the second supply (DDR4 IPP3N), per device");
  v.real("ipp0", ipp0, 0, 10000, "mA",
         "second supply during activate-precharge cycling (DDR4 IPP0); 0: not given (= ipp)");
  v.real("ipp5b", ipp5b, 0, 10000, "mA",
         "second supply during burst refresh (DDR4 IPP5B); 0: not given (= ipp)");
  v.real("idd2p", idd2p, 0, 10000, "mA",
         "precharge power-down, per device (dram.power_down: idle needs it)");
  v.real("idd3p", idd3p, 0, 10000, "mA",
         "active power-down, per device (dram.power_down: idle needs it)");
}

void DramDevice::describe(FieldVisitor& v) {
  v.text("name", name, "preset name");
  v.text("source", source, "where the figures come from");
  v.section("org", "organisation", [&](FieldVisitor& s) { org.describe(s); });
  v.section("timing", "JEDEC timing", [&](FieldVisitor& s) { timing.describe(s); });
  v.section("power", "datasheet currents and voltages (for the energy model)",
            [&](FieldVisitor& s) { power.describe(s); });
}

void DramConfig::describe(FieldVisitor& v) {
  v.text("preset", preset,
         "DRAM preset: a name in configs/dram/ (DDR3-1600, DDR4-2400, LPDDR4-3200) or a path to "
         "a preset file of the same form");
  static const std::string mapping_doc = "address mapping: " + models::docs_of(dram::kMappings);
  static const std::string page_doc = "page policy: " + models::docs_of(dram::kPagePolicies);
  static const std::string scheduler_doc =
      "request scheduling: " + models::docs_of(dram::kSchedulers);
  v.choice_of("mapping", mapping, dram::kMappings, mapping_doc.c_str());
  v.choice_of("page_policy", page_policy, dram::kPagePolicies, page_doc.c_str());
  v.choice_of("scheduler", scheduler, dram::kSchedulers, scheduler_doc.c_str());
  v.integer("queue_depth", queue_depth, 1, 1024, "requests", "controller request queue depth");
  static const std::string power_down_doc =
      "when the ranks power down: " + models::docs_of(dram::kPowerDowns);
  v.choice_of("power_down", power_down, dram::kPowerDowns, power_down_doc.c_str());
  v.integer("power_down_idle", power_down_idle, 1, 1'000'000'000, "cycles",
            "device cycles without a request before power-down (power_down: idle)");
  v.section("org", "overrides of the preset's organisation",
            [&](FieldVisitor& s) { device.org.describe(s); });
  v.section("timing", "overrides of the preset's timing",
            [&](FieldVisitor& s) { device.timing.describe(s); });
  v.section("power", "overrides of the preset's currents and voltages",
            [&](FieldVisitor& s) { device.power.describe(s); });
}

void IoConfig::describe(FieldVisitor& v) {
  v.integer("bits", bits, 1, 4096, "bits", "data bits the chip's I/O moves per accelerator cycle");
  v.integer("latency_cycles", latency_cycles, 0, 100000, "cycles",
            "from a request to its first data (the host's response time)");
}

void DesignPoint::describe(FieldVisitor& v) {
  v.integer("version", version, kSchemaVersion, kSchemaVersion, "", "design-point schema version");
  v.text("name", name, "design point name");
  v.text("description", description, "free text");
  v.section("clock", "clock", [&](FieldVisitor& s) { clock.describe(s); });
  v.section("array", "systolic array", [&](FieldVisitor& s) { array.describe(s); });
  v.section("buffers", "on-chip buffers", [&](FieldVisitor& s) { buffers.describe(s); });
  v.section("decoder", "weight decoder", [&](FieldVisitor& s) { decoder.describe(s); });
  static const std::string offchip_doc =
      "what lies beyond the pins: " + models::array::docs_of(kOffchip);
  v.choice_of("offchip", offchip, kOffchip, offchip_doc.c_str());
  v.section("dram", "off-chip DRAM (offchip: dram)", [&](FieldVisitor& s) { dram.describe(s); });
  v.section("io", "the chip's I/O to a host (offchip: io)",
            [&](FieldVisitor& s) { io.describe(s); });
  v.text("tech", tech, "technology file: a name in configs/tech/ or a path");
}

// ---- visitors -----------------------------------------------------------------------------

namespace {

struct Pass {
  YAML::Node root;
  std::string file;
};

const char* kDefaultPath = "configs/arch/default.yaml";

std::string embedded_name(const std::string& path) {
  return "<embedded>/" + path;
}

Pass embedded_pass(const std::string& path) {
  const embedded::File* f = embedded::find(path);
  TRINE_ASSERT(f != nullptr, "missing embedded file " + path);
  return {yaml::parse(f->text, embedded_name(path)), embedded_name(path)};
}

void apply(DesignPoint& dp, const Pass& pass, KeyLocations& locs) {
  apply_yaml(pass.root, pass.file, "", locs, [&](FieldVisitor& v) { dp.describe(v); });
}

Location loc_of(const KeyLocations& locs, const std::string& key) {
  auto it = locs.find(key);
  return it == locs.end() ? Location{"<design point>", 0, 0} : it->second;
}

// Of keys that a rule across keys involves, the first one the design point itself (or --set)
// gave, rather than the preset file: the error points where the user can fix it.
std::string set_here(const KeyLocations& locs, const std::string& preset_file,
                     std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    const auto it = locs.find(k);
    if (it != locs.end() && it->second.file != preset_file) return k;
  }
  return *keys.begin();
}

bool power_of_two(int64_t x) {
  return x > 0 && (x & (x - 1)) == 0;
}

void validate(const DesignPoint& dp, const KeyLocations& locs, const std::string& preset_file) {
  auto fail = [&](const std::string& key, const std::string& msg) {
    throw InputError(loc_of(locs, key), key, msg);
  };
  auto check_buffer = [&](const char* name, const BufferConfig& b) {
    const std::string p = std::string("buffers.") + name;
    if (b.word_bits % 8 != 0) fail(p + ".word_bits", "must be a multiple of 8");
    const int64_t row_bytes = b.banks * b.word_bits / 8;
    if (b.size_bytes % row_bytes != 0)
      fail(p + ".size", yaml::bytes_text(b.size_bytes) + " is not a whole number of rows of " +
                            std::to_string(b.banks) + " banks x " + std::to_string(b.word_bits) +
                            " bits");
  };
  check_buffer("weight", dp.buffers.weight);
  check_buffer("input", dp.buffers.input);
  check_buffer("output", dp.buffers.output);
  if (dp.buffers.prefetch_tiles == 1)
    fail("buffers.weight.prefetch_tiles",
         "1 leaves no slot for the next tile to load into while the array computes (use 2 or "
         "more, or 0 for as many as the buffer holds)");
  if (dp.array.acc_bits < 2 * dp.array.act_bits)
    fail("array.acc_bits",
         "must be at least twice array.act_bits (" + std::to_string(dp.array.act_bits) + ")");
  if (dp.decoder.kind == DecoderKind::Table && dp.decoder.table_entries < 1)
    fail("decoder.table_entries", "a table decoder needs at least one entry");
  if (dp.tech.empty()) fail("tech", "must name a technology");

  const DramOrg& o = dp.dram.device.org;
  const DramTiming& t = dp.dram.device.timing;
  const std::pair<const char*, int64_t> pow2[] = {{"channels", o.channels},
                                                  {"ranks", o.ranks},
                                                  {"bank_groups", o.bank_groups},
                                                  {"banks_per_group", o.banks_per_group},
                                                  {"rows", o.rows},
                                                  {"columns", o.columns},
                                                  {"burst_length", o.burst_length}};
  for (const auto& [key, value] : pow2)
    if (!power_of_two(value))
      fail(std::string("dram.org.") + key, std::to_string(value) + " is not a power of two");
  if (o.bus_width % o.device_width != 0)
    fail("dram.org.bus_width",
         "must be a multiple of dram.org.device_width (" + std::to_string(o.device_width) + ")");
  if (o.bus_width % 8 != 0) fail("dram.org.bus_width", "must be a whole number of bytes");
  if (o.burst_length < 2) fail("dram.org.burst_length", "must be at least 2 (two beats per clock)");
  if (o.columns < o.burst_length)
    fail("dram.org.columns",
         "a row must hold at least one burst (" + std::to_string(o.burst_length) + " columns)");
  // Every factor is a power of two: the capacity's bits add up (a plain product overflows).
  int capacity_bits = 0;
  for (const int64_t f :
       {o.channels, o.ranks, o.bank_groups, o.banks_per_group, o.rows, o.columns, o.bus_width / 8})
    capacity_bits += __builtin_ctzll(static_cast<unsigned long long>(f));
  if (capacity_bits > limits::kDramCapacityBits)
    fail("dram.org.rows", "the organisation makes 2^" + std::to_string(capacity_bits) +
                              " bytes; the largest DRAM is 2^" +
                              std::to_string(limits::kDramCapacityBits) + " (docs/inputs.md)");
  if (t.tRC < t.tRAS + t.tRP)
    fail("dram.timing.tRC", std::to_string(t.tRC) + " is less than tRAS + tRP (" +
                                std::to_string(t.tRAS + t.tRP) + ")");
  if (t.tCCD_L < t.tCCD_S) fail("dram.timing.tCCD_L", "must be at least tCCD_S");
  if (t.tRRD_L < t.tRRD_S) fail("dram.timing.tRRD_L", "must be at least tRRD_S");
  if (t.tWTR_L < t.tWTR_S) fail("dram.timing.tWTR_L", "must be at least tWTR_S");
  if (t.tREFI <= t.tRFC) fail("dram.timing.tREFI", "must be longer than tRFC");
  // Currents and the voltage the energy model multiplies: 0 is "not given" (a preset may
  // leave them out for timing-only use), which a key written as 0 must not pretend to be.
  const config::DramPower& p = dp.dram.device.power;
  for (const auto& [key, value] : {std::pair<const char*, double>{"vdd", p.vdd},
                                   {"idd0", p.idd0},
                                   {"idd2n", p.idd2n},
                                   {"idd3n", p.idd3n},
                                   {"idd4r", p.idd4r},
                                   {"idd4w", p.idd4w},
                                   {"idd5b", p.idd5b}})
    if (!(value > 0) && locs.count(std::string("dram.power.") + key))
      fail(std::string("dram.power.") + key,
           "must be positive: the DRAM energy model needs it (leave it out to mean 'not given')");
  // Between two refreshes the controller must be able to close the banks, refresh, and open
  // a row and read it; otherwise no request is ever served (the controller would livelock).
  const int64_t close = t.tRP + std::max({t.tRAS, t.tRTP, t.tCWL + o.burst_length / 2 + t.tWR});
  const int64_t banks = o.bank_groups * o.banks_per_group;
  const int64_t need = close + banks + t.tRFC + t.tRCD;
  if (t.tREFI <= need) {
    const std::string key = set_here(locs, preset_file,
                                     {"dram.timing.tREFI", "dram.timing.tRFC", "dram.timing.tRCD",
                                      "dram.timing.tRP", "dram.timing.tRAS", "dram.timing.tWR"});
    fail(key, "leaves no access between refreshes: tREFI (" + std::to_string(t.tREFI) +
                  ") must exceed tRP + max(tRAS, tRTP, tCWL + burst + tWR) + banks per rank + "
                  "tRFC + tRCD (" +
                  std::to_string(need) + ")");
  }
}

// A preset by name (embedded) or by path (relative to the file that names it).
Pass preset_pass(const std::string& preset, const KeyLocations& locs) {
  const NamedFile f = open_named_file(preset, loc_of(locs, "dram.preset"), "dram.preset",
                                      "configs/dram/", "preset");
  return {f.root, f.file};
}

// Checks that every organisation and timing key got a value from the preset or the design
// point: a key nobody set would silently be zero. (Currents are optional: the energy model
// asks for the ones it needs.)
class Required : public FieldVisitor {
 public:
  Required(const KeyLocations& locs, std::string file, std::string path)
      : locs_(locs), file_(std::move(file)), path_(std::move(path)) {}
  void integer(const char* key, int64_t&, int64_t, int64_t, const char*, const char*) override {
    need(key);
  }
  void bytes(const char* key, int64_t&, int64_t, int64_t, const char*) override { need(key); }
  void hertz(const char* key, int64_t&, int64_t, int64_t, const char*) override { need(key); }
  void real(const char*, double&, double, double, const char*, const char*) override {}
  void choice(const char*, std::string&, const std::vector<std::string>&, const char*) override {}
  void text(const char* key, std::string&, const char*) override {
    if (std::string(key) == "name") need(key);
  }
  void section(const char* key, const char*,
               const std::function<void(FieldVisitor&)>& body) override {
    if (std::string(key) == "power") return;
    Required inner(locs_, file_, yaml::join(path_, key));
    body(inner);
  }

 private:
  void need(const char* key) {
    const std::string path = yaml::join(path_, key);
    if (!locs_.count(path))
      throw InputError(Location{file_, 0, 0}, path,
                       "missing: a DRAM preset must give every organisation and timing key");
  }
  const KeyLocations& locs_;
  std::string file_, path_;
};

LoadedDesignPoint resolve(std::vector<Pass> passes, const std::string& file) {
  LoadedDesignPoint out;
  out.file = file;
  // First pass fixes the preset; the preset then sits under every explicit DRAM key, so the
  // passes are applied again on top of it (applying a pass twice is idempotent).
  for (const Pass& p : passes) apply(out.point, p, out.locations);
  Pass preset = preset_pass(out.point.dram.preset, out.locations);
  {
    apply_yaml(preset.root, preset.file, "dram", out.locations,
               [&](FieldVisitor& v) { out.point.dram.device.describe(v); });
    Required required(out.locations, preset.file, "dram");
    out.point.dram.device.describe(required);
  }
  for (const Pass& p : passes) apply(out.point, p, out.locations);
  validate(out.point, out.locations, preset.file);
  return out;
}

Pass override_pass(const Override& o) {
  const std::string file = "--set " + o.path + "=" + o.value;
  YAML::Node value = yaml::parse(o.value, file);
  if (!value.IsDefined() || value.IsNull()) value = YAML::Node("");
  YAML::Node root = value;
  std::string rest = o.path;
  std::vector<std::string> parts;
  for (size_t dot; (dot = rest.find('.')) != std::string::npos; rest = rest.substr(dot + 1))
    parts.push_back(rest.substr(0, dot));
  parts.push_back(rest);
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (it->empty()) throw InputError(Location{file, 0, 0}, o.path, "empty key in dotted path");
    YAML::Node m(YAML::NodeType::Map);
    m[*it] = root;
    root = m;
  }
  return {root, file};
}

}  // namespace

Override parse_override(const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError("--set " + text + ": expected KEY=VALUE, e.g. array.rows=32");
  return {text.substr(0, eq), text.substr(eq + 1)};
}

static LoadedDesignPoint load_with(Pass user, bool has_user, const std::string& file,
                                   const std::vector<Override>& overrides) {
  std::vector<Pass> passes{embedded_pass(kDefaultPath)};
  if (has_user) passes.push_back(std::move(user));
  for (const Override& o : overrides) passes.push_back(override_pass(o));
  return resolve(std::move(passes), file);
}

LoadedDesignPoint load_design_point(const std::string& path,
                                    const std::vector<Override>& overrides) {
  return load_with({yaml::parse_file(path, "design point"), path}, true, path, overrides);
}

LoadedDesignPoint load_design_point_text(const std::string& text, const std::string& name,
                                         const std::vector<Override>& overrides) {
  return load_with({yaml::parse(text, name), name}, true, name, overrides);
}

LoadedDesignPoint default_design_point(const std::vector<Override>& overrides) {
  return load_with({}, false, embedded_name(kDefaultPath), overrides);
}

std::string resolved_yaml(const DesignPoint& dp) {
  DesignPoint copy = dp;  // visitors take non-const references
  return emit_yaml([&](FieldVisitor& v) { copy.describe(v); });
}

std::string key_reference() {
  DesignPoint dp;
  return list_keys([&](FieldVisitor& v) { dp.describe(v); });
}

std::vector<std::string> embedded_names(const std::string& dir) {
  std::vector<std::string> names;
  const std::string ext = ".yaml";
  for (const embedded::File& f : embedded::configs()) {
    std::string p = f.path;
    if (p.rfind(dir, 0) == 0 && p.size() > dir.size() + ext.size() &&
        p.compare(p.size() - ext.size(), ext.size(), ext) == 0)
      names.push_back(p.substr(dir.size(), p.size() - dir.size() - ext.size()));
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> dram_preset_names() {
  return embedded_names("configs/dram/");
}

NamedFile open_named_file(const std::string& value, const Location& where, const std::string& key,
                          const std::string& dir, const std::string& what) {
  const bool path = value.find('/') != std::string::npos ||
                    (value.size() > 5 && value.compare(value.size() - 5, 5, ".yaml") == 0);
  if (!path) {
    const std::vector<std::string> names = embedded_names(dir);
    if (std::find(names.begin(), names.end(), value) == names.end()) {
      std::string list, msg;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      msg = "'" + value + "' is not one of: " + list + " (or a path to a " + what + " .yaml)";
      const std::string hint = yaml::closest(value, names);
      if (!hint.empty()) msg += " (did you mean '" + hint + "'?)";
      throw InputError(where, key, msg);
    }
    const Pass p = embedded_pass(dir + value + ".yaml");
    return {p.root, p.file};
  }
  std::string file = value;
  const std::string& from = where.file;
  if (value[0] != '/' && where.line > 0 && from.rfind("<embedded>", 0) != 0 &&
      from.rfind("--set", 0) != 0) {
    const size_t slash = from.rfind('/');
    if (slash != std::string::npos) file = from.substr(0, slash + 1) + value;
  }
  return {yaml::parse_file(file, (what + " file").c_str()), file};
}

DramDevice dram_preset(const std::string& name) {
  const auto names = dram_preset_names();
  if (std::find(names.begin(), names.end(), name) == names.end())
    throw InputError("unknown DRAM preset '" + name + "'");
  Pass p = embedded_pass("configs/dram/" + name + ".yaml");
  DramDevice d;
  KeyLocations locs;
  apply_yaml(p.root, p.file, "", locs, [&](FieldVisitor& v) { d.describe(v); });
  return d;
}

}  // namespace trine::config
