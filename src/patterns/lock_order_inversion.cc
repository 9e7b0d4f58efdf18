// lock-order-inversion: two goroutines take the same two locks in
// opposite orders (AB-BA), each holding the one the other waits for.
#include "patterns/pattern.h"

namespace leakhound {

// No single bucket shows it: the wait-for graph (src/waitfor) finds the
// cycle across goroutines and names the finding by this pattern.
extern const Pattern kLockOrderInversion = {
    .id = "lock-order-inversion",
    .title = "Locks taken in opposite orders (AB-BA)",
    .explanation =
        "One goroutine holds lock A and waits for lock B while another holds B and waits for A "
        "(or a longer ring of the same). Neither can go on, and every later caller of either "
        "lock queues behind them for good. It happens when two code paths lock the same pair "
        "in different orders, often hidden behind calls: a method that locks its receiver and "
        "then calls into another object that locks itself and calls back.",
    .fix = "Give the locks one global order and take them in that order everywhere (for two "
           "objects of one type, order by a stable key such as an id); or never hold one lock "
           "while taking another: copy what you need, unlock, then lock the next.",
    .fix_snippet = "first, second := a, b\nif b.id < a.id {\n\tfirst, second = b, a\n}\n"
                   "first.mu.Lock()\ndefer first.mu.Unlock()\nsecond.mu.Lock()\n"
                   "defer second.mu.Unlock()",
    .detection = "From a dump with the source: each goroutine blocked in Lock names the lock it "
                 "wants (its frame's line, and the receiver or parameter it hangs off, read "
                 "from the frame's printed arguments); the functions on every goroutine's stack "
                 "name the locks they took before their current line and still hold. A cycle of "
                 "two or more goroutines, each waiting for a lock the next one holds, is proof.",
    .runtime = nullptr,
};

}  // namespace leakhound
