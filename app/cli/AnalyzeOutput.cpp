#include "app/cli/AnalyzeOutput.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <tuple>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/analysis/Correlation.h"
#include "io/DirectionSheet.h"
#include "io/FrameExport.h"
#include "io/PlotFile.h"

namespace latentlens::cli {
namespace fs = std::filesystem;
namespace {

std::string fixed(double value, int digits = 3) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.*f", digits, value);
    return text;
}

std::vector<double> values(const torch::Tensor& tensor) {
    auto flat = tensor.to(torch::kCPU, torch::kFloat64).contiguous().flatten();
    return std::vector<double>(flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel());
}

std::vector<double> asDoubles(const std::vector<int64_t>& numbers) { return {numbers.begin(), numbers.end()}; }

std::vector<std::string> timestepLabels(const std::vector<int64_t>& timesteps) {
    std::vector<std::string> labels;
    for (auto t : timesteps) labels.push_back(std::to_string(t));
    return labels;
}

// Rows (T) of a matrix, each divided by its sum (spectra as distributions over frequency).
torch::Tensor rowNormalised(const torch::Tensor& m) { return m / m.sum(1, true).clamp_min(1e-300); }

}  // namespace

std::string cell(double value) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.8g", value);
    return text;
}
std::string cell(int64_t value) { return std::to_string(value); }

std::string textCell(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

void CsvTable::add(const std::vector<std::string>& row) {
    if (row.size() != header_.size()) throw Error("internal: CSV row of " + std::to_string(row.size()) + " cells");
    rows_.push_back(row);
}

void CsvTable::write(const fs::path& path) const {
    std::ofstream out(path);
    auto line = [&](const std::vector<std::string>& cells) {
        for (size_t i = 0; i < cells.size(); ++i) out << (i ? "," : "") << cells[i];
        out << '\n';
    };
    line(header_);
    for (const auto& row : rows_) line(row);
    out.close();
    if (!out) throw Error(path.string() + ": cannot write CSV");
    spdlog::info("wrote {}", path.string());
}

MarkdownReport::MarkdownReport(const std::string& title) { text_ = "# " + title + "\n\n"; }
void MarkdownReport::paragraph(const std::string& text) { text_ += text + "\n\n"; }
void MarkdownReport::table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
    auto line = [&](const std::vector<std::string>& cells) {
        text_ += "|";
        for (const auto& c : cells) text_ += " " + c + " |";
        text_ += "\n";
    };
    line(header);
    text_ += "|";
    for (size_t i = 0; i < header.size(); ++i) text_ += " ---: |";
    text_ += "\n";
    for (const auto& row : rows) line(row);
    text_ += "\n";
}
void MarkdownReport::image(const std::string& file, const std::string& caption) {
    text_ += "![" + caption + "](" + file + ")\n\n*" + caption + "*\n\n";
}
void MarkdownReport::write(const fs::path& path) const {
    std::ofstream out(path);
    out << text_;
    out.close();
    if (!out) throw Error(path.string() + ": cannot write the report");
    spdlog::info("wrote {}", path.string());
}

void writeCoarseToFine(const fs::path& folder, const CoarseToFine& result, const std::string& context) {
    const auto T = static_cast<int64_t>(result.timesteps.size());
    const int64_t k = result.meanFrequency.size(1), bins = result.spectra.size(2);
    std::vector<std::string> header{"t", "mean_frequency"};
    for (int64_t i = 0; i < k; ++i) header.push_back("frequency_v" + std::to_string(i + 1));
    for (int64_t i = 0; i < k; ++i) header.push_back("sigma_" + std::to_string(i + 1));
    CsvTable frequencies(header);
    std::vector<std::string> spectrumHeader{"t", "direction"};
    for (int64_t r = 0; r < bins; ++r) spectrumHeader.push_back("power_r" + std::to_string(r));
    CsvTable spectra(spectrumHeader);
    for (int64_t t = 0; t < T; ++t) {
        std::vector<std::string> row{cell(result.timesteps[t]), cell(result.averageFrequency[t].item<double>())};
        for (int64_t i = 0; i < k; ++i) row.push_back(cell(result.meanFrequency[t][i].item<double>()));
        for (int64_t i = 0; i < k; ++i) row.push_back(cell(result.sigma[t][i].item<double>()));
        frequencies.add(row);
        for (int64_t i = 0; i <= k; ++i) {
            std::vector<std::string> spectrumRow{cell(result.timesteps[t]), i < k ? "v" + std::to_string(i + 1) : "mean"};
            auto spectrum = i < k ? result.spectra[t][i] : result.meanSpectrum[t];
            for (int64_t r = 0; r < bins; ++r) spectrumRow.push_back(cell(spectrum[r].item<double>()));
            spectra.add(spectrumRow);
        }
    }
    frequencies.write(folder / "frequency.csv");
    spectra.write(folder / "spectrum.csv");

    const auto ts = asDoubles(result.timesteps);
    LinePlot plot;
    plot.title = "Coarse-to-fine: mean frequency of the latent basis";
    plot.xLabel = "timestep t (generation runs left to right)";
    plot.yLabel = "mean frequency (cycles / image)";
    plot.reverseX = true;
    plot.series.push_back({"mean over v_1..v_" + std::to_string(k), ts, values(result.averageFrequency)});
    plot.series.push_back({"v_1", ts, values(result.meanFrequency.select(1, 0))});
    writeLinePlot(folder / "mean_frequency.png", plot);

    Heatmap spectrumMap;
    spectrumMap.title = "Radially averaged power of v_1..v_k (each row sums to 1)";
    spectrumMap.colorLabel = "share of power";
    std::vector<std::string> binLabels;
    for (int64_t r = 0; r < bins; ++r) binLabels.push_back(r % 2 == 0 ? std::to_string(r) : "");
    spectrumMap.panels.push_back({"rows: t, columns: frequency (cycles / image)",
                                  rowNormalised(result.meanSpectrum), timestepLabels(result.timesteps), binLabels});
    writeHeatmap(folder / "spectrum.png", spectrumMap);

    std::vector<torch::Tensor> frames;
    std::vector<std::string> labels;
    for (int64_t t = 0; t < T; ++t) {
        frames.push_back(directionPicture(result.firstDirection[t]));
        labels.push_back("t=" + std::to_string(result.timesteps[t]));
    }
    const int upscale = std::max<int>(1, static_cast<int>(96 / result.firstDirection.size(-1)));
    writeStrip(folder / "v1_strip.png", frames, upscale, labels);

    MarkdownReport report("Coarse-to-fine: frequency content of the latent basis over t");
    report.paragraph(context);
    const double r = pearsonCorrelation(ts, values(result.averageFrequency));
    report.paragraph("Mean frequency of v_1..v_" + std::to_string(k) + " (power-weighted |k|, cycles per image): " +
                     fixed(result.averageFrequency[0].item<double>(), 2) + " at t=" +
                     std::to_string(result.timesteps.front()) + ", " +
                     fixed(result.averageFrequency[T - 1].item<double>(), 2) + " at t=" +
                     std::to_string(result.timesteps.back()) + "; Pearson correlation with t: " + fixed(r, 3) +
                     " (negative: frequencies rise as generation proceeds, the paper's coarse-to-fine).");
    std::vector<std::vector<std::string>> rows;
    for (int64_t t = 0; t < T; ++t) {
        rows.push_back({std::to_string(result.timesteps[t]), fixed(result.averageFrequency[t].item<double>(), 2),
                        fixed(result.meanFrequency[t][0].item<double>(), 2), fixed(result.sigma[t][0].item<double>(), 2)});
    }
    report.table({"t", "mean frequency", "frequency of v_1", "sigma_1"}, rows);
    report.image("mean_frequency.png", "Mean frequency of the latent basis against t");
    report.image("spectrum.png", "Radially averaged power spectrum of the basis at each t");
    report.image("v1_strip.png", "v_1 at each t (red positive, blue negative, own scale)");
    report.write(folder / "report.md");
}

void writeSampleSimilarity(const fs::path& folder, const SampleSimilarity& result, const std::string& context) {
    const auto T = static_cast<int64_t>(result.timesteps.size());
    const auto N = static_cast<int64_t>(result.seeds.size());
    const double randomX = static_cast<double>(result.k) / result.xDim, randomH = static_cast<double>(result.k) / result.hDim;
    CsvTable means({"t", "x_similarity", "x_distance", "h_similarity", "h_distance", "x_random_similarity",
                    "h_random_similarity"});
    CsvTable pairs({"t", "seed_a", "seed_b", "x_similarity", "x_distance", "h_similarity", "h_distance"});
    for (int64_t t = 0; t < T; ++t) {
        means.add({cell(result.timesteps[t]), cell(result.meanXSimilarity[t].item<double>()),
                   cell(result.meanXDistance[t].item<double>()), cell(result.meanHSimilarity[t].item<double>()),
                   cell(result.meanHDistance[t].item<double>()), cell(randomX), cell(randomH)});
        for (int64_t i = 0; i < N; ++i) {
            for (int64_t j = i + 1; j < N; ++j) {
                pairs.add({cell(result.timesteps[t]), cell(static_cast<int64_t>(result.seeds[i])),
                           cell(static_cast<int64_t>(result.seeds[j])), cell(result.xSimilarity[t][i][j].item<double>()),
                           cell(result.xDistance[t][i][j].item<double>()), cell(result.hSimilarity[t][i][j].item<double>()),
                           cell(result.hDistance[t][i][j].item<double>())});
            }
        }
    }
    means.write(folder / "similarity.csv");
    pairs.write(folder / "pairs.csv");

    const auto ts = asDoubles(result.timesteps);
    LinePlot similarity;
    similarity.title = "Tangent-space similarity across " + std::to_string(N) + " samples";
    similarity.xLabel = "timestep t (generation runs left to right)";
    similarity.yLabel = "mean squared cosine of principal angles";
    similarity.reverseX = true;
    similarity.yMin = 0.0;
    similarity.series.push_back({"X (v_i)", ts, values(result.meanXSimilarity)});
    similarity.series.push_back({"H (u_i)", ts, values(result.meanHSimilarity)});
    similarity.references.push_back({"random in X: k/D = " + fixed(randomX, 4), randomX});
    writeLinePlot(folder / "similarity.png", similarity);

    LinePlot distance = similarity;
    distance.title = "Grassmannian distance between samples' tangent spaces";
    distance.yLabel = "geodesic distance (rad); max pi/2 sqrt(k) = " + fixed(M_PI / 2 * std::sqrt(double(result.k)), 2);
    distance.series = {{"X (v_i)", ts, values(result.meanXDistance)}, {"H (u_i)", ts, values(result.meanHDistance)}};
    distance.references.clear();
    distance.yMax = M_PI / 2 * std::sqrt(static_cast<double>(result.k));
    writeLinePlot(folder / "distance.png", distance);

    std::vector<std::string> seedLabels;
    for (auto seed : result.seeds) seedLabels.push_back(std::to_string(seed));
    for (auto [space, tensor] : {std::pair<std::string, torch::Tensor>{"x", result.xSimilarity}, {"h", result.hSimilarity}}) {
        Heatmap map;
        map.title = "Pairwise similarity of the samples' subspaces in " + std::string(space == "x" ? "X" : "H") +
                    " (seeds on both axes)";
        map.colorLabel = "mean cos^2";
        map.min = 0.0;
        map.max = 1.0;
        map.columns = 5;
        for (int64_t t = 0; t < T; ++t) {
            map.panels.push_back({"t=" + std::to_string(result.timesteps[t]), tensor[t], seedLabels, seedLabels});
        }
        writeHeatmap(folder / ("heatmaps_" + space + ".png"), map);
    }

    MarkdownReport report("Tangent-space similarity across samples");
    report.paragraph(context);
    report.paragraph("Similarity: mean of cos^2 over the k principal angles between two samples' top-k subspaces (1: "
                     "identical, 0: orthogonal; random k-subspaces of D dimensions average k/D = " + fixed(randomX, 4) +
                     " in X and " + fixed(randomH, 5) + " in H). Distance: geodesic distance on the Grassmannian, "
                     "sqrt(sum theta_i^2), at most pi/2 sqrt(k). Means over the " + std::to_string(N * (N - 1) / 2) +
                     " pairs of samples.");
    std::vector<std::vector<std::string>> rows;
    for (int64_t t = 0; t < T; ++t) {
        rows.push_back({std::to_string(result.timesteps[t]), fixed(result.meanXSimilarity[t].item<double>()),
                        fixed(result.meanXDistance[t].item<double>()), fixed(result.meanHSimilarity[t].item<double>()),
                        fixed(result.meanHDistance[t].item<double>())});
    }
    report.table({"t", "X similarity", "X distance", "H similarity", "H distance"}, rows);
    report.image("similarity.png", "Mean similarity against t");
    report.image("distance.png", "Mean Grassmannian distance against t");
    report.image("heatmaps_x.png", "Pairwise similarity in X at each t");
    report.image("heatmaps_h.png", "Pairwise similarity in H at each t");
    report.write(folder / "report.md");
}

void writeTimestepSimilarity(const fs::path& folder, const TimestepSimilarity& result, const std::string& context) {
    const auto T = static_cast<int64_t>(result.timesteps.size());
    CsvTable table({"t_a", "t_b", "x_similarity", "x_distance", "h_similarity", "h_distance"});
    for (int64_t a = 0; a < T; ++a) {
        for (int64_t b = 0; b < T; ++b) {
            table.add({cell(result.timesteps[a]), cell(result.timesteps[b]), cell(result.xSimilarity[a][b].item<double>()),
                       cell(result.xDistance[a][b].item<double>()), cell(result.hSimilarity[a][b].item<double>()),
                       cell(result.hDistance[a][b].item<double>())});
        }
    }
    table.write(folder / "timesteps.csv");
    const auto labels = timestepLabels(result.timesteps);
    Heatmap map;
    map.title = "Similarity of one sample's subspaces at t_a (rows) and t_b (columns)";
    map.colorLabel = "mean cos^2";
    map.min = 0.0;
    map.max = 1.0;
    map.annotate = true;
    map.columns = 2;
    map.panels.push_back({"in X (v_i)", result.xSimilarity, labels, labels});
    map.panels.push_back({"in H (u_i)", result.hSimilarity, labels, labels});
    writeHeatmap(folder / "timesteps.png", map);

    MarkdownReport report("Tangent-space similarity across timesteps");
    report.paragraph(context);
    std::vector<std::vector<std::string>> rows;
    for (int64_t a = 0; a + 1 < T; ++a) {
        rows.push_back({std::to_string(result.timesteps[a]) + " vs " + std::to_string(result.timesteps[a + 1]),
                        fixed(result.xSimilarity[a][a + 1].item<double>()), fixed(result.hSimilarity[a][a + 1].item<double>())});
    }
    if (T > 1) {
        rows.push_back({std::to_string(result.timesteps.front()) + " vs " + std::to_string(result.timesteps.back()),
                        fixed(result.xSimilarity[0][T - 1].item<double>()), fixed(result.hSimilarity[0][T - 1].item<double>())});
    }
    report.table({"t_a vs t_b", "X similarity", "H similarity"}, rows);
    report.image("timesteps.png", "Similarity between the subspaces at every pair of timesteps");
    report.write(folder / "report.md");
}

void writeCurvedness(const fs::path& folder, const CurvednessSweep& result, const std::string& context) {
    const auto T = static_cast<int64_t>(result.timesteps.size());
    CsvTable table({"t", "curvedness", "turning", "chord", "euclidean_length"});
    CsvTable steps({"t", "s_from", "s_to", "distance"});
    for (int64_t t = 0; t < T; ++t) {
        table.add({cell(result.timesteps[t]), cell(result.curvedness[t].item<double>()), cell(result.turning[t].item<double>()),
                   cell(result.chord[t].item<double>()), cell(result.euclideanLength[t].item<double>())});
        const auto& path = result.paths[t];
        for (int64_t j = 0; j < path.stepDistance.size(0); ++j) {
            steps.add({cell(result.timesteps[t]), cell(path.s[j].item<double>()), cell(path.s[j + 1].item<double>()),
                       cell(path.stepDistance[j].item<double>())});
        }
    }
    table.write(folder / "curvedness.csv");
    steps.write(folder / "steps.csv");
    const auto ts = asDoubles(result.timesteps);
    LinePlot plot;
    plot.title = "Curvedness of X between seeds " + std::to_string(result.seedA) + " and " + std::to_string(result.seedB);
    plot.xLabel = "timestep t (generation runs left to right)";
    plot.yLabel = "turning of the tangent space per unit length (rad)";
    plot.reverseX = true;
    plot.yMin = 0.0;
    plot.series.push_back({"curvedness L / |x_B - x_A|", ts, values(result.curvedness)});
    writeLinePlot(folder / "curvedness.png", plot);
    LinePlot turning = plot;
    turning.title = "Total turning L and chord D of the tangent space along the segment";
    turning.yLabel = "Grassmannian distance (rad)";
    turning.series = {{"turning L", ts, values(result.turning)}, {"chord D", ts, values(result.chord)}};
    writeLinePlot(folder / "turning.png", turning);

    MarkdownReport report("Curvedness of X between two samples");
    report.paragraph(context);
    report.paragraph("Along x(s) = (1 - s) x_A + s x_B, sampled at s_j = j/M: L = sum_j d(T_j, T_j+1) (d: Grassmannian "
                     "geodesic distance between the top-k tangent spaces), curvedness = L / |x_B - x_A|, chord D = "
                     "d(T_0, T_M). A flat space gives 0.");
    std::vector<std::vector<std::string>> rows;
    for (int64_t t = 0; t < T; ++t) {
        rows.push_back({std::to_string(result.timesteps[t]), fixed(result.curvedness[t].item<double>(), 4),
                        fixed(result.turning[t].item<double>()), fixed(result.chord[t].item<double>()),
                        fixed(result.euclideanLength[t].item<double>(), 2)});
    }
    report.table({"t", "curvedness (rad / unit)", "turning L (rad)", "chord D (rad)", "norm of x_B - x_A"}, rows);
    report.image("curvedness.png", "Curvedness against t");
    report.image("turning.png", "Turning and chord against t");
    report.write(folder / "report.md");
}

void writeComparison(const fs::path& folder, const std::vector<SampleSimilarity>& results,
                     const std::vector<int64_t>& trainTimesteps, const std::string& context) {
    CsvTable table({"model", "t", "t_over_T", "x_similarity", "x_distance", "h_similarity", "h_distance",
                    "x_random_similarity"});
    LinePlot x, h;
    x.title = "Similarity across samples in X, by model";
    x.xLabel = "t / T (generation runs left to right)";
    x.yLabel = "mean squared cosine of principal angles";
    x.reverseX = true;
    x.yMin = 0.0;
    h = x;
    h.title = "Similarity across samples in H, by model";
    MarkdownReport report("Dataset comparison: tangent-space similarity across samples");
    report.paragraph(context);
    std::vector<std::vector<std::string>> rows;
    for (size_t m = 0; m < results.size(); ++m) {
        const auto& r = results[m];
        const double randomX = static_cast<double>(r.k) / r.xDim;
        std::vector<double> fractions;
        for (size_t t = 0; t < r.timesteps.size(); ++t) {
            const double fraction = static_cast<double>(r.timesteps[t]) / trainTimesteps[m];
            fractions.push_back(fraction);
            table.add({r.modelName, cell(r.timesteps[t]), cell(fraction), cell(r.meanXSimilarity[t].item<double>()),
                       cell(r.meanXDistance[t].item<double>()), cell(r.meanHSimilarity[t].item<double>()),
                       cell(r.meanHDistance[t].item<double>()), cell(randomX)});
        }
        x.series.push_back({r.modelName, fractions, values(r.meanXSimilarity)});
        h.series.push_back({r.modelName, fractions, values(r.meanHSimilarity)});
        x.references.push_back({r.modelName + " random k/D = " + fixed(randomX, 4), randomX});
        const auto mean = [](const torch::Tensor& v) { return fixed(v.mean().item<double>()); };
        rows.push_back({r.modelName, std::to_string(r.xDim), fixed(randomX, 4), mean(r.meanXSimilarity),
                        fixed(r.meanXSimilarity[0].item<double>()), fixed(r.meanXSimilarity[-1].item<double>()),
                        mean(r.meanHSimilarity)});
    }
    table.write(folder / "compare.csv");
    writeLinePlot(folder / "compare_x.png", x);
    writeLinePlot(folder / "compare_h.png", h);
    report.table({"model", "D (X)", "random k/D", "mean X similarity", "at first t", "at last t", "mean H similarity"}, rows);
    report.image("compare_x.png", "Similarity across samples in X against t/T");
    report.image("compare_h.png", "Similarity across samples in H against t/T");
    report.write(folder / "report.md");
}

namespace {

// "P3" for prompt index 2: plots label prompts by number (their text is in the report).
std::vector<std::string> promptLabels(size_t count) {
    std::vector<std::string> labels;
    for (size_t p = 0; p < count; ++p) labels.push_back("P" + std::to_string(p + 1));
    return labels;
}

// The prompts as a report table (number and text).
void promptTable(MarkdownReport& report, const std::vector<std::string>& prompts) {
    std::vector<std::vector<std::string>> rows;
    for (size_t p = 0; p < prompts.size(); ++p) {
        std::string text = prompts[p];
        for (auto& c : text) {
            if (c == '|') c = '/';
        }
        rows.push_back({"P" + std::to_string(p + 1), text});
    }
    report.table({"prompt", "text"}, rows);
}

}  // namespace

void writePromptSimilarity(const fs::path& folder, const PromptSimilarity& result, const std::string& context,
                           const std::string& referencePrompt) {
    const auto T = static_cast<int64_t>(result.timesteps.size());
    const auto P = static_cast<int64_t>(result.prompts.size());
    const double randomX = static_cast<double>(result.k) / static_cast<double>(result.xDim);
    CsvTable promptList({"prompt", "text"});
    for (int64_t p = 0; p < P; ++p) promptList.add({"P" + std::to_string(p + 1), textCell(result.prompts[p])});
    promptList.write(folder / "prompts.csv");
    CsvTable means({"t", "x_similarity", "x_distance", "h_similarity", "h_distance", "x_text_correlation",
                    "h_text_correlation", "x_random_similarity"});
    CsvTable pairs({"t", "prompt_a", "prompt_b", "text_similarity", "x_similarity", "x_distance", "h_similarity",
                    "h_distance"});
    for (int64_t t = 0; t < T; ++t) {
        means.add({cell(result.timesteps[t]), cell(result.meanXSimilarity[t].item<double>()),
                   cell(result.meanXDistance[t].item<double>()), cell(result.meanHSimilarity[t].item<double>()),
                   cell(result.meanHDistance[t].item<double>()), cell(result.xCorrelation[t].item<double>()),
                   cell(result.hCorrelation[t].item<double>()), cell(randomX)});
        for (int64_t a = 0; a < P; ++a) {
            for (int64_t b = a + 1; b < P; ++b) {
                pairs.add({cell(result.timesteps[t]), "P" + std::to_string(a + 1), "P" + std::to_string(b + 1),
                           cell(result.textSimilarity[a][b].item<double>()), cell(result.xSimilarity[t][a][b].item<double>()),
                           cell(result.xDistance[t][a][b].item<double>()), cell(result.hSimilarity[t][a][b].item<double>()),
                           cell(result.hDistance[t][a][b].item<double>())});
            }
        }
    }
    means.write(folder / "prompt_similarity.csv");
    pairs.write(folder / "prompt_pairs.csv");

    const auto ts = asDoubles(result.timesteps);
    LinePlot similarity;
    similarity.title = "Tangent-space similarity across " + std::to_string(P) + " prompts (same z_t)";
    similarity.xLabel = "timestep t (generation runs left to right)";
    similarity.yLabel = "mean squared cosine of principal angles";
    similarity.reverseX = true;
    similarity.yMin = 0.0;
    similarity.yMax = 1.0;
    similarity.series.push_back({"X (v_i)", ts, values(result.meanXSimilarity)});
    similarity.series.push_back({"H (u_i)", ts, values(result.meanHSimilarity)});
    similarity.references.push_back({"random in X: k/D = " + fixed(randomX, 4), randomX});
    writeLinePlot(folder / "prompt_similarity.png", similarity);

    const auto labels = promptLabels(result.prompts.size());
    for (auto [space, tensor] : {std::pair<std::string, torch::Tensor>{"x", result.xSimilarity}, {"h", result.hSimilarity}}) {
        Heatmap map;
        map.title = "Similarity of the tangent spaces under each pair of prompts in " +
                    std::string(space == "x" ? "X" : "H") + " (mean over seeds; colours span the data)";
        map.colorLabel = "mean cos^2";
        map.columns = 4;
        map.annotate = P <= 10;
        for (int64_t t = 0; t < T; ++t) {
            map.panels.push_back({"t=" + std::to_string(result.timesteps[t]), tensor[t], labels, labels});
        }
        writeHeatmap(folder / ("prompt_heatmaps_" + space + ".png"), map);
    }
    Heatmap text;
    text.title = "Text similarity: cosine of the pooled prompt embeddings";
    text.colorLabel = "cosine";
    text.annotate = P <= 10;
    text.panels.push_back({"prompts", result.textSimilarity, labels, labels});
    writeHeatmap(folder / "text_similarity.png", text);

    std::vector<double> textPairs;
    for (int64_t a = 0; a < P; ++a) {
        for (int64_t b = a + 1; b < P; ++b) textPairs.push_back(result.textSimilarity[a][b].item<double>());
    }
    for (auto [space, tensor, r] : {std::tuple<std::string, torch::Tensor, torch::Tensor>{"x", result.xSimilarity, result.xCorrelation},
                                    {"h", result.hSimilarity, result.hCorrelation}}) {
        LinePlot scatter;
        scatter.title = "Tangent-space similarity in " + std::string(space == "x" ? "X" : "H") +
                        " against text similarity (one point a prompt pair)";
        scatter.xLabel = "text similarity (cosine of pooled embeddings)";
        scatter.yLabel = "mean cos^2 of principal angles";
        for (int64_t t = 0; t < T; ++t) {
            std::vector<double> ys;
            for (int64_t a = 0; a < P; ++a) {
                for (int64_t b = a + 1; b < P; ++b) ys.push_back(tensor[t][a][b].item<double>());
            }
            PlotSeries series{"t=" + std::to_string(result.timesteps[t]) + " (r=" + fixed(r[t].item<double>(), 2) + ")",
                              textPairs, ys};
            series.pointsOnly = true;
            scatter.series.push_back(series);
        }
        writeLinePlot(folder / ("text_scatter_" + space + ".png"), scatter);
    }

    MarkdownReport report("Tangent spaces across prompts");
    report.paragraph(context);
    report.paragraph("At each t, every prompt's tangent space at the same z_t (sampled under the reference prompt \"" +
                     referencePrompt + "\") is compared with every other's: similarity is the mean of cos^2 over the k "
                     "principal angles (1: identical, 0: orthogonal; random k-subspaces of X average k/D = " +
                     fixed(randomX, 4) + "), distance the Grassmannian geodesic distance, both averaged over the " +
                     std::to_string(result.seeds.size()) + " seed(s) and, in the table, over the " +
                     std::to_string(P * (P - 1) / 2) + " prompt pairs. Text similarity is the cosine of the prompts' "
                     "pooled embeddings: the embedding the U-Net reads at the end-of-text token (CLIP's pooled output "
                     "before its projection); r is Pearson's correlation over the prompt pairs between it and the "
                     "tangent-space similarity.");
    promptTable(report, result.prompts);
    std::vector<std::vector<std::string>> rows;
    for (int64_t t = 0; t < T; ++t) {
        rows.push_back({std::to_string(result.timesteps[t]), fixed(result.meanXSimilarity[t].item<double>()),
                        fixed(result.meanXDistance[t].item<double>()), fixed(result.meanHSimilarity[t].item<double>()),
                        fixed(result.xCorrelation[t].item<double>(), 2), fixed(result.hCorrelation[t].item<double>(), 2)});
    }
    report.table({"t", "X similarity", "X distance", "H similarity", "r (X, text)", "r (H, text)"}, rows);
    report.image("prompt_similarity.png", "Mean cross-prompt similarity against t");
    report.image("prompt_heatmaps_x.png", "Prompt x prompt similarity in X at each t");
    report.image("prompt_heatmaps_h.png", "Prompt x prompt similarity in H at each t");
    report.image("text_similarity.png", "Text similarity of the prompts");
    report.image("text_scatter_x.png", "Similarity in X against text similarity, per t");
    report.image("text_scatter_h.png", "Similarity in H against text similarity, per t");
    report.write(folder / "report.md");
}

void writeTextDependence(const fs::path& folder, const TextDependence& result, const std::string& context) {
    const auto T = static_cast<int64_t>(result.timesteps.size());
    const auto P = static_cast<int64_t>(result.prompts.size());
    CsvTable means({"t", "x_distance", "x_similarity", "h_distance", "h_similarity"});
    CsvTable perPrompt({"t", "prompt", "x_distance", "x_similarity", "h_distance", "h_similarity"});
    for (int64_t t = 0; t < T; ++t) {
        means.add({cell(result.timesteps[t]), cell(result.meanXDistance[t].item<double>()),
                   cell(result.meanXSimilarity[t].item<double>()), cell(result.meanHDistance[t].item<double>()),
                   cell(result.meanHSimilarity[t].item<double>())});
        for (int64_t p = 0; p < P; ++p) {
            perPrompt.add({cell(result.timesteps[t]), "P" + std::to_string(p + 1),
                           cell(result.xDistance[t][p].item<double>()), cell(result.xSimilarity[t][p].item<double>()),
                           cell(result.hDistance[t][p].item<double>()), cell(result.hSimilarity[t][p].item<double>())});
        }
    }
    means.write(folder / "text_dependence.csv");
    perPrompt.write(folder / "text_dependence_prompts.csv");

    const auto ts = asDoubles(result.timesteps);
    const double maxDistance = M_PI / 2 * std::sqrt(static_cast<double>(result.k));
    LinePlot distance;
    distance.title = "How much the tangent space depends on the prompt";
    distance.xLabel = "timestep t (generation runs left to right)";
    distance.yLabel = "distance to the empty prompt's (rad; orthogonal: " + fixed(maxDistance, 2) + ")";
    distance.reverseX = true;
    distance.yMin = 0.0;
    distance.series.push_back({"X (v_i)", ts, values(result.meanXDistance)});
    distance.series.push_back({"H (u_i)", ts, values(result.meanHDistance)});
    writeLinePlot(folder / "text_dependence.png", distance);
    LinePlot similarity = distance;
    similarity.title = "Similarity of the tangent spaces with and without the prompt";
    similarity.yLabel = "mean cos^2 of principal angles";
    similarity.yMin.reset();
    similarity.series = {{"X (v_i)", ts, values(result.meanXSimilarity)}, {"H (u_i)", ts, values(result.meanHSimilarity)}};
    writeLinePlot(folder / "text_dependence_similarity.png", similarity);

    MarkdownReport report("Text dependence of the tangent space over t");
    report.paragraph(context);
    report.paragraph("At each t: the Grassmannian geodesic distance (and the mean cos^2 of the principal angles) between "
                     "the top-k tangent space at z_t under the prompt and under the empty prompt, averaged over the " +
                     std::to_string(result.seeds.size()) + " seed(s) and " + std::to_string(P) +
                     " prompt(s). 0 means the prompt does not change the tangent space; pi/2 sqrt(k) = " +
                     fixed(maxDistance, 2) + " means orthogonal.");
    promptTable(report, result.prompts);
    std::vector<std::vector<std::string>> rows;
    for (int64_t t = 0; t < T; ++t) {
        rows.push_back({std::to_string(result.timesteps[t]), fixed(result.meanXDistance[t].item<double>()),
                        fixed(result.meanXSimilarity[t].item<double>()), fixed(result.meanHDistance[t].item<double>()),
                        fixed(result.meanHSimilarity[t].item<double>())});
    }
    report.table({"t", "X distance", "X similarity", "H distance", "H similarity"}, rows);
    report.image("text_dependence.png", "Distance to the empty prompt's tangent space against t");
    report.image("text_dependence_similarity.png", "Similarity to the empty prompt's tangent space against t");
    report.write(folder / "report.md");
}

}  // namespace latentlens::cli
