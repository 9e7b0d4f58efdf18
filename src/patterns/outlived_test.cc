// outlived-test: a goroutine still there after its test ended (and the
// settle time passed) whose stack no other pattern explains: running,
// sleeping, in a syscall, or waiting in a way no detector knows. Only
// `leakhound test` can see it, because only the check it inserts after
// each test knows which goroutines that test left behind; a single dump
// says nothing about tests, so there is no runtime detector and
// `leakhound analyze` never names a finding with this id.
#include "patterns/pattern.h"

namespace leakhound {

extern const Pattern kOutlivedTest = {
    .id = "outlived-test",
    .title = "Goroutine outlived its test",
    .explanation =
        "A test started a goroutine and returned while it was still running. Whatever it is "
        "doing (sleeping in a polling loop, spinning, in a system call, or waiting on "
        "something leakhound has no specific pattern for), it keeps its stack and everything "
        "it references alive, and in a long test binary it can interfere with later tests "
        "or hide a leak the production code has. A goroutine a test leaves behind is a leak "
        "by definition, as goleak counts it; the more specific patterns name it when its "
        "stack shows why it is stuck, and this id is used otherwise.",
    .fix = "Make the test stop every goroutine it starts before it returns (close a channel, "
           "cancel a context, wait on a sync.WaitGroup), or stop it in t.Cleanup.",
    .fix_snippet = "ctx, cancel := context.WithCancel(context.Background())\n"
                   "var wg sync.WaitGroup\nwg.Add(1)\ngo func() { defer wg.Done(); poll(ctx) }()\n"
                   "t.Cleanup(func() { cancel(); wg.Wait() })",
    .detection = "Only in `leakhound test`: a goroutine the check after a test found still "
                 "present once the settle time passed, not there before the test, and not "
                 "matched by any other pattern. No runtime detector: a dump alone does not "
                 "say which test started a goroutine, so `analyze` never reports it.",
    .runtime = nullptr,
};

}  // namespace leakhound
