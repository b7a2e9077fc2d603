#pragma once

#include <atomic>
#include <functional>
#include <stdexcept>
#include <string>

namespace latentlens {

// Thrown by long computations when their cancel flag is set (checked between U-Net calls).
class Cancelled : public std::runtime_error {
public:
    Cancelled() : std::runtime_error("cancelled") {}
};

// How a long computation reports progress and learns it should stop. Both parts are optional.
struct Progress {
    std::function<void(double fraction, const std::string& message)> callback;
    const std::atomic<bool>* cancelFlag = nullptr;

    void report(double fraction, const std::string& message) const {
        if (callback) callback(fraction, message);
    }
    bool cancelled() const { return cancelFlag && cancelFlag->load(std::memory_order_relaxed); }
    void throwIfCancelled() const {
        if (cancelled()) throw Cancelled();
    }
};

}  // namespace latentlens
