#include <spdlog/spdlog.h>

int main() {
    spdlog::info("latentlens-cli");
    return 0;
}
