// A real TLM-2.0 exchange: an initiator thread writes and reads the SRAM buffer target,
// accumulates the annotated delays (loosely timed) and synchronises with wait().
#include <catch2/catch.hpp>

#include <tlm_utils/simple_initiator_socket.h>
#include <systemc>
#include <tlm>

#include <functional>
#include <map>
#include <numeric>

#include "models/buffer/access.hpp"
#include "models/buffer/sram_buffer.hpp"
#include "models/common/stats_walker.hpp"

using namespace trine;
using sc_core::SC_NS;
using sc_core::sc_time;

namespace {

config::BufferConfig buffer_config() {
  config::BufferConfig c;
  c.size_bytes = 1024;
  c.banks = 4;
  c.word_bits = 64;
  c.ports = 1;
  c.latency_cycles = 2;
  return c;
}

struct Initiator : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Initiator> socket;
  std::function<void(Initiator&)> script;
  SC_HAS_PROCESS(Initiator);
  explicit Initiator(sc_core::sc_module_name n) : sc_module(n), socket("socket") { SC_THREAD(run); }
  void run() {
    script(*this);
    sc_core::sc_stop();
  }
  // One blocking transaction; returns the response and the delay it annotated.
  tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t addr, std::vector<uint8_t>& data,
                                  sc_time& annotated) {
    tlm::tlm_generic_payload t;
    t.set_command(cmd);
    t.set_address(addr);
    t.set_data_ptr(data.data());
    t.set_data_length(static_cast<unsigned>(data.size()));
    t.set_streaming_width(static_cast<unsigned>(data.size()));
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    annotated = sc_core::SC_ZERO_TIME;
    socket->b_transport(t, annotated);
    wait(annotated);  // synchronise: simulated time advances by what the target annotated
    return t.get_response_status();
  }
};

struct Bench : sc_core::sc_module {
  Initiator cpu;
  models::SramBuffer sram;
  explicit Bench(sc_core::sc_module_name n)
      : sc_module(n), cpu("cpu"), sram("sram", buffer_config(), sc_time(2, SC_NS)) {
    cpu.socket.bind(sram.socket);
  }
};

std::map<std::string, double> stats_by_name(const sc_core::sc_object& root) {
  std::map<std::string, double> m;
  for (const auto& r : models::collect_statistics(root)) m[r.path + "." + r.name] = r.value;
  return m;
}

}  // namespace

TEST_CASE("sram buffer: TLM writes and reads with annotated bank-parallel delays",
          "[systemc][buffer]") {
  Bench bench("bench");
  std::vector<uint8_t> readback;
  std::vector<sc_time> delays;
  std::vector<tlm::tlm_response_status> status;
  bench.cpu.script = [&](Initiator& cpu) {
    std::vector<uint8_t> data(64);
    std::iota(data.begin(), data.end(), 1);
    sc_time d;
    status.push_back(cpu.access(tlm::TLM_WRITE_COMMAND, 128, data, d));  // 8 words, 4 banks
    delays.push_back(d);
    std::vector<uint8_t> in(64, 0);
    status.push_back(cpu.access(tlm::TLM_READ_COMMAND, 128, in, d));
    delays.push_back(d);
    readback = in;
    std::vector<uint8_t> one(8, 0);
    status.push_back(cpu.access(tlm::TLM_READ_COMMAND, 8, one, d));  // one word
    delays.push_back(d);
    std::vector<uint8_t> beyond(16, 0);
    status.push_back(cpu.access(tlm::TLM_READ_COMMAND, 1020, beyond, d));  // crosses the end
    delays.push_back(d);
  };
  sc_core::sc_start();

  REQUIRE(status.size() == 4);
  CHECK(status[0] == tlm::TLM_OK_RESPONSE);
  CHECK(status[1] == tlm::TLM_OK_RESPONSE);
  CHECK(status[2] == tlm::TLM_OK_RESPONSE);
  CHECK(status[3] == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  std::vector<uint8_t> expected(64);
  std::iota(expected.begin(), expected.end(), 1);
  CHECK(readback == expected);
  // 8 words over 4 banks: 2 per bank -> latency 2 + 1 extra cycle = 3 cycles of 2 ns.
  CHECK(delays[0] == sc_time(6, SC_NS));
  CHECK(delays[1] == sc_time(6, SC_NS));
  CHECK(delays[2] == sc_time(4, SC_NS));  // one word: the latency alone
  CHECK(delays[3] == sc_core::SC_ZERO_TIME);
  CHECK(sc_core::sc_time_stamp() == sc_time(16, SC_NS));

  auto s = stats_by_name(bench);
  CHECK(s.at("bench.sram.bytes_written") == 64);
  CHECK(s.at("bench.sram.bytes_read") == 72);
  CHECK(s.at("bench.sram.errors") == 1);
  // Words 16..23 are written: two per bank. Word 1 (address 8) is read from bank 1.
  for (int b = 0; b < 4; ++b) CHECK(s.at("bench.sram.bank" + std::to_string(b) + ".writes") == 2);
  CHECK(s.at("bench.sram.bank1.reads") == 3);
  CHECK(s.at("bench.sram.bank0.reads") == 2);
}

TEST_CASE("sram buffer: words wrap round the banks and debug accesses neither count nor take time",
          "[systemc][buffer]") {
  Bench bench("bench");
  std::vector<uint8_t> peeked(40, 0);
  unsigned peeked_bytes = 0, beyond_bytes = 1;
  bench.cpu.script = [&](Initiator& cpu) {
    std::vector<uint8_t> data(40);
    std::iota(data.begin(), data.end(), 7);
    sc_time d;
    cpu.access(tlm::TLM_WRITE_COMMAND, 24, data, d);  // words 3..7: banks 3, 0, 1, 2, 3
    tlm::tlm_generic_payload t;
    t.set_command(tlm::TLM_READ_COMMAND);
    t.set_address(24);
    t.set_data_ptr(peeked.data());
    t.set_data_length(40);
    peeked_bytes = cpu.socket->transport_dbg(t);
    t.set_address(1020);  // crosses the end
    beyond_bytes = cpu.socket->transport_dbg(t);
  };
  sc_core::sc_start();
  CHECK(peeked_bytes == 40);
  CHECK(beyond_bytes == 0);
  std::vector<uint8_t> expected(40);
  std::iota(expected.begin(), expected.end(), 7);
  CHECK(peeked == expected);
  auto s = stats_by_name(bench);
  CHECK(s.at("bench.sram.bank3.writes") == 2);
  for (int b = 0; b < 3; ++b) CHECK(s.at("bench.sram.bank" + std::to_string(b) + ".writes") == 1);
  CHECK(s.at("bench.sram.bytes_read") == 0);             // the debug read is not an access
  CHECK(sc_core::sc_time_stamp() == sc_time(6, SC_NS));  // the write alone: 2 + 1 cycles
}

TEST_CASE("sram buffer: a timing-only access costs the same time and counts and moves no bytes",
          "[systemc][buffer]") {
  Bench bench("bench");
  std::vector<uint8_t> before, after;
  sc_time plain, timing_only;
  bench.cpu.script = [&](Initiator& cpu) {
    std::vector<uint8_t> data(64);
    std::iota(data.begin(), data.end(), 1);
    cpu.access(tlm::TLM_WRITE_COMMAND, 128, data, plain);
    models::AccessScratch scratch;
    scratch.data.assign(64, 0xee);
    timing_only =
        models::stream_access(cpu.socket, tlm::TLM_WRITE_COMMAND, 128, 64, 1024, scratch, "cpu");
    std::vector<uint8_t> in(64, 0);
    sc_time d;
    cpu.access(tlm::TLM_READ_COMMAND, 128, in, d);
    after = in;
    scratch.data.assign(64, 0);
    models::stream_access(cpu.socket, tlm::TLM_READ_COMMAND, 128, 64, 1024, scratch, "cpu");
    before = scratch.data;
  };
  sc_core::sc_start();
  std::vector<uint8_t> expected(64);
  std::iota(expected.begin(), expected.end(), 1);
  CHECK(after == expected);                      // the timing-only write left the bytes
  CHECK(before == std::vector<uint8_t>(64, 0));  // and the timing-only read returned none
  CHECK(timing_only == plain);
  auto s = stats_by_name(bench);
  CHECK(s.at("bench.sram.bytes_written") == 128);
  CHECK(s.at("bench.sram.bytes_read") == 128);
}

TEST_CASE("sram buffer: more ports shorten a burst but not a single access", "[systemc][buffer]") {
  auto cfg = buffer_config();
  cfg.ports = 2;
  models::SramBuffer sram("sram", cfg, sc_time(1, SC_NS));
  CHECK(sram.access_cycles(0, 64) == 2);   // 2 words per bank, 2 ports: latency only
  CHECK(sram.access_cycles(0, 128) == 3);  // 4 words per bank: 2 rounds
  CHECK(sram.access_cycles(4, 8) == 2);    // straddles two words in two banks
  CHECK(sram.access_cycles(0, 0) == 0);
}
