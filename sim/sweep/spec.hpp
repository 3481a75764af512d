#pragma once
// A sweep spec (configs/sweeps/*.yaml): a base design point, a model, the `trine run` options
// of every point, and axes: dotted design-point keys (or `model`) with lists of values. Axes
// under `axes:` combine as a cartesian product (the last one varies fastest); each entry of
// `zip:` is a group of axes of equal length that vary together, as one more axis. A `filter:`
// expression (expr.hpp) over the resolved design point, `model` and the axis values keeps only
// the points where it holds.
//
//   version: 1
//   name: array-x-actbits
//   base: ../arch/default.yaml      # or "default" (the embedded design point)
//   model: default                  # or a .tnet path (relative to this file)
//   run: {batch: 1, images: 1, dataset: fashion-mnist}
//   axes:
//     array.rows: [8, 16, 32]
//     array.act_bits: [8, 12]
//   zip:
//     - {buffers.weight.size: [16 KiB, 64 KiB], buffers.input.size: [16 KiB, 64 KiB]}
//   filter: array.rows * array.cols <= 1024
#include <cstdint>
#include <string>
#include <vector>

#include "sim/config/design_point.hpp"
#include "sim/sweep/expr.hpp"
#include "sim/util/error.hpp"

namespace trine::sweep {

struct Axis {
  std::string key;                  // "array.rows" or "model"
  std::vector<std::string> values;  // as written (YAML scalars; model paths not yet resolved)
  std::vector<Location> where;      // of each value
};

struct Spec {
  std::string file;  // as given
  std::string name;
  std::string base;   // design point path, resolved against the spec's folder; "" = default
  std::string model;  // .tnet path, resolved likewise; "" = the embedded default network
  int64_t batch = 1, images = 1;
  std::string dataset = "fashion-mnist";
  std::vector<std::vector<Axis>> groups;  // one axis each, or a zip group
  std::string filter;                     // "" = every point
  Location filter_where;
};

// One combination of axis values.
struct Point {
  int64_t index = 0;                                        // in expansion order, before filtering
  std::vector<std::pair<std::string, std::string>> values;  // axis key -> value, spec order
  std::vector<config::Override> overrides;                  // the design-point axes
  std::string model;  // the .tnet to run, resolved against the spec's folder; "" = default
};

// Reads and checks a spec: unknown keys, bad types, axis keys that are not design-point keys,
// axis values their key rejects, zip groups of unequal length and filter syntax or names are
// InputErrors naming the file, line and key.
Spec load_spec(const std::string& path);
Spec parse_spec(const std::string& text, const std::string& file);

// Every combination that passes the filter, in expansion order. A point whose design point
// does not resolve (keys that contradict each other) is kept: running it records the error.
std::vector<Point> expand(const Spec& spec);

// The design point of a point: the base with its overrides, resolved (InputError if its
// values contradict each other).
config::LoadedDesignPoint resolve_point(const Spec& spec, const Point& point);

// The axis keys, in column order.
std::vector<std::string> axis_keys(const Spec& spec);

// The key a point's results are stored under: a hash of its resolved design point (or, if it
// does not resolve, of its base and overrides), its model file's bytes and the run options.
std::string point_id(const Spec& spec, const Point& point);

}  // namespace trine::sweep
