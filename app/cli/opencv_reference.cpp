#include "opencv_reference.h"

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/dnn.hpp>

namespace lnscope::app {

struct OpenCvReference::Private
{
    cv::dnn::Net net;
    std::vector<cv::Mat> blobs;
    std::vector<std::string> inputNames;
    std::vector<cv::String> outputNames;
    std::vector<cv::Mat> results;
};

namespace {

std::string opencvMessage(const cv::Exception& e)
{
    // e.what() repeats file and line of OpenCV's source; the bare message reads better.
    return e.err.empty() ? std::string(e.what()) : e.err;
}

} // namespace

OpenCvReference::OpenCvReference(const std::filesystem::path& model, const std::vector<ModelInput>& inputs,
                                 const std::vector<std::string>& outputNames, int threads)
    : d(std::make_unique<Private>())
{
    // OpenCV logs its own failures to stderr; we report them once, as the reason.
    cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
    cv::setNumThreads(threads);
    for (const ModelInput& in : inputs) {
        if (!in.tensor.isFloat()) {
            m_reason = "input '" + in.name + "' is int64; OpenCV DNN takes float inputs only";
            return;
        }
        std::vector<int> sizes(in.tensor.shape().begin(), in.tensor.shape().end());
        if (sizes.empty())
            sizes.push_back(1);
        cv::Mat blob(static_cast<int>(sizes.size()), sizes.data(), CV_32F);
        std::copy(in.tensor.floats().begin(), in.tensor.floats().end(), blob.ptr<float>());
        d->blobs.push_back(blob);
        d->inputNames.push_back(in.name);
    }
    d->outputNames.assign(outputNames.begin(), outputNames.end());
    try {
        d->net = cv::dnn::readNetFromONNX(model.string());
        if (d->net.empty()) {
            m_reason = "cv::dnn::readNetFromONNX returned an empty network";
            return;
        }
        d->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        d->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    } catch (const cv::Exception& e) {
        m_reason = "cannot load the model: " + opencvMessage(e);
    } catch (const std::exception& e) {
        m_reason = std::string("cannot load the model: ") + e.what();
    }
}

OpenCvReference::~OpenCvReference() = default;

bool OpenCvReference::forward()
{
    if (!available())
        return false;
    try {
        for (size_t i = 0; i < d->blobs.size(); ++i)
            d->net.setInput(d->blobs[i], d->inputNames[i]);
        try {
            d->net.forward(d->results, d->outputNames);
        } catch (const cv::Exception&) {
            // OpenCV names layers after their first output; when a graph output is not such a
            // name, fall back to the network's unconnected outputs (same order in practice).
            d->outputNames = d->net.getUnconnectedOutLayersNames();
            d->net.forward(d->results, d->outputNames);
        }
        return true;
    } catch (const cv::Exception& e) {
        m_reason = "cannot run the model: " + opencvMessage(e);
    } catch (const std::exception& e) {
        m_reason = std::string("cannot run the model: ") + e.what();
    }
    return false;
}

std::vector<core::Tensor> OpenCvReference::outputs() const
{
    std::vector<core::Tensor> out;
    for (const cv::Mat& m : d->results) {
        cv::Mat f;
        m.convertTo(f, CV_32F);
        if (!f.isContinuous())
            f = f.clone();
        core::Shape shape;
        for (int i = 0; i < f.dims; ++i)
            shape.push_back(f.size[i]);
        const float* p = f.ptr<float>();
        out.push_back(core::Tensor::fromFloats(shape, std::vector<float>(p, p + f.total())));
    }
    return out;
}

OutputDifference compareOutputs(const std::vector<std::string>& names, const std::vector<core::Tensor>& ours,
                                const std::vector<core::Tensor>& reference)
{
    OutputDifference diff;
    if (reference.size() != ours.size())
        diff.note =
            "OpenCV returned " + std::to_string(reference.size()) + " outputs, we " + std::to_string(ours.size());
    for (size_t i = 0; i < ours.size() && i < reference.size(); ++i) {
        if (ours[i].numel() != reference[i].numel()) {
            if (!diff.note.empty())
                diff.note += "; ";
            diff.note += std::string("output '") + names[i] + "': shapes differ ("
                         + core::shapeToString(ours[i].shape()) + " vs " + core::shapeToString(reference[i].shape())
                         + ")";
            continue;
        }
        for (int64_t k = 0; k < ours[i].numel(); ++k) {
            const double a = ours[i].valueAsDouble(k), b = reference[i].valueAsDouble(k);
            if (std::isnan(a) && std::isnan(b))
                continue;
            const double delta = std::abs(a - b);
            // NaN on one side only is a real difference; make it visible as inf.
            diff.maxAbs = std::max(diff.maxAbs, std::isnan(delta) ? HUGE_VAL : delta);
        }
        diff.elements += ours[i].numel();
    }
    return diff;
}

} // namespace lnscope::app
