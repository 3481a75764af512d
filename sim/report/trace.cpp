#include "sim/report/trace.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "sim/util/json.hpp"

namespace trine::report {

std::vector<TraceEvent> Trace::sorted() const {
  std::vector<TraceEvent> e = events_;
  std::stable_sort(e.begin(), e.end(), [](const TraceEvent& a, const TraceEvent& b) {
    return a.done_ps() < b.done_ps();
  });
  return e;
}

std::string Trace::events_text() const {
  std::ostringstream out;
  out << "# trine events v1: DONE_PS SOURCE EVENT FIELDS (cycles in the source's clock)\n";
  for (const TraceEvent& e : sorted()) {
    char head[64];
    std::snprintf(head, sizeof head, "%12lld %-10s %-6s", static_cast<long long>(e.done_ps()),
                  e.source.c_str(), e.name.c_str());
    out << head << ' ' << e.fields << '\n';
  }
  return out.str();
}

std::string Trace::chrome_json() const {
  // Lanes become threads of one process, numbered in order of first appearance.
  std::vector<std::string> lanes;
  std::ostringstream out;
  json::Writer w(out, false);
  w.begin_object().key("traceEvents").begin_array();
  for (const TraceEvent& e : sorted()) {
    auto it = std::find(lanes.begin(), lanes.end(), e.lane);
    if (it == lanes.end()) {
      lanes.push_back(e.lane);
      w.begin_object().field("ph", "M").field("name", "thread_name").field("pid", 1);
      w.field("tid", static_cast<int64_t>(lanes.size()));
      w.key("args").begin_object().field("name", e.lane).end_object().end_object();
      it = lanes.end() - 1;
    }
    const int64_t tid = (it - lanes.begin()) + 1;
    w.begin_object().field("name", e.name).field("cat", e.source);
    w.field("ph", e.end_ps >= 0 ? "X" : "i").field("pid", 1).field("tid", tid);
    w.field("ts", static_cast<double>(e.time_ps) / 1e6);  // microseconds
    if (e.end_ps >= 0)
      w.field("dur", static_cast<double>(e.end_ps - e.time_ps) / 1e6);
    else
      w.field("s", "t");
    w.key("args").begin_object().field("fields", e.fields).end_object();
    w.end_object();
  }
  w.end_array().field("displayTimeUnit", "ns").end_object();
  w.finish();
  return out.str();
}

std::string summary_text(const RunReport& r) {
  const InferenceResult& first = *r.in.first;
  std::ostringstream out;
  out << "# trine summary v1: integers compare exactly, *_pj within the case's tolerance\n";
  out << "run " << r.in.design->point.name << " network=" << r.in.network
      << " model=" << r.in.design->point.array.model_name() << " batch=" << r.in.batch
      << " images=" << r.in.images << " cycles=" << r.cycles
      << " bit_exact=" << (first.mismatch ? 0 : 1) << '\n';
  const cost::Breakdown& b = r.total.breakdown;
  out << "energy total total_pj=" << json::number(b.total());
  for (int c = 0; c < cost::kComponents; ++c)
    out << ' ' << cost::component_name(static_cast<cost::Component>(c))
        << "_pj=" << json::number(b.pj[c]);
  out << '\n';
  for (const LayerReport& lr : r.layers) {
    const LayerResult& l = lr.result;
    out << "layer " << l.name << " kind=" << l.kind << " form=" << (l.form.empty() ? "-" : l.form)
        << " start=" << l.start << " end=" << l.end << " ideal=" << l.ideal << " tiles=" << l.tiles
        << " skipped_tiles=" << l.skipped_tiles << " macs=" << l.macs
        << " nonzero_macs=" << l.nonzero_macs << " mapped_cell_cycles=" << l.mapped_cell_cycles
        << " dram_read=" << l.dram_read << " dram_written=" << l.dram_written
        << " wbuf_bytes=" << l.wbuf_bytes << " ibuf_bytes=" << l.ibuf_bytes
        << " obuf_bytes=" << l.obuf_bytes << " decoder_throttle=" << l.decoder_throttle
        << " compute_bound=" << lr.bounds.compute << " memory_bound=" << lr.bounds.memory
        << " energy_pj=" << json::number(lr.energy.breakdown.total()) << '\n';
  }
  for (size_t i = 0; i < first.outputs.size(); ++i) {
    out << "output image" << i << " prediction=" << first.predictions[i] << " values=";
    for (size_t k = 0; k < first.outputs[i].size(); ++k)
      out << (k ? "," : "") << first.outputs[i][k];
    out << '\n';
  }
  return out.str();
}

}  // namespace trine::report
