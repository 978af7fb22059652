#include "interrupt.hpp"

#include <csignal>

#include "mptcpanalyzer/util/error.hpp"

namespace mptcpanalyzer::cli {
namespace {

volatile std::sig_atomic_t g_interrupt_requested = 0;
struct sigaction g_previous {};

extern "C" void record_interrupt(int) { g_interrupt_requested = 1; }

}  // namespace

CommandInterruptScope::CommandInterruptScope() {
    g_interrupt_requested = 0;
    struct sigaction action {};
    action.sa_handler = record_interrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &g_previous);
}

CommandInterruptScope::~CommandInterruptScope() {
    sigaction(SIGINT, &g_previous, nullptr);
    g_interrupt_requested = 0;
}

void throw_if_interrupted() {
    if (g_interrupt_requested) {
        g_interrupt_requested = 0;
        throw Error(ExitCode::Interrupted, "interrupted (Ctrl-C)");
    }
}

}  // namespace mptcpanalyzer::cli
