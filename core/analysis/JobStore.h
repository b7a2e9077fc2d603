#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/geometry/PullbackBasis.h"

namespace latentlens {

// The results of a sweep's jobs, one file per job (`<folder>/jobs/<key>.pt`, named tensors in
// LibTorch's archive format, bit for bit what was computed). A file is written under a temporary
// name and renamed into place, so a job is either stored whole or not at all: a shard that was
// stopped half-way and is run again skips exactly the jobs whose file exists. Several processes
// may share one folder (the shards of a sweep on a shared file system) as long as each job has
// one writer.
class JobStore {
public:
    using Values = std::map<std::string, torch::Tensor>;

    // Creates <folder>/jobs if needed; Error naming the folder if that fails.
    explicit JobStore(std::filesystem::path folder);

    const std::filesystem::path& folder() const { return folder_; }
    std::filesystem::path fileOf(const std::string& key) const;

    bool has(const std::string& key) const;
    // Keys: letters, digits, '-', '_' and '.'; anything else is an internal Error.
    void save(const std::string& key, const Values& values) const;
    // Error naming the file when it is missing or unreadable.
    Values load(const std::string& key) const;
    // The keys stored, sorted.
    std::vector<std::string> keys() const;

private:
    std::filesystem::path folder_;
};

// What an analysis needs of a basis, as stored values ("v", "u", "sigma", "timestep", "products",
// "seconds") and back
// (the rest of the record stays default).
JobStore::Values basisValues(const PullbackBasis& basis);
PullbackBasis basisFromValues(const JobStore::Values& values, const std::string& where);

}  // namespace latentlens
