// trine convert: re-encodes a network's weights in another form, values unchanged: the
// uncompressed baseline of a compressed network (a column-combined network run without
// combining, for instance), to simulate both on the same design point.
#include <iostream>

#include "sim/cli/options.hpp"
#include "sim/net/tnet.hpp"

namespace trine::cli {

int cmd_convert(const Args& args) {
  po::options_description opts("convert options");
  opts.add_options()("model", po::value<std::string>()->required(), "the .tnet to read")(
      "form", po::value<std::string>()->default_value("dense8"),
      "the weight form to write: dense8 (any network) or ternary (weights in {-1, 0, 1})")(
      "output,o", po::value<std::string>()->required(), "the .tnet to write");
  po::positional_options_description pos;
  pos.add("model", 1);
  po::variables_map vm;
  if (!parse("convert", "--model IN.tnet [--form dense8|ternary] -o OUT.tnet", args, opts, pos, vm))
    return 0;
  const std::string in = vm["model"].as<std::string>(), form = vm["form"].as<std::string>();
  if (form != "dense8" && form != "ternary")
    throw InputError("trine convert: --form '" + form + "' is not one of: dense8, ternary");
  net::Network n = net::read_tnet(in);
  int converted = 0;
  for (net::Layer& l : n.layers) {
    if (!l.is_compute()) continue;
    const net::WeightMatrix w = l.weights.decode();
    try {
      l.weights = form == "dense8" ? net::encode_dense8(w) : net::encode_ternary(w);
    } catch (const InputError& e) {
      throw InputError(in + ": layer '" + l.name + "': " + e.what());
    }
    ++converted;
  }
  n.meta.emplace_back("converted_from", in);
  net::write_tnet(n, vm["output"].as<std::string>());
  std::cout << vm["output"].as<std::string>() << ": " << converted << " layers as " << form << "\n";
  return 0;
}

}  // namespace trine::cli
