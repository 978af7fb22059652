#include "mptcpanalyzer/util/mapped_file.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>

#include "mptcpanalyzer/util/error.hpp"

namespace mptcpanalyzer {
namespace {

// One live mapping, as the SIGBUS handler sees it. The handler only reads atomics and a message
// composed beforehand, and calls mmap/write/_exit (system calls, safe in a signal handler).
struct Slot {
    std::atomic<bool> used{false};
    std::atomic<std::uintptr_t> begin{0};
    std::atomic<std::uintptr_t> end{0};
    std::atomic<bool> checking{false};
    std::atomic<bool> lost{false};
    char message[1024] = {};
    std::size_t message_size = 0;
};

Slot g_slots[mapped_file_detail::kMaxMappings];
struct sigaction g_previous_action {};
std::once_flag g_install_once;

void on_sigbus(int signal, siginfo_t* info, void* context) {
    (void)context;
    const auto address = reinterpret_cast<std::uintptr_t>(info != nullptr ? info->si_addr : nullptr);
    const bool from_fault = info != nullptr && info->si_code > 0;  // not kill(2)/sigqueue
    for (auto& slot : g_slots) {
        const std::uintptr_t begin = slot.begin.load();
        const std::uintptr_t end = slot.end.load();
        if (!from_fault || begin == 0 || address < begin || address >= end) continue;
        if (slot.checking.load()) {
            // Zeros in place of the file: the interrupted read resumes and the check fails.
            void* zeros = ::mmap(reinterpret_cast<void*>(begin), end - begin, PROT_READ,
                                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
            if (zeros != MAP_FAILED) {
                slot.lost.store(true);
                return;
            }
        }
        const ssize_t written = ::write(STDERR_FILENO, slot.message, slot.message_size);
        (void)written;
        ::_exit(static_cast<int>(ExitCode::InputMissing));
    }
    // Not one of ours: the previous disposition handles the fault when the access is retried.
    ::sigaction(signal, &g_previous_action, nullptr);
}

void install_handler() {
    struct sigaction action {};
    action.sa_sigaction = on_sigbus;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGBUS, &action, &g_previous_action);
}

}  // namespace

std::shared_ptr<MappedFile> MappedFile::map(int fd, std::size_t size, const std::string& path, std::string& error) {
    if (size == 0) {
        error = "empty file";
        return nullptr;
    }
    std::call_once(g_install_once, install_handler);
    int slot_index = -1;
    for (int i = 0; i < mapped_file_detail::kMaxMappings; ++i) {
        bool expected = false;
        if (g_slots[i].used.compare_exchange_strong(expected, true)) {
            slot_index = i;
            break;
        }
    }
    if (slot_index < 0) {
        error = "too many mapped files";
        return nullptr;
    }
    Slot& slot = g_slots[slot_index];
    const std::string text = "mptcpanalyzer: error: " + path +
                             ": the cache file shrank while in use (truncated by another program); run the "
                             "command again: the capture is then read afresh\n";
    slot.message_size = std::min(text.size(), sizeof slot.message);
    std::memcpy(slot.message, text.data(), slot.message_size);
    slot.checking.store(false);
    slot.lost.store(false);

    void* data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (data == MAP_FAILED) {
        error = std::string("cannot map: ") + std::strerror(errno);
        slot.used.store(false);
        return nullptr;
    }
    // Watched from here on; then make sure the file was not cut before we mapped it (after,
    // the handler takes over).
    slot.end.store(reinterpret_cast<std::uintptr_t>(data) + size);
    slot.begin.store(reinterpret_cast<std::uintptr_t>(data));
    std::shared_ptr<MappedFile> mapped(new MappedFile(static_cast<char*>(data), size, slot_index));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || static_cast<std::uint64_t>(st.st_size) < size) {
        error = "shorter than expected (truncated while opening)";
        return nullptr;
    }
    return mapped;
}

MappedFile::MappedFile(char* data, std::size_t size, int slot) : data_(data), size_(size), slot_(slot) {}

MappedFile::~MappedFile() {
    Slot& slot = g_slots[slot_];
    slot.begin.store(0);
    slot.end.store(0);
    ::munmap(data_, size_);
    slot.checking.store(false);
    slot.used.store(false);
}

void MappedFile::begin_check() { g_slots[slot_].checking.store(true); }

bool MappedFile::end_check() {
    Slot& slot = g_slots[slot_];
    slot.checking.store(false);
    return !slot.lost.load();
}

void MappedFile::release_resident() const { ::madvise(data_, size_, MADV_DONTNEED); }

void MappedFile::release_all_resident() {
    for (const auto& slot : g_slots) {
        const std::uintptr_t begin = slot.begin.load(), end = slot.end.load();
        if (begin && end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
    }
}

void MappedFile::release_resident(std::size_t offset, std::size_t length) const {
    static const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    if (offset >= size_) return;
    length = std::min(length, size_ - offset);
    const std::size_t first = (offset + page - 1) / page * page;  // the first whole page inside
    const std::size_t end = (offset + length == size_) ? size_ : (offset + length) / page * page;
    if (end > first) ::madvise(data_ + first, end - first, MADV_DONTNEED);
}

}  // namespace mptcpanalyzer
