#pragma once
// OpenCV DNN as an independent float reference for `bench` (DESIGN.md: a reference, never the
// front end). Every OpenCV failure is turned into a reason string, never an exception, so that
// bench can still report our own timings.

#include "cli_common.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace lnscope::app {

class OpenCvReference
{
public:
    /// Loads the model with cv::dnn::readNetFromONNX on the OpenCV backend and CPU target and
    /// sets OpenCV's thread count. Check available() / reason() afterwards.
    OpenCvReference(const std::filesystem::path& model, const std::vector<ModelInput>& inputs,
                    const std::vector<std::string>& outputNames, int threads);
    ~OpenCvReference();

    bool available() const { return m_reason.empty(); }
    /// Why OpenCV cannot be used ("" when available).
    const std::string& reason() const { return m_reason; }

    /// One forward pass; returns false (and sets reason()) when OpenCV throws.
    bool forward();
    /// The outputs of the last forward(), as our tensors, in the order of `outputNames`.
    std::vector<core::Tensor> outputs() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
    std::string m_reason;
};

struct OutputDifference
{
    double maxAbs = 0.0;
    int64_t elements = 0;
    std::string note; ///< e.g. "output 'y': shapes differ" — "" when every output was compared
};

/// Max |ours − reference| over all outputs of equal element count (OpenCV sometimes drops
/// unit dims, so equal counts are compared flat).
OutputDifference compareOutputs(const std::vector<std::string>& names, const std::vector<core::Tensor>& ours,
                                const std::vector<core::Tensor>& reference);

} // namespace lnscope::app
