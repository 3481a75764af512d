#include "sim/report/report.hpp"

#include "sim/config/yaml_util.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <ostream>

#include "sim/ref/reference.hpp"
#include "sim/util/json.hpp"
#include "sim/util/version.hpp"

namespace trine::report {

namespace {

using cost::Component;

constexpr Component kAll[] = {Component::Dram,  Component::Buffers, Component::Decoder,
                              Component::Array, Component::Leakage, Component::Io};

int64_t ceil_div(double num, double den) {
  return den > 0 ? static_cast<int64_t>(std::ceil(num / den)) : 0;
}

Bounds bounds_of(const LayerResult& l, const config::DesignPoint& dp) {
  Bounds b;
  const double cells = static_cast<double>(dp.array.rows * dp.array.cols);
  b.compute =
      l.unit == "vector" ? l.ideal : ceil_div(static_cast<double>(l.mapped_cell_cycles), cells);
  // Peak off-chip bytes per accelerator cycle: every DRAM channel's bus busy, two beats per
  // clock; or the chip's I/O busy.
  const config::DramOrg& o = dp.dram.device.org;
  const double peak = dp.offchip == config::Offchip::Io
                          ? static_cast<double>(dp.io.bits) / 8.0
                          : static_cast<double>(o.channels * o.bus_width / 8 * 2) *
                                static_cast<double>(dp.dram.device.timing.clock_hz) /
                                static_cast<double>(dp.clock.frequency_hz);
  b.memory = ceil_div(static_cast<double>(l.dram_read + l.dram_written), peak);
  return b;
}

}  // namespace

Transferred transferred(const LayerResult& l, const config::DesignPoint& dp) {
  if (dp.offchip == config::Offchip::Io) return {l.dram_read, l.dram_written};
  const config::DramOrg& o = dp.dram.device.org;
  const auto burst = static_cast<double>(o.bus_width / 8 * o.burst_length);
  double reads = 0, writes = 0;
  for (const stats::Record& e : l.events) {
    if (e.event.kind == "dram.read") reads += e.value;
    if (e.event.kind == "dram.write") writes += e.value;
  }
  return {static_cast<uint64_t>(reads * burst), static_cast<uint64_t>(writes * burst)};
}

namespace {

// Counter windows summed by counter, in first-seen order.
std::vector<stats::Record> sum_windows(const std::vector<LayerResult>& layers) {
  std::vector<stats::Record> out;
  std::map<std::string, size_t> at;
  for (const LayerResult& l : layers)
    for (const stats::Record& r : l.events) {
      const auto [it, fresh] = at.emplace(r.full_name(), out.size());
      if (fresh)
        out.push_back(r);
      else
        out[it->second].value += r.value;
    }
  return out;
}

// MACs (dense arithmetic) per cell and cycle: the utilization other array simulators print.
// A bit-serial cell takes act_bits cycles per MAC, so it stays below 1 / act_bits.
double mac_utilization(int64_t macs, int64_t cycles, const config::DesignPoint& dp) {
  const double cells = static_cast<double>(dp.array.rows * dp.array.cols);
  return cycles > 0 ? static_cast<double>(macs) / (cells * static_cast<double>(cycles)) : 0.0;
}

double utilization(const LayerResult& l, const config::DesignPoint& dp) {
  const double cells = static_cast<double>(dp.array.rows * dp.array.cols);
  return l.cycles() > 0
             ? static_cast<double>(l.mapped_cell_cycles) / (cells * static_cast<double>(l.cycles()))
             : 0.0;
}

double on_chip(const cost::Breakdown& b) {
  return b.total() - b[Component::Dram] - b[Component::Io];
}

void terms(json::Writer& w, const std::vector<cost::Term>& ts) {
  w.key("terms").begin_array();
  for (const cost::Term& t : ts)
    w.begin_object()
        .field("key", t.key)
        .field("value", t.value)
        .field("coefficient", t.coefficient)
        .end_object();
  w.end_array();
}

void breakdown(json::Writer& w, const char* key, const cost::Breakdown& b) {
  w.key(key).begin_object();
  for (Component c : kAll) w.field(cost::component_name(c), b[c]);
  w.field("total", b.total());
  w.end_object();
}

}  // namespace

RunReport build_report(RunInputs in) {
  RunReport r;
  const config::DesignPoint& dp = in.design->point;
  const double hz = static_cast<double>(dp.clock.frequency_hz);
  for (const LayerResult& l : in.first->layers) {
    LayerReport lr;
    lr.result = l;
    lr.transferred = transferred(l, dp);
    lr.result.events.clear();
    lr.bounds = bounds_of(l, dp);
    if (lr.bounds.best() > 0)
      lr.over_bounds = static_cast<double>(l.cycles()) / static_cast<double>(lr.bounds.best());
    lr.energy = in.cost->energy(l.events, static_cast<double>(l.cycles()) / hz);
    for (const stats::Record& e : l.events) {
      if (e.event.kind != "sram.read" && e.event.kind != "sram.write") continue;
      if (lr.buffer_accesses.empty() || lr.buffer_accesses.back().first != e.path)
        lr.buffer_accesses.emplace_back(e.path, 0.0);
      lr.buffer_accesses.back().second += e.value;
    }
    if (lr.over_bounds > kOverBounds) {
      char msg[256];
      std::snprintf(msg, sizeof msg,
                    "layer '%s' takes %.1fx its larger bound (%lld cycles; compute bound %lld, "
                    "memory bound %lld)",
                    l.name.c_str(), lr.over_bounds, static_cast<long long>(l.cycles()),
                    static_cast<long long>(lr.bounds.compute),
                    static_cast<long long>(lr.bounds.memory));
      r.warnings.push_back(msg);
    }
    r.cycles += l.cycles();
    r.layers.push_back(std::move(lr));
  }
  for (const cost::BufferMacro& b : in.cost->buffers())
    if (b.macro.access_ns > b.latency_ns * (1 + 1e-9)) {
      char msg[320];
      std::snprintf(msg, sizeof msg,
                    "buffers.%s: the SRAM table gives its %s banks an access time of %.2f ns, "
                    "more than latency_cycles allow (%.2f ns): the timing is optimistic",
                    b.name.c_str(), yaml::bytes_text(static_cast<int64_t>(b.bank_bytes)).c_str(),
                    b.macro.access_ns, b.latency_ns);
      r.warnings.push_back(msg);
    }
  r.seconds = static_cast<double>(r.cycles) / hz;
  r.total = in.cost->energy(sum_windows(in.first->layers), r.seconds);
  if (in.preload)
    r.preload = in.cost->energy(in.preload->events, static_cast<double>(in.preload->cycles()) / hz);
  const double batch = static_cast<double>(in.batch);
  if (r.seconds > 0) r.inferences_per_second = batch / r.seconds;
  if (r.total.breakdown.total() > 0)
    r.inferences_per_joule = batch / (r.total.breakdown.total() * 1e-12);
  r.in = std::move(in);
  return r;
}

void print_summary(const RunReport& r, std::ostream& out) {
  const config::DesignPoint& dp = r.in.design->point;
  const double batch = static_cast<double>(r.in.batch);
  const cost::Breakdown& b = r.total.breakdown;
  const double nj = b.total() / 1e3 / batch;
  char line[512];
  std::snprintf(
      line, sizeof line, "latency      %lld cycles, %.2f us at %.0f MHz for %lld image(s)\n",
      static_cast<long long>(r.cycles), r.seconds * 1e6,
      static_cast<double>(dp.clock.frequency_hz) / 1e6, static_cast<long long>(r.in.batch));
  out << line;
  const cost::Technology& tech = r.in.cost->technology();
  std::snprintf(line, sizeof line,
                "energy       %.1f nJ per inference (technology %s, process %s)\n", nj,
                tech.name.c_str(), models::name_of(cost::kProcesses, tech.process));
  out << line;
  const cost::DramStates states = r.in.cost->dram_states(r.total);
  const double background = states.total();
  const bool io = dp.offchip == config::Offchip::Io;
  for (Component c : kAll) {
    if (c == (io ? Component::Dram : Component::Io)) continue;  // the one that is not there
    std::snprintf(line, sizeof line, "  %-10s %10.1f nJ %5.1f%%", cost::component_name(c),
                  b[c] / 1e3 / batch, b.total() > 0 ? 100.0 * b[c] / b.total() : 0.0);
    out << line;
    if (c == Component::Dram) {
      std::snprintf(line, sizeof line,
                    "  (background %.1f: standby %.1f precharged, %.1f active; power-down %.1f "
                    "precharged, %.1f active; commands and I/O %.1f)",
                    background / 1e3 / batch, states.precharged / 1e3 / batch,
                    states.active / 1e3 / batch, states.powerdown_precharged / 1e3 / batch,
                    states.powerdown_active / 1e3 / batch, (b[c] - background) / 1e3 / batch);
      out << line;
    }
    out << "\n";
  }
  std::snprintf(line, sizeof line, "  %-10s %10.1f nJ         (all but %s)\n", "on chip",
                on_chip(b) / 1e3 / batch, io ? "the I/O pads" : "DRAM");
  out << line;
  double array = 0, buffers = 0, decoder = 0;
  for (const cost::AreaItem& a : r.in.cost->area())
    (a.name == "array" ? array : a.name == "decoder" ? decoder : buffers) += a.um2() / 1e6;
  std::snprintf(line, sizeof line,
                "area         %.3f mm2: array %.3f, buffers %.3f, decoder %.3f (%s)\n",
                r.in.cost->area_mm2(), array, buffers, decoder,
                io ? "I/O pads not counted" : "DRAM off chip");
  out << line;
  for (const cost::BufferMacro& m : r.in.cost->buffers()) {
    std::snprintf(line, sizeof line,
                  "  sram %-6s %lld x %s x %.0f b: read %.2f pJ, write %.2f pJ, leakage "
                  "%.1f uW, %.2f ns (%s)\n",
                  m.name.c_str(), static_cast<long long>(m.banks),
                  yaml::bytes_text(static_cast<int64_t>(m.bank_bytes)).c_str(), m.word_bits,
                  m.macro.read_pj, m.macro.write_pj, m.macro.leakage_uw, m.macro.access_ns,
                  m.macro.basis.c_str());
    out << line;
  }
  std::snprintf(line, sizeof line, "throughput   %.0f inferences/s, %.3g inferences/J\n",
                r.inferences_per_second, r.inferences_per_joule);
  out << line;
  if (const LayerResult* p = r.in.preload) {
    std::snprintf(line, sizeof line,
                  "preload      resident weights, %llu bytes from %s once before the first "
                  "inference: %lld cycles, %.1f nJ (in none of the figures above)\n",
                  static_cast<unsigned long long>(p->dram_read), io ? "the host" : "DRAM",
                  static_cast<long long>(p->cycles()), r.preload.breakdown.total() / 1e3);
    out << line;
  }
  for (const std::string& w : r.warnings) out << "warning      " << w << "\n";
}

namespace {

// Each buffer's banks as the SRAM table prices them, and how the table was read.
void sram_macros(json::Writer& w, const cost::CostModel& cost) {
  const cost::Technology& tech = cost.technology();
  w.key("sram").begin_object();
  w.field("table", tech.sram.loaded.file());
  w.field("process", models::name_of(cost::kProcesses, tech.process));
  w.key("buffers").begin_array();
  for (const cost::BufferMacro& b : cost.buffers()) {
    w.begin_object().field("buffer", b.name).field("banks", b.banks);
    w.field("bank_bytes", b.bank_bytes).field("word_bits", b.word_bits).field("ports", b.ports);
    w.field("cell", b.cell).field("read_pj", b.macro.read_pj).field("write_pj", b.macro.write_pj);
    w.field("leakage_uw", b.macro.leakage_uw).field("area_um2", b.macro.area_um2);
    w.field("access_ns", b.macro.access_ns).field("latency_ns", b.latency_ns);
    w.field("basis", b.macro.basis);
    w.end_object();
  }
  w.end_array().end_object();
}

}  // namespace

void write_json(const RunReport& r, std::ostream& out) {
  const config::DesignPoint& dp = r.in.design->point;
  const InferenceResult& first = *r.in.first;
  const double mhz = static_cast<double>(dp.clock.frequency_hz) / 1e6;
  json::Writer w(out);
  w.begin_object();
  w.field("trine_version", version());
  w.field("design_point", dp.name).field("design_file", r.in.design->file);
  w.field("resolved_design_point", config::resolved_yaml(dp));
  w.field("technology", r.in.cost->technology().name);
  w.field("technology_file", r.in.cost->technology().file);
  w.field("network", r.in.network).field("array_model", dp.array.model_name());
  w.field("clock_hz", dp.clock.frequency_hz).field("clock_mhz", mhz);
  w.field("batch", r.in.batch).field("images", r.in.images);
  w.field("cycles", r.cycles).field("latency_s", r.seconds).field("latency_us", r.seconds * 1e6);
  w.key("predictions").begin_array();
  for (int64_t p : first.predictions) w.value(p);
  w.end_array();
  w.field("bit_exact", !first.mismatch);
  if (r.in.accuracy >= 0) w.field("accuracy", r.in.accuracy);
  const cost::Breakdown& b = r.total.breakdown;
  w.key("energy").begin_object();
  w.field("total_pj", b.total())
      .field("per_inference_pj", b.total() / static_cast<double>(r.in.batch));
  w.field("on_chip_pj", on_chip(b));
  breakdown(w, "components_pj", b);
  if (dp.offchip == config::Offchip::Dram) {
    const cost::DramStates st = r.in.cost->dram_states(r.total);
    w.key("dram_background_pj").begin_object();
    w.field("total", st.total()).field("standby_precharged", st.precharged);
    w.field("standby_active", st.active).field("powerdown_precharged", st.powerdown_precharged);
    w.field("powerdown_active", st.powerdown_active);
    w.end_object();
  }
  w.field("seconds", r.total.seconds);
  w.end_object();
  w.field("inferences_per_second", r.inferences_per_second);
  w.field("inferences_per_joule", r.inferences_per_joule);
  if (const LayerResult* p = r.in.preload) {
    w.key("weight_preload").begin_object();
    w.field("dram_bytes_read", static_cast<int64_t>(p->dram_read));
    w.field("weight_buffer_bytes", static_cast<int64_t>(p->wbuf_bytes));
    w.field("cycles", p->cycles()).field("energy_pj", r.preload.breakdown.total());
    breakdown(w, "components_pj", r.preload.breakdown);
    w.end_object();
  }
  w.key("area").begin_object().field("total_mm2", r.in.cost->area_mm2());
  w.key("items").begin_array();
  for (const cost::AreaItem& a : r.in.cost->area()) {
    w.begin_object().field("name", a.name).field("um2", a.um2());
    terms(w, a.terms);
    w.end_object();
  }
  w.end_array().end_object();
  sram_macros(w, *r.in.cost);
  w.key("static_power").begin_array();
  for (const cost::StaticPower& s : r.in.cost->static_power()) {
    w.begin_object().field("name", s.name).field("component", cost::component_name(s.component));
    w.field("microwatts", s.microwatts()).field("seconds", r.total.seconds);
    w.field("energy_pj", s.microwatts() * r.total.seconds * 1e6);
    terms(w, s.terms);
    w.end_object();
  }
  w.end_array();
  w.key("events").begin_array();
  for (const cost::PricedEvent& e : r.total.events) {
    w.begin_object().field("counter", e.counter).field("event", e.event);
    w.field("component", cost::component_name(e.price.component));
    w.field("count", e.count).field("energy_each_pj", e.price.each());
    w.field("energy_pj", e.energy_pj());
    terms(w, e.price.terms);
    w.end_object();
  }
  w.end_array();
  w.key("layers").begin_array();
  for (const LayerReport& lr : r.layers) {
    const LayerResult& l = lr.result;
    w.begin_object().field("name", l.name).field("kind", l.kind).field("form", l.form);
    w.field("unit", l.unit);
    w.field("start_cycle", l.start).field("cycles", l.cycles()).field("stall_cycles", l.stall());
    w.field("ideal_cycles", l.ideal).field("utilization", utilization(l, dp));
    w.field("mac_utilization", mac_utilization(l.macs, l.cycles(), dp));
    w.field("compute_bound_cycles", lr.bounds.compute);
    w.field("memory_bound_cycles", lr.bounds.memory).field("over_bounds", lr.over_bounds);
    w.field("macs", l.macs).field("nonzero_macs", l.nonzero_macs);
    w.field("tiles", l.tiles).field("skipped_tiles", l.skipped_tiles);
    w.field("dram_bytes_read", static_cast<int64_t>(l.dram_read));
    w.field("dram_bytes_written", static_cast<int64_t>(l.dram_written));
    w.field("dram_burst_bytes_read", static_cast<int64_t>(lr.transferred.read));
    w.field("dram_burst_bytes_written", static_cast<int64_t>(lr.transferred.written));
    w.field("bands", l.bands).field("halo_bytes_read", static_cast<int64_t>(l.halo_bytes));
    w.field("weight_buffer_bytes", static_cast<int64_t>(l.wbuf_bytes));
    w.field("input_buffer_bytes", static_cast<int64_t>(l.ibuf_bytes));
    w.field("output_buffer_bytes", static_cast<int64_t>(l.obuf_bytes));
    w.field("decoder_throttle_cycles", static_cast<int64_t>(l.decoder_throttle));
    w.key("buffer_accesses").begin_object();
    for (const auto& [path, n] : lr.buffer_accesses) w.field(path, n);
    w.end_object();
    breakdown(w, "energy_pj", lr.energy.breakdown);
    w.end_object();
  }
  w.end_array();
  w.key("warnings").begin_array();
  for (const std::string& s : r.warnings) w.value(s);
  w.end_array();
  w.key("statistics").begin_array();
  for (const stats::Record& s : r.in.statistics)
    w.begin_object()
        .field("name", s.full_name())
        .field("value", s.value)
        .field("unit", s.unit)
        .field("description", s.description)
        .end_object();
  w.end_array();
  w.end_object();
  w.finish();
}

void write_layers_csv(const RunReport& r, std::ostream& out) {
  const config::DesignPoint& dp = r.in.design->point;
  out << "layer,kind,form,cycles,stall_cycles,utilization,mac_utilization,compute_bound_cycles,"
         "memory_bound_cycles,over_bounds,macs,dram_bytes_read,dram_bytes_written,"
         "dram_burst_bytes_read,dram_burst_bytes_written,weight_buffer_bytes,input_buffer_bytes,"
         "output_buffer_bytes";
  if (!r.layers.empty())
    for (const auto& [path, n] : r.layers.front().buffer_accesses)
      out << ',' << path.substr(path.rfind('.') + 1) << "_accesses";
  for (Component c : kAll) out << ",energy_" << cost::component_name(c) << "_pj";
  out << ",energy_total_pj\n";
  for (const LayerReport& lr : r.layers) {
    const LayerResult& l = lr.result;
    out << l.name << ',' << l.kind << ',' << l.form << ',' << l.cycles() << ',' << l.stall() << ','
        << json::number(utilization(l, dp)) << ','
        << json::number(mac_utilization(l.macs, l.cycles(), dp)) << ',' << lr.bounds.compute << ','
        << lr.bounds.memory << ',' << json::number(lr.over_bounds) << ',' << l.macs << ','
        << l.dram_read << ',' << l.dram_written << ',' << lr.transferred.read << ','
        << lr.transferred.written << ',' << l.wbuf_bytes << ',' << l.ibuf_bytes << ','
        << l.obuf_bytes;
    for (const auto& [path, n] : lr.buffer_accesses) out << ',' << json::number(n);
    for (Component c : kAll) out << ',' << json::number(lr.energy.breakdown[c]);
    out << ',' << json::number(lr.energy.breakdown.total()) << '\n';
  }
}

std::vector<Figure> headline(const RunReport& r) {
  const config::DesignPoint& dp = r.in.design->point;
  const cost::Breakdown& b = r.total.breakdown;
  const double batch = static_cast<double>(r.in.batch);
  int64_t stall = 0, mapped = 0, rd = 0, wr = 0, macs = 0, burst_rd = 0, burst_wr = 0;
  for (const LayerReport& l : r.layers) {
    burst_rd += static_cast<int64_t>(l.transferred.read);
    burst_wr += static_cast<int64_t>(l.transferred.written);
    stall += l.result.stall();
    macs += l.result.macs;
    mapped += l.result.mapped_cell_cycles;
    rd += static_cast<int64_t>(l.result.dram_read);
    wr += static_cast<int64_t>(l.result.dram_written);
  }
  const double cells = static_cast<double>(dp.array.rows * dp.array.cols);
  std::vector<Figure> f;
  auto num = [&](const char* key, double v) { f.push_back({key, v, "", false}); };
  f.push_back({"network", 0, r.in.network, true});
  num("batch", batch);
  num("cycles", static_cast<double>(r.cycles));
  num("latency_us", r.seconds * 1e6);
  num("stall_cycles", static_cast<double>(stall));
  num("utilization",
      r.cycles > 0 ? static_cast<double>(mapped) / (cells * static_cast<double>(r.cycles)) : 0.0);
  num("mac_utilization", mac_utilization(macs, r.cycles, dp));
  num("dram_bytes_read", static_cast<double>(rd));
  num("dram_bytes_written", static_cast<double>(wr));
  num("dram_burst_bytes_read", static_cast<double>(burst_rd));
  num("dram_burst_bytes_written", static_cast<double>(burst_wr));
  num("energy_per_inference_nj", b.total() / 1e3 / batch);
  num("energy_on_chip_nj", on_chip(b) / 1e3 / batch);
  for (Component c : kAll)
    f.push_back(
        {std::string("energy_") + cost::component_name(c) + "_nj", b[c] / 1e3 / batch, "", false});
  num("area_mm2", r.in.cost->area_mm2());
  num("inferences_per_second", r.inferences_per_second);
  num("inferences_per_joule", r.inferences_per_joule);
  num("layers_over_bounds", static_cast<double>(r.warnings.size()));
  if (r.in.accuracy >= 0) num("accuracy", r.in.accuracy);
  return f;
}

std::string format_figures(const std::vector<Figure>& figures) {
  std::string out;
  for (const Figure& f : figures) {
    out += f.key;
    if (f.is_text) {
      std::string t = f.text;
      for (char& c : t)
        if (c == '\t' || c == '\n' || c == '\r') c = ' ';
      out += "\ts\t" + t + "\n";
    } else {
      out += "\tn\t" + json::number(f.number) + "\n";
    }
  }
  return out;
}

std::vector<Figure> parse_figures(const std::string& text, const std::string& file) {
  std::vector<Figure> out;
  size_t at = 0;
  int line = 0;
  while (at < text.size()) {
    ++line;
    const size_t end = text.find('\n', at);
    if (end == std::string::npos)
      throw InputError(file, "line " + std::to_string(line) + " is cut short");
    const std::string l = text.substr(at, end - at);
    at = end + 1;
    const size_t t1 = l.find('\t'), t2 = t1 == std::string::npos ? t1 : l.find('\t', t1 + 1);
    if (t2 == std::string::npos || t2 != t1 + 2 || (l[t1 + 1] != 'n' && l[t1 + 1] != 's'))
      throw InputError(file, "line " + std::to_string(line) + " is not KEY<TAB>n|s<TAB>VALUE");
    Figure f;
    f.key = l.substr(0, t1);
    if (l[t1 + 1] == 's') {
      f.is_text = true;
      f.text = l.substr(t2 + 1);
    } else {
      const std::string v = l.substr(t2 + 1);
      char* stop = nullptr;
      f.number = v == "null" ? 0.0 : std::strtod(v.c_str(), &stop);
      if (v != "null" && (v.empty() || *stop != '\0'))
        throw InputError(file, "line " + std::to_string(line) + ": '" + v + "' is not a number");
    }
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace trine::report
