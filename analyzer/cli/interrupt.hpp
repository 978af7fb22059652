#pragma once
// Ctrl-C in the interactive shell stops the running command, not the shell. Outside the shell
// SIGINT keeps its default action (the process ends), so one-shot and batch runs are unchanged.

namespace mptcpanalyzer::cli {

// While alive, SIGINT only records the request; restores the previous handler when destroyed.
class CommandInterruptScope {
public:
    CommandInterruptScope();
    ~CommandInterruptScope();
    CommandInterruptScope(const CommandInterruptScope&) = delete;
    CommandInterruptScope& operator=(const CommandInterruptScope&) = delete;
};

// Throws Error(ExitCode::Interrupted) if Ctrl-C was pressed inside a CommandInterruptScope.
// Long loops call it at safe points (the capture reader's progress callback).
void throw_if_interrupted();

}  // namespace mptcpanalyzer::cli
