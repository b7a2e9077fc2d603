#pragma once

#include <stdexcept>
#include <string>

namespace latentlens {

// The one exception type the library throws for bad input (files, configs, arguments).
// The message is meant for a person: it names the file, key or option at fault.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace latentlens
