#pragma once
// trine's one extension of the TLM-2.0 base protocol, an ignorable phase sent on the forward
// path: AHEAD on a transaction in flight says the initiator now waits for the responses of that
// transaction and of every one it sent before, and sends no BEGIN_REQ until it has them all.
// A target may then decide ahead of simulated time (no request it has not seen can arrive
// before those responses) and send BEGIN_RESP at once, from within the call, for them and for
// any other transaction finished by then, each annotated with the delay until it is due. A
// target that cannot, or does not know the phase, returns TLM_ACCEPTED and answers as usual.
// The times are those of waiting; only the SystemC events in between go.
#include <tlm>

namespace trine::models {

TLM_DECLARE_EXTENDED_PHASE(AHEAD);

}  // namespace trine::models
