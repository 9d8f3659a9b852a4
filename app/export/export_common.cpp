#include "export_common.h"

#include "lnscope/core/session.h"

#include <QEventLoop>

#include <cstdio>

namespace lnscope::app {

namespace fs = std::filesystem;

const char* const kExportSourceUsage =
    "source (one of):\n"
    "  --session FILE          a saved workbench session (models, adapters, dataset, settings)\n"
    "  --model M [--adapter A] a segmentation model and its adapter file, and/or\n"
    "  --stereo-model M --stereo-adapter A   a stereo 3-D model and its adapter file\n"
    "  --demo                  the bundled demo models on datasets/synthdrive/val\n"
    "  --data DIR              the dataset (with --model / --stereo-model)\n"
    "  --config FILE           conversion settings (JSON, as lnscope-cli convert --config);\n"
    "                          default: BNF + per-layer K = 64 + LNS8 Q4.3 + refinement\n"
    "  --calib-frames N        calibration frames from the dataset (default 4)\n"
    "  --threads N             worker threads (default 2)\n";

std::optional<QString> ExportArgs::value(const QString& flag)
{
    for (int i = 0; i < m_args.size(); ++i) {
        const QString& a = m_args[i];
        if (a == flag) {
            if (i + 1 >= m_args.size() || m_args[i + 1].startsWith(QLatin1String("--")))
                throw ExportUsageError(flag.toStdString() + " needs a value");
            const QString v = m_args[i + 1];
            m_args.remove(i, 2);
            return v;
        }
        if (a.startsWith(flag + QLatin1Char('='))) {
            const QString v = a.mid(flag.size() + 1);
            m_args.removeAt(i);
            return v;
        }
    }
    return std::nullopt;
}

bool ExportArgs::has(const QString& flag)
{
    return m_args.removeAll(flag) > 0;
}

int ExportArgs::intValue(const QString& flag, int fallback, int min, int max)
{
    const std::optional<QString> v = value(flag);
    if (!v)
        return fallback;
    bool ok = false;
    const int n = v->toInt(&ok);
    if (!ok || n < min || n > max)
        throw ExportUsageError(flag.toStdString() + ": expected a whole number in " + std::to_string(min) + ".."
                               + std::to_string(max) + ", got '" + v->toStdString() + "'");
    return n;
}

double ExportArgs::doubleValue(const QString& flag, double fallback, double min, double max)
{
    const std::optional<QString> v = value(flag);
    if (!v)
        return fallback;
    bool ok = false;
    const double x = v->toDouble(&ok);
    if (!ok || !(x >= min && x <= max))
        throw ExportUsageError(flag.toStdString() + ": expected a number in " + QString::number(min).toStdString() + ".."
                               + QString::number(max).toStdString() + ", got '" + v->toStdString() + "'");
    return x;
}

void ExportArgs::finish() const
{
    if (!m_args.isEmpty())
        throw ExportUsageError("unexpected argument '" + m_args.front().toStdString() + "'");
}

namespace {

fs::path toPath(const QString& s)
{
    return fs::path(s.toStdString());
}

/// Runs the workbench's queue to the end, printing each job's start and failures on stderr.
void runJobs(Workbench& workbench)
{
    QEventLoop loop;
    bool failed = false;
    QString why;
    auto* runner = workbench.runner();
    const auto c1 = QObject::connect(runner, &widgets::JobRunner::started, &loop, [](int, const QString& label) {
        std::fprintf(stderr, "%s...\n", qPrintable(label));
    });
    const auto c2 = QObject::connect(runner, &widgets::JobRunner::failed, &loop, [&](int, const QString& message) {
        failed = true;
        why = message;
    });
    const auto c3 = QObject::connect(&workbench, &Workbench::jobsFinished, &loop, &QEventLoop::quit);
    workbench.convertAll();
    if (workbench.busy())
        loop.exec();
    QObject::disconnect(c1);
    QObject::disconnect(c2);
    QObject::disconnect(c3);
    if (failed)
        throw core::FormatError(why.toStdString()); // the job's message names the file and the reason
}

} // namespace

ExportInput prepareExport(ExportArgs& args, Workbench& workbench)
{
    const std::optional<QString> session = args.value(QStringLiteral("--session"));
    const std::optional<QString> model = args.value(QStringLiteral("--model"));
    const std::optional<QString> adapter = args.value(QStringLiteral("--adapter"));
    const std::optional<QString> stereoModel = args.value(QStringLiteral("--stereo-model"));
    const std::optional<QString> stereoAdapter = args.value(QStringLiteral("--stereo-adapter"));
    const std::optional<QString> data = args.value(QStringLiteral("--data"));
    const std::optional<QString> config = args.value(QStringLiteral("--config"));
    const bool demo = args.has(QStringLiteral("--demo"));
    const std::optional<QString> calibFrames = args.value(QStringLiteral("--calib-frames"));
    const int threads = args.intValue(QStringLiteral("--threads"), 2, 1, 256);

    const int sources = int(session.has_value()) + int(demo) + int(model.has_value() || stereoModel.has_value());
    if (sources == 0)
        throw ExportUsageError("expected --session FILE, --model M (and/or --stereo-model M) or --demo");
    if (sources > 1)
        throw ExportUsageError("--session, --demo and --model/--stereo-model exclude each other");
    if (adapter && !model)
        throw ExportUsageError("--adapter needs --model");
    if (stereoAdapter && !stereoModel)
        throw ExportUsageError("--stereo-adapter needs --stereo-model");
    if (data && !(model || stereoModel))
        throw ExportUsageError("--data goes with --model / --stereo-model (a session and the demo name their dataset)");

    if (session) {
        workbench.applySession(core::readSession(toPath(*session)));
    } else if (demo) {
        workbench.openDemo(fs::path(LNSCOPE_DEFAULT_DATASETS_DIR));
    } else {
        if (model)
            workbench.openModel(Workbench::Segmentation, toPath(*model), adapter ? toPath(*adapter) : fs::path());
        if (stereoModel)
            workbench.openModel(Workbench::Stereo, toPath(*stereoModel), stereoAdapter ? toPath(*stereoAdapter) : fs::path());
        if (!data)
            throw ExportUsageError("--data DIR is required: the conversion calibrates on the dataset's frames");
        workbench.openDataset(toPath(*data));
    }
    if (config) {
        workbench.config() = core::readConversionConfig(toPath(*config));
        // The window only notes per-layer K that fits no open model; a batch export refuses it.
        const QStringList unused = workbench.unusedLayerOverrides();
        if (!unused.isEmpty())
            throw core::FormatError(config->toStdString() + ": config key 'clustersPerLayer': "
                                    + unused.join(", ").toStdString()
                                    + " is not a cluster-compressed Conv of the open model(s)");
    }
    if (calibFrames) {
        bool ok = false;
        const int n = calibFrames->toInt(&ok);
        if (!ok || n < 1 || n > 10000)
            throw ExportUsageError("--calib-frames: expected a whole number in 1..10000, got '" + calibFrames->toStdString() + "'");
        workbench.setCalibrationFrames(n);
    }
    workbench.config().threads = threads;
    runJobs(workbench);
    return workbench.exportInput();
}

} // namespace lnscope::app
