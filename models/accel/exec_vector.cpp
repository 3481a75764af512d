// What the vector unit's executors share: the buffer traffic and the timing.
#include "models/accel/executor.hpp"

namespace trine::models::accel {

int64_t VectorExecutor::run(LayerWork& w) {
  for (const compile::Operand& op : w.plan.operands)
    host_.access(Host::Port::Input, tlm::TLM_READ_COMMAND, 0, static_cast<uint64_t>(op.bytes));
  host_.access(Host::Port::Input, tlm::TLM_WRITE_COMMAND, 0,
               static_cast<uint64_t>(w.plan.output_bytes));
  compute(w);
  w.result.ideal = w.plan.vector_cycles;
  return w.ready + w.plan.vector_cycles;
}

}  // namespace trine::models::accel
