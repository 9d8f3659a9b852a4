// lnscope-cli report: the conversion report as PDF or HTML. Drawing it needs Qt (the report's
// charts are the workbench's views), which lnscope-cli must not link (DESIGN.md: one dependency
// rule), so this command checks the arguments and runs `lnscope-export report` built next to
// lnscope-cli, passing the arguments on and returning its exit code.

#include "cli_common.h"

#include "lnscope/core/error.h"

#include "sibling_exec.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace lnscope::app {

namespace {

namespace fs = std::filesystem;

const char* const kUsage = R"(usage: lnscope-cli report --out FILE.pdf|FILE.html
                         (--session FILE | --demo | --model M [--adapter A]
                          [--stereo-model M --stereo-adapter A] --data DIR)
                         [--config FILE] [--calib-frames N] [--frames N] [--centroid-layers N]
                         [--threads N]

Converts the models as the workbench does (BN folding, cluster compression, LNS8 weights and
activations, calibrated on the first frames of the dataset), evaluates float and converted on
every frame of the dataset, and writes the conversion report:
  - the models (file, SHA-256, inputs, outputs, operators, parameters) and the conversion settings;
  - the stored bytes of every stage with every term named (kernel indices, per-kernel scales,
    codebook LUTs, uncompressed weights, biases, batch-norm parameters), the compression ratio and
    what it counts, and the memory charts per layer;
  - float vs converted metrics as `lnscope-cli evaluate` prints them: mIoU with per-class IoU and
    deltas, pixel agreement; KITTI Car BEV / 3-D AP|R40 by difficulty; the output SQNR;
  - the per-layer SQNR of each stage (chart and table) and the first diverging layer;
  - the frames where float and converted disagree most, with their difference maps (segmentation)
    or bird's-eye views (stereo 3-D);
  - the centroid plots of the most compressed layers; the tool version and the date.
A PDF is A4 with vector charts and page numbers; an HTML file is self-contained (images embedded).
The file is written atomically: an interrupted run leaves no partial report.

options:
  --out FILE             the report: .pdf or .html (the folder must exist)
  --session FILE         a saved workbench session (models, adapters, dataset, settings)
  --demo                 the bundled demo models on datasets/synthdrive/val
  --model M              a segmentation (or any) ONNX model ...
  --adapter A            ... and its task adapter (default: dense)
  --stereo-model M       a stereo 3-D model ...
  --stereo-adapter A     ... and its task adapter
  --data DIR             the dataset (with --model / --stereo-model; KITTI layout)
  --config FILE          conversion settings (JSON, as `convert --config`); default: BN folding +
                         per-layer K = 64 + LNS8 Q4.3 + refinement
  --calib-frames N       calibration frames from the dataset (default 4)
  --frames N             disagreeing frames shown per model, 0 to 50 (default 3)
  --centroid-layers N    centroid plots per model, 0 to 50 (default 3)
  --threads N            worker threads (default 2)
  -h, --help             show this help

Runs the lnscope-export executable next to lnscope-cli (offscreen when there is no display).
)";

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

void checkArguments(const std::vector<std::string>& args)
{
    const std::vector<OptionSpec> specs = {
        {"--out", "", true},          {"--session", "", true},        {"--demo", "", false},
        {"--model", "", true},        {"--adapter", "", true},        {"--stereo-model", "", true},
        {"--stereo-adapter", "", true}, {"--data", "", true},         {"--config", "", true},
        {"--calib-frames", "", true}, {"--frames", "", true},         {"--centroid-layers", "", true},
        {"--threads", "", true}};
    const ParsedArgs parsed = parseArgs(args, specs);
    if (!parsed.positionals().empty())
        throw UsageError("unexpected argument '" + parsed.positionals().front() + "'");
    if (!parsed.has("--out") || parsed.value("--out")->empty())
        throw UsageError("missing --out FILE.pdf|FILE.html");
    const fs::path out = *parsed.value("--out");
    const std::string ext = lower(out.extension().string());
    if (ext != ".pdf" && ext != ".html" && ext != ".htm")
        throw UsageError("--out: the report name must end in .pdf or .html, got '" + out.string() + "'");
    const bool model = parsed.has("--model") || parsed.has("--stereo-model");
    const int sources = int(parsed.has("--session")) + int(parsed.has("--demo")) + int(model);
    if (sources == 0)
        throw UsageError("expected --session FILE, --demo, or --model M (and/or --stereo-model M) with --data DIR");
    if (sources > 1)
        throw UsageError("--session, --demo and --model/--stereo-model exclude each other");
    if (parsed.has("--adapter") && !parsed.has("--model"))
        throw UsageError("--adapter needs --model");
    if (parsed.has("--stereo-adapter") && !parsed.has("--stereo-model"))
        throw UsageError("--stereo-adapter needs --stereo-model");
    if (model && !parsed.has("--data"))
        throw UsageError("--data DIR is required with --model / --stereo-model (the conversion calibrates on it)");
    if (!model && parsed.has("--data"))
        throw UsageError("--data goes with --model / --stereo-model (a session and the demo name their dataset)");
    parsed.intValue("--calib-frames", 4, 1, 10000);
    parsed.intValue("--frames", 3, 0, 50);
    parsed.intValue("--centroid-layers", 3, 0, 50);
    parsed.intValue("--threads", 2, 1, 256);
    // Bad input, not usage: refuse before the conversion runs for minutes.
    const fs::path folder = out.parent_path().empty() ? fs::path(".") : out.parent_path();
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        throw core::IoError(out.string() + ": cannot write the report: " + folder.string()
                            + (fs::exists(folder, ec) ? " is not a folder" : " does not exist"));
    if (fs::is_directory(out, ec))
        throw core::IoError(out.string() + ": is a folder");
}

int runReport(const std::vector<std::string>& args)
{
    checkArguments(args);
    std::vector<std::string> forwarded{"report"};
    forwarded.insert(forwarded.end(), args.begin(), args.end());
    return runSibling(siblingExecutable("lnscope-export", "the report and video writer"), forwarded);
}

} // namespace

const Command kReportCommand{"report", "write the conversion report (PDF or HTML)", kUsage, &runReport};

} // namespace lnscope::app
