#include "models/array/vcd.hpp"

#include <algorithm>
#include <map>
#include <ostream>

namespace trine::models::array {

namespace {

// VCD identifier codes: printable characters '!'..'~', base 94.
std::string code_of(size_t n) {
  std::string s;
  do {
    s += static_cast<char>('!' + n % 94);
    n /= 94;
  } while (n > 0);
  return s;
}

std::string bits(int64_t v, int width) {
  const uint64_t u = static_cast<uint64_t>(v);
  std::string s;
  for (int b = width - 1; b >= 0; --b) s += ((u >> b) & 1) ? '1' : '0';
  const size_t first = s.find('1');  // leading zeros may be left out
  return first == std::string::npos ? "0" : s.substr(first);
}

}  // namespace

int Vcd::add(const std::string& scope, const std::string& name, int width) {
  signals_.push_back({scope, name, code_of(signals_.size()), std::clamp(width, 1, 64)});
  return static_cast<int>(signals_.size()) - 1;
}

void Vcd::write_header(std::ostream& out, const std::string& comment) const {
  out << "$comment " << comment << " $end\n$timescale 1 ps $end\n";
  // Dotted scopes nest ("array.rows" is the module rows inside the module array).
  std::map<std::string, std::vector<size_t>> scopes;
  for (size_t i = 0; i < signals_.size(); ++i) scopes[signals_[i].scope].push_back(i);
  std::vector<std::string> open;  // the scope path currently open
  auto parts = [](const std::string& scope) {
    std::vector<std::string> p;
    size_t at = 0;
    for (size_t dot; (dot = scope.find('.', at)) != std::string::npos; at = dot + 1)
      p.push_back(scope.substr(at, dot - at));
    p.push_back(scope.substr(at));
    return p;
  };
  for (const auto& [scope, ids] : scopes) {
    const std::vector<std::string> want = parts(scope);
    size_t common = 0;
    while (common < open.size() && common < want.size() && open[common] == want[common]) ++common;
    for (; open.size() > common; open.pop_back()) out << "$upscope $end\n";
    for (; open.size() < want.size(); open.push_back(want[open.size()]))
      out << "$scope module " << want[open.size()] << " $end\n";
    for (size_t i : ids)
      out << "$var wire " << signals_[i].width << ' ' << signals_[i].code << ' ' << signals_[i].name
          << " $end\n";
  }
  for (; !open.empty(); open.pop_back()) out << "$upscope $end\n";
  out << "$enddefinitions $end\n";
  out << "#0\n$dumpvars\n";
  for (size_t i = 0; i < signals_.size(); ++i)
    out << (signals_[i].width == 1 ? "0" : "b0 ") << signals_[i].code << '\n';
  out << "$end\n";
}

void Vcd::write(std::ostream& out, const std::function<uint64_t(int64_t)>& to_ps,
                const std::string& comment) {
  write_header(out, comment);
  std::vector<int64_t> last(signals_.size(), 0);
  std::vector<bool> seen(signals_.size(), false);
  int64_t now = 0;
  auto emit = [&](const Change& ch) {
    if (seen[ch.signal] ? last[ch.signal] == ch.value : ch.value == 0) return;
    seen[ch.signal] = true;
    last[ch.signal] = ch.value;
    if (ch.time != now) {
      now = ch.time;
      out << '#' << to_ps(now) << '\n';
    }
    const Signal& s = signals_[ch.signal];
    if (s.width == 1)
      out << (ch.value & 1) << s.code << '\n';
    else
      out << 'b' << bits(ch.value, s.width) << ' ' << s.code << '\n';
  };
  // Changes come in order; one is held back until the next shows it was the last of its
  // signal at its time.
  bool pending = false;
  Change held{};
  changes_.for_each([&](const Change& ch) {
    if (pending && !(ch.time == held.time && ch.signal == held.signal)) emit(held);
    held = ch;
    pending = true;
  });
  if (pending) emit(held);
}

}  // namespace trine::models::array
