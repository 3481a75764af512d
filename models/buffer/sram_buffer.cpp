#include "models/buffer/sram_buffer.hpp"

#include <algorithm>
#include <cstring>

#include "models/common/timing_only.hpp"

namespace trine::models {

SramBuffer::SramBuffer(sc_core::sc_module_name name, const config::BufferConfig& cfg,
                       const sc_core::sc_time& clock_period)
    : sc_core::sc_module(name),
      socket("socket"),
      cfg_(cfg),
      period_(clock_period),
      word_(static_cast<uint64_t>(cfg.word_bits / 8)),
      banks_(static_cast<uint64_t>(cfg.banks)),
      ports_(static_cast<uint64_t>(cfg.ports)),
      storage_(static_cast<uint64_t>(cfg.size_bytes)),
      stats_(this->name()),
      bytes_read_(stats_, "bytes_read", "bytes", "bytes read through the socket"),
      bytes_written_(stats_, "bytes_written", "bytes", "bytes written through the socket"),
      errors_(stats_, "errors", "transactions", "transactions answered with an error") {
  // Each access costs what one word of one bank costs: the bank is the macro that switches.
  const std::vector<std::pair<std::string, double>> macro{
      {"bank_bytes", static_cast<double>(cfg.size_bytes / cfg.banks)},
      {"word_bits", static_cast<double>(cfg.word_bits)},
      {"ports", static_cast<double>(cfg.ports)}};
  reads_per_bank_.resize(static_cast<size_t>(cfg.banks));
  writes_per_bank_.resize(static_cast<size_t>(cfg.banks));
  for (int64_t b = 0; b < cfg.banks; ++b) {
    const std::string bank = "bank" + std::to_string(b);
    bank_reads_.push_back(std::make_unique<stats::Counter>(
        stats_, bank + ".reads", "accesses", "word reads of bank " + std::to_string(b),
        stats::EnergyEvent{"sram.read", macro}));
    bank_writes_.push_back(std::make_unique<stats::Counter>(
        stats_, bank + ".writes", "accesses", "word writes of bank " + std::to_string(b),
        stats::EnergyEvent{"sram.write", macro}));
    bank_reads_.back()->keep_in(&reads_per_bank_[static_cast<size_t>(b)]);
    bank_writes_.back()->keep_in(&writes_per_bank_[static_cast<size_t>(b)]);
  }
  socket.bind(*this);
}

uint64_t SramBuffer::access_cycles(uint64_t addr, uint64_t len) const {
  if (len == 0) return 0;
  return cycles_for_words(word_.quotient(addr + len - 1) - word_.quotient(addr) + 1);
}

uint64_t SramBuffer::cycles_for_words(uint64_t words) const {
  // Consecutive words sit in consecutive banks: the busiest bank holds ceil(words / banks).
  const uint64_t per_bank = banks_.ceil_quotient(words);
  return static_cast<uint64_t>(cfg_.latency_cycles) + ports_.ceil_quotient(per_bank) - 1;
}

const sc_core::sc_time& SramBuffer::cycles_time(uint64_t cycles) {
  // Accesses take a few distinct cycle counts: their times are built once.
  if (cycles >= times_.size()) {
    if (cycles >= 4096) {
      long_time_ = sc_core::sc_time::from_value(period_.value() * cycles);
      return long_time_;
    }
    for (uint64_t c = times_.size(); c <= cycles; ++c)
      times_.push_back(sc_core::sc_time::from_value(period_.value() * c));
  }
  return times_[cycles];
}

void SramBuffer::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const uint64_t addr = trans.get_address();
  const uint64_t len = trans.get_data_length();
  if (trans.get_byte_enable_ptr() != nullptr || trans.get_streaming_width() < len) {
    errors_ += 1;
    trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return;
  }
  if (!storage_.in_range(addr, len)) {
    errors_ += 1;
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const bool is_read = trans.is_read();
  if (!is_read && !trans.is_write()) {
    trans.set_response_status(tlm::TLM_OK_RESPONSE);  // ignore command: no access, no time
    return;
  }
  if (trans.get_extension<TimingOnly>() == nullptr) copy_bytes(trans);

  const uint64_t first = word_.quotient(addr), last = word_.quotient(addr + len - 1);
  std::vector<uint64_t>& per_bank = is_read ? reads_per_bank_ : writes_per_bank_;
  // Words first..last go round the banks: each bank gets n / banks, the first n % banks one more.
  const uint64_t banks = per_bank.size(), n = last - first + 1;
  // (Every bank, every time: the same trip count each access, so the loop predicts.)
  const uint64_t each = banks_.quotient(n), extra = banks_.remainder(n);
  const uint64_t start = banks_.remainder(first);
  for (uint64_t i = 0; i < banks; ++i) {
    const uint64_t bank = start + i < banks ? start + i : start + i - banks;
    per_bank[bank] += each + (i < extra ? 1 : 0);
  }
  (is_read ? bytes_read_ : bytes_written_) += len;
  delay += cycles_time(cycles_for_words(n));
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

void SramBuffer::copy_bytes(tlm::tlm_generic_payload& trans) {
  uint8_t* at = storage_.at(trans.get_address());
  if (trans.is_read())
    std::memcpy(trans.get_data_ptr(), at, trans.get_data_length());
  else
    std::memcpy(at, trans.get_data_ptr(), trans.get_data_length());
}

unsigned int SramBuffer::transport_dbg(tlm::tlm_generic_payload& trans) {
  const uint64_t addr = trans.get_address(), len = trans.get_data_length();
  if (!storage_.in_range(addr, len) || !(trans.is_read() || trans.is_write())) return 0;
  copy_bytes(trans);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  return static_cast<unsigned int>(len);
}

tlm::tlm_sync_enum SramBuffer::nb_transport_fw(tlm::tlm_generic_payload& trans, tlm::tlm_phase&,
                                               sc_core::sc_time&) {
  SC_REPORT_ERROR(name(), "non-blocking transport: the buffer is loosely timed (b_transport)");
  trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
  return tlm::TLM_COMPLETED;
}

bool SramBuffer::get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) {
  return false;  // accesses must pass b_transport: they are timed and counted
}

}  // namespace trine::models
