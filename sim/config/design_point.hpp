#pragma once
// The design point: the accelerator and memory system that one simulation models.
// Sizes are held in bytes and frequencies in hertz: units are converted once, at load.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "models/array/array.hpp"
#include "models/dram/kinds.hpp"
#include "sim/config/schema.hpp"
#include "sim/config/schema_io.hpp"
#include "sim/util/error.hpp"

namespace trine::config {

constexpr int kSchemaVersion = 1;

struct ClockConfig {
  int64_t frequency_hz = 0;
  void describe(FieldVisitor& v);
};

struct ArrayConfig {
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t act_bits = 0;
  int64_t acc_bits = 0;
  models::array::Cell cell = models::array::Cell::BitSerial;
  models::array::Dataflow dataflow = models::array::Dataflow::WeightStationary;
  models::array::Overlap overlap = models::array::Overlap::Serial;
  models::array::ModelKind model = models::array::ModelKind::Fast;
  void describe(FieldVisitor& v);
  const char* cell_name() const { return models::array::name_of(models::array::kCells, cell); }
  const char* dataflow_name() const {
    return models::array::name_of(models::array::kDataflows, dataflow);
  }
  const char* model_name() const { return models::array::name_of(models::array::kModels, model); }
  models::array::Shape shape() const {
    return {rows, cols, static_cast<int>(act_bits), dataflow, cell, overlap};
  }
};

struct BufferConfig {
  int64_t size_bytes = 0;
  int64_t banks = 0;
  int64_t word_bits = 0;
  int64_t ports = 0;
  int64_t latency_cycles = 0;
  void describe(FieldVisitor& v);
  int64_t words_per_bank() const { return size_bytes * 8 / word_bits / banks; }
};

// Where a network's weights live (buffers.weight.residency): streamed tile by tile from DRAM
// through the double-buffered weight buffer, or resident: all of them loaded into the weight
// buffer once, before the first inference.
enum class WeightResidency { Streamed, Resident };
inline constexpr std::array<models::Named<WeightResidency>, 2> kResidencies{{
    {WeightResidency::Streamed, "streamed",
     "weight tiles come from DRAM during each inference (prefetch_tiles in flight)"},
    {WeightResidency::Resident, "resident",
     "every weight is loaded into this buffer once, before the first inference (reported "
     "apart), and inferences read none from DRAM"},
}};

struct BuffersConfig {
  BufferConfig weight, input, output;
  WeightResidency residency = WeightResidency::Streamed;
  int64_t prefetch_tiles = 0;  // streamed: weight tiles in flight; 0: as many as fit
  void describe(FieldVisitor& v);
  WeightResidency weight_residency() const { return residency; }
};

// How (N,k) codes are decoded: looked up in an on-chip table, or by combinational logic.
enum class DecoderKind { Table, Logic };
inline constexpr std::array<models::Named<DecoderKind>, 2> kDecoders{{
    {DecoderKind::Table, "table", "(N,k) codes looked up in an on-chip table (table_entries rows)"},
    {DecoderKind::Logic, "logic", "codes decoded by combinational logic, no table"},
}};

struct DecoderConfig {
  DecoderKind kind = DecoderKind::Table;
  int64_t lanes = 0;
  int64_t table_entries = 0;
  void describe(FieldVisitor& v);
};

// A DRAM device and its JEDEC timing, in device clock cycles (a preset file has this shape).
struct DramOrg {
  int64_t channels = 0, ranks = 0, bank_groups = 0, banks_per_group = 0, rows = 0, columns = 0;
  int64_t device_width = 0, bus_width = 0, burst_length = 0;
  void describe(FieldVisitor& v);
  // (Bounded by validation: at most 2^kDramCapacityBits.)
  int64_t capacity_bytes() const {
    return channels * ranks * bank_groups * banks_per_group * rows * columns * bus_width / 8;
  }
};

struct DramTiming {
  int64_t clock_hz = 0;
  int64_t tRCD = 0, tRP = 0, tCL = 0, tCWL = 0, tRAS = 0, tRC = 0;
  int64_t tCCD_S = 0, tCCD_L = 0, tRRD_S = 0, tRRD_L = 0, tFAW = 0;
  int64_t tWR = 0, tWTR_S = 0, tWTR_L = 0, tRTW = 0, tRTP = 0, tRTRS = 0, tRFC = 0, tREFI = 0;
  int64_t tXP = 0, tCKE = 0;  // power-down exit to a command; shortest power-down
  void describe(FieldVisitor& v);
};

// Datasheet currents (mA, per device) and voltages (V), for the DRAM energy model.
struct DramPower {
  double vdd = 0, idd0 = 0, idd2n = 0, idd3n = 0, idd4r = 0, idd4w = 0, idd5b = 0;
  double vpp = 0, ipp = 0;
  // The second supply during activate-precharge cycling and burst refresh (DDR4 IPP0, IPP5B);
  // 0: not given, taken as `ipp` (no current above standby).
  double ipp0 = 0, ipp5b = 0;
  double idd2p = 0, idd3p = 0;  // precharge and active power-down (0: not given)
  void describe(FieldVisitor& v);
};

struct DramDevice {
  std::string name;
  std::string source;
  DramOrg org;
  DramTiming timing;
  DramPower power;
  void describe(FieldVisitor& v);
};

struct DramConfig {
  std::string preset;
  dram::MappingKind mapping = dram::MappingKind::RowBankCol;
  dram::PagePolicyKind page_policy = dram::PagePolicyKind::Open;
  dram::SchedulerKind scheduler = dram::SchedulerKind::FrFcfs;
  int64_t queue_depth = 0;
  dram::PowerDownKind power_down = dram::PowerDownKind::Never;
  int64_t power_down_idle = 0;  // cycles without a request before power-down (power_down: idle)
  DramDevice device;            // the preset, with the design point's overrides applied
  void describe(FieldVisitor& v);
};

// What lies beyond the chip's pins: a DRAM (the `dram` section), or nothing but the chip's I/O
// to a host (the `io` section), through which the image arrives, the result leaves, and any
// weights and tensors that do not stay on chip travel.
enum class Offchip { Dram, Io };
inline constexpr std::array<models::array::Named<Offchip>, 2> kOffchip{{
    {Offchip::Dram, "dram", "a DRAM (the dram section) holds the image, the weights and spills"},
    {Offchip::Io, "io",
     "no DRAM: everything off chip crosses the chip's I/O (the io section) to a host"},
}};

// The chip's I/O link to a host, used when offchip is io.
struct IoConfig {
  int64_t bits = 0;            // data bits moved per accelerator cycle, both directions shared
  int64_t latency_cycles = 0;  // from a request to its first data
  void describe(FieldVisitor& v);
};

struct DesignPoint {
  int64_t version = kSchemaVersion;
  std::string name;
  std::string description;
  ClockConfig clock;
  ArrayConfig array;
  BuffersConfig buffers;
  DecoderConfig decoder;
  Offchip offchip = Offchip::Dram;
  DramConfig dram;   // (offchip: dram)
  IoConfig io;       // (offchip: io)
  std::string tech;  // technology name (configs/tech/NAME.yaml) or a path
  void describe(FieldVisitor& v);
};

struct LoadedDesignPoint {
  DesignPoint point;
  KeyLocations locations;
  std::string file;  // the user's file, or "<embedded>/configs/arch/default.yaml"
};

// A "--set key=value" override, applied after the file.
struct Override {
  std::string path;
  std::string value;
};
Override parse_override(const std::string& text);  // "array.rows=32"

// Resolves a design point: the embedded default, then the file (if any), then the overrides,
// then the DRAM preset under the explicit DRAM keys; then checks ranges and combinations.
// Throws InputError (file:line:col: key: message) on any problem.
LoadedDesignPoint load_design_point(const std::string& path,
                                    const std::vector<Override>& overrides = {});
LoadedDesignPoint load_design_point_text(const std::string& text, const std::string& name,
                                         const std::vector<Override>& overrides = {});
LoadedDesignPoint default_design_point(const std::vector<Override>& overrides = {});

// The resolved design point as YAML, every key present, units explicit; loading it again
// gives the same design point.
std::string resolved_yaml(const DesignPoint& dp);

// One line per key: dotted path, type/range, unit, description.
std::string key_reference();

// A YAML file named by a key's value: a name among the embedded files `dir`NAME.yaml
// ("configs/tech/"), or a path, relative to the file the key was set in. An unknown name is an
// InputError at `where` listing the names.
struct NamedFile {
  YAML::Node root;
  std::string file;  // as messages name it
};
NamedFile open_named_file(const std::string& value, const Location& where, const std::string& key,
                          const std::string& dir, const std::string& what);
std::vector<std::string> embedded_names(const std::string& dir);

// Known DRAM preset names (embedded configs/dram/*.yaml).
std::vector<std::string> dram_preset_names();
// A preset by name; throws InputError for an unknown one.
DramDevice dram_preset(const std::string& name);

}  // namespace trine::config
