#include "sim/report/trace.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "sim/util/error.hpp"
#include "sim/util/file.hpp"
#include "sim/util/json.hpp"

namespace trine::report {

namespace {

size_t footprint(const TraceEvent& e) {
  return sizeof(Trace::Keyed) + e.source.size() + e.name.size() + e.fields.size() + e.lane.size();
}

void event_line(std::ostream& out, const TraceEvent& e) {
  char head[64];
  std::snprintf(head, sizeof head, "%12lld %-10s %-6s", static_cast<long long>(e.done_ps()),
                e.source.c_str(), e.name.c_str());
  out << head << ' ' << e.fields << '\n';
}

const char* const kEventsHeader =
    "# trine events v1: DONE_PS SOURCE EVENT FIELDS (cycles in the source's clock)\n";

// trace.json, event by event: lanes become threads of one process, numbered in order of first
// appearance.
class ChromeWriter {
 public:
  explicit ChromeWriter(std::ostream& out) : w_(out, false) {
    w_.begin_object().key("traceEvents").begin_array();
  }
  void add(const TraceEvent& e) {
    auto it = std::find(lanes_.begin(), lanes_.end(), e.lane);
    if (it == lanes_.end()) {
      lanes_.push_back(e.lane);
      w_.begin_object().field("ph", "M").field("name", "thread_name").field("pid", 1);
      w_.field("tid", static_cast<int64_t>(lanes_.size()));
      w_.key("args").begin_object().field("name", e.lane).end_object().end_object();
      it = lanes_.end() - 1;
    }
    const int64_t tid = (it - lanes_.begin()) + 1;
    w_.begin_object().field("name", e.name).field("cat", e.source);
    w_.field("ph", e.end_ps >= 0 ? "X" : "i").field("pid", 1).field("tid", tid);
    w_.field("ts", static_cast<double>(e.time_ps) / 1e6);  // microseconds
    if (e.end_ps >= 0)
      w_.field("dur", static_cast<double>(e.end_ps - e.time_ps) / 1e6);
    else
      w_.field("s", "t");
    w_.key("args").begin_object().field("fields", e.fields).end_object();
    w_.end_object();
  }
  void finish() {
    w_.end_array().field("displayTimeUnit", "ns").end_object();
    w_.finish();
  }

 private:
  json::Writer w_;
  std::vector<std::string> lanes_;
};

}  // namespace

bool Trace::Earlier::operator()(const Keyed& a, const Keyed& b) const {
  if (a.done != b.done) return a.done < b.done;
  if (a.origin != b.origin) return a.origin < b.origin;
  return a.k1 != b.k1 ? a.k1 < b.k1 : a.k2 < b.k2;
}

void Trace::Codec::put(std::ostream& out, const Keyed& k) {
  put_raw(out, k.done), put_raw(out, k.origin), put_raw(out, k.k1), put_raw(out, k.k2);
  put_raw(out, k.event.time_ps), put_raw(out, k.event.end_ps);
  for (const std::string* s : {&k.event.source, &k.event.name, &k.event.fields, &k.event.lane}) {
    put_raw(out, static_cast<uint32_t>(s->size()));
    out.write(s->data(), static_cast<std::streamsize>(s->size()));
  }
}

bool Trace::Codec::get(std::istream& in, Keyed& k) {
  if (!get_raw(in, k.done)) return false;
  get_raw(in, k.origin), get_raw(in, k.k1), get_raw(in, k.k2);
  get_raw(in, k.event.time_ps), get_raw(in, k.event.end_ps);
  for (std::string* s : {&k.event.source, &k.event.name, &k.event.fields, &k.event.lane}) {
    uint32_t n = 0;
    get_raw(in, n);
    s->resize(n);
    in.read(s->data(), static_cast<std::streamsize>(n));
  }
  if (!in) throw RunError("trace: a spilled run is cut short");
  return true;
}

void Trace::add(TraceEvent e, Origin origin, uint64_t k1, uint64_t k2) {
  const size_t bytes = footprint(e);
  const int64_t done = e.done_ps();
  events_.push({done, static_cast<uint8_t>(origin), k1, k2, std::move(e)}, bytes);
}

void Trace::for_each(const std::function<void(const TraceEvent&)>& f) {
  events_.for_each([&](const Keyed& k) { f(k.event); });
}

void Trace::write(const std::string& events_path, const std::string& json_path) {
  // One merge feeds events.txt directly and trace.json through a spooled file (the two are
  // written whole or not at all, each under its own temporary name).
  write_file_streamed(json_path, [&](std::ostream& json) {
    ChromeWriter chrome(json);
    write_file_streamed(events_path, [&](std::ostream& text) {
      text << kEventsHeader;
      for_each([&](const TraceEvent& e) {
        event_line(text, e);
        chrome.add(e);
      });
    });
    chrome.finish();
  });
}

std::string Trace::events_text() {
  std::ostringstream out;
  out << kEventsHeader;
  for_each([&](const TraceEvent& e) { event_line(out, e); });
  return out.str();
}

std::string Trace::chrome_json() {
  std::ostringstream out;
  ChromeWriter chrome(out);
  for_each([&](const TraceEvent& e) { chrome.add(e); });
  chrome.finish();
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
