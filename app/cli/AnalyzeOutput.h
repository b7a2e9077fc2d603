#pragma once

// What `latentlens-cli analyze` writes: CSV tables, PNG plots and a report.md per analysis.

#include <filesystem>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/analysis/CoarseToFine.h"
#include "core/analysis/Curvedness.h"
#include "core/analysis/PromptSimilarity.h"
#include "core/analysis/SampleSimilarity.h"
#include "core/analysis/TextDependence.h"
#include "core/analysis/TimestepSimilarity.h"

namespace latentlens::cli {

// A CSV file: a header row and rows of cells, written at once (numbers with 8 significant digits).
class CsvTable {
public:
    explicit CsvTable(std::vector<std::string> header) : header_(std::move(header)) {}
    void add(const std::vector<std::string>& row);
    void write(const std::filesystem::path& path) const;

private:
    std::vector<std::string> header_;
    std::vector<std::vector<std::string>> rows_;
};
std::string cell(double value);
std::string cell(int64_t value);
// A text cell, quoted (RFC 4180) when it holds a comma, a quote or a line break.
std::string textCell(const std::string& text);

// A Markdown report: a title, paragraphs, tables and embedded images (relative paths).
class MarkdownReport {
public:
    explicit MarkdownReport(const std::string& title);
    void paragraph(const std::string& text);
    void table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);
    void image(const std::string& file, const std::string& caption);
    void write(const std::filesystem::path& path) const;

private:
    std::string text_;
};

// Each analysis's CSV tables, PNG plots and report.md (embedding the plots) into `folder`, which
// must exist. `context` is a line on model and parameters, put at the top of the report.
void writeCoarseToFine(const std::filesystem::path& folder, const CoarseToFine& result, const std::string& context);
void writeSampleSimilarity(const std::filesystem::path& folder, const SampleSimilarity& result, const std::string& context);
void writeTimestepSimilarity(const std::filesystem::path& folder, const TimestepSimilarity& result,
                             const std::string& context);
void writeCurvedness(const std::filesystem::path& folder, const CurvednessSweep& result, const std::string& context);
void writeComparison(const std::filesystem::path& folder, const std::vector<SampleSimilarity>& results,
                     const std::vector<int64_t>& trainTimesteps, const std::string& context);
void writePromptSimilarity(const std::filesystem::path& folder, const PromptSimilarity& result,
                           const std::string& context, const std::string& referencePrompt);
void writeTextDependence(const std::filesystem::path& folder, const TextDependence& result, const std::string& context);

}  // namespace latentlens::cli
