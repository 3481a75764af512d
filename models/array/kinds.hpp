#pragma once
// The array's swappable choices and their names: one list each, read by the design point's
// schema (array.dataflow, array.cell, array.model), the factories, `trine check --keys` and the
// tests that walk every choice. Header-only, so that the configuration layer can name them
// without linking the models.
#include <array>

#include "models/common/named.hpp"

namespace trine::models::array {

using models::docs_of;
using models::name_of;
using models::Named;
using models::names_of;
using models::value_of;

// Which operand stays in the cells while the third dimension of the matrix product streams
// through in time (docs/accelerator.md, "Dataflows").
enum class Dataflow { WeightStationary, OutputStationary, InputStationary };
// What one cell does per cycle.
enum class Cell { BitSerial, BitParallel };
// Whether a tile's compute waits for the previous tile to drain (serial), or follows its last
// streamed value into the array (pipelined: the stationary registers are double-buffered and
// switch with the wavefront).
enum class Overlap { Serial, Pipelined };
// How the array's timing and sums are computed (both obey one contract, array.hpp).
enum class ModelKind { Fast, Cycle };

inline constexpr std::array<Named<Dataflow>, 3> kDataflows{{
    {Dataflow::WeightStationary, "ws",
     "weight-stationary: weights stay in the cells, activations stream along rows, partial sums "
     "flow down columns"},
    {Dataflow::OutputStationary, "os",
     "output-stationary: each cell keeps one output's sum; weights stream along rows and "
     "activations down columns"},
    {Dataflow::InputStationary, "is",
     "input-stationary: activations stay in the cells, weights stream along rows, partial sums "
     "flow down columns"},
}};

inline constexpr std::array<Named<Cell>, 2> kCells{{
    {Cell::BitSerial, "bit-serial", "one activation bit per cycle (a shift-add cell)"},
    {Cell::BitParallel, "bit-parallel",
     "a whole multiply-accumulate per cycle (a multiplier, or an adder/subtractor for ternary "
     "weights)"},
}};

inline constexpr std::array<Named<Overlap>, 2> kOverlaps{{
    {Overlap::Serial, "serial",
     "a tile starts computing when the previous one has drained (SCALE-Sim's model)"},
    {Overlap::Pipelined, "pipelined",
     "a tile's first values follow the previous tile's last ones into the array; its fill "
     "overlaps the previous drain (as in the TPU's systolic array)"},
}};

inline constexpr std::array<Named<ModelKind>, 2> kModels{{
    {ModelKind::Fast, "fast", "per-tile closed form"},
    {ModelKind::Cycle, "cycle", "steps every register of every cell every cycle (the reference)"},
}};

}  // namespace trine::models::array
