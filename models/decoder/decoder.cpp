#include "models/decoder/decoder.hpp"

namespace trine::models {

WeightDecoder::WeightDecoder(sc_core::sc_module_name name, const config::DecoderConfig& cfg,
                             const sc_core::sc_time& clock_period)
    : sc_core::sc_module(name),
      wbuf("wbuf"),
      cfg_(cfg),
      period_(clock_period),
      over_period_(clock_period.value()),
      over_lanes_(static_cast<uint64_t>(cfg.lanes)),
      table_(cfg.kind == config::DecoderKind::Table),
      stats_(this->name()),
      tiles_(stats_, "tiles", "tiles", "weight tiles decoded"),
      units_(stats_, "units", "units", "words, entries, codes, pairs or block rows decoded",
             {"decoder.unit", {}}),
      lookups_(
          stats_, "table_lookups", "lookups", "(N,k) decoder table reads",
          {"decoder.table_lookup", {{"table_entries", static_cast<double>(cfg.table_entries)}}}),
      busy_cycles_(stats_, "busy_cycles", "cycles", "cycles spent decoding"),
      throttle_cycles_(stats_, "throttle_cycles", "cycles",
                       "cycles weight loading waited for the decoder beyond the shift chain"),
      bytes_read_(stats_, "bytes_read", "bytes", "encoded weight bytes read from the buffer") {}

int64_t WeightDecoder::decode(const compile::TilePlan& tile, net::WeightForm form, uint64_t addr,
                              int64_t chain_cycles) {
  const uint64_t bytes = static_cast<uint64_t>((tile.weight_bits + 7) / 8);
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
  if (bytes > 0) {
    if (scratch_.data.size() < bytes) scratch_.data.resize(bytes);
    tlm::tlm_generic_payload& p = scratch_.payload;  // one transaction: the tile is in one slot
    p.set_command(tlm::TLM_READ_COMMAND);
    p.set_address(addr);
    p.set_data_ptr(scratch_.data.data());
    p.set_data_length(static_cast<unsigned>(bytes));
    p.set_streaming_width(static_cast<unsigned>(bytes));
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    wbuf->b_transport(p, delay);
    if (!p.is_response_ok()) SC_REPORT_ERROR(name(), "weight buffer read failed");
  }
  const int64_t read_cycles = static_cast<int64_t>(over_period_.quotient(delay.value()));
  const int64_t lane_cycles =
      static_cast<int64_t>(over_lanes_.ceil_quotient(static_cast<uint64_t>(tile.decode_units)));
  const int64_t cycles = std::max(read_cycles, lane_cycles);
  tiles_ += 1;
  units_ += static_cast<uint64_t>(tile.decode_units);
  // A logic decoder has no table: its (N,k) codes cost what any decoded unit does.
  if (form == net::WeightForm::NK && table_) lookups_ += static_cast<uint64_t>(tile.decode_units);
  busy_cycles_ += static_cast<uint64_t>(cycles);
  if (cycles > chain_cycles) throttle_cycles_ += static_cast<uint64_t>(cycles - chain_cycles);
  bytes_read_ += bytes;
  return cycles;
}

}  // namespace trine::models
