#include "lnscope/core/tensor_io.h"

#include "lnscope/core/error.h"
#include "lnscope/core/file_io.h"
#include "onnx_proto.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace lnscope::core {

namespace fs = std::filesystem;

Tensor readTensorPb(const fs::path& path)
{
    // Protobuf cannot parse a message of 2 GiB or more.
    const std::string bytes = readWholeFile(path, (uint64_t(1) << 31) - 1, "an ONNX TensorProto");
    if (bytes.empty())
        throw FormatError(path.string() + ": the file is empty");
    onnx::TensorProto proto;
    if (!proto.ParseFromString(bytes))
        throw FormatError(path.string() + ": not a serialized ONNX TensorProto");
    if (proto.data_type() == onnx::TensorProto::UNDEFINED)
        throw FormatError(path.string() + ": not a serialized ONNX TensorProto (no data type)");
    return detail::tensorFromProto(proto, path.string(), path.parent_path(), int64_t(4) << 30);
}

void writeTensorPb(const Tensor& tensor, const fs::path& path, const std::string& name)
{
    onnx::TensorProto proto;
    detail::tensorToProto(tensor, proto);
    if (!name.empty())
        proto.set_name(name);
    std::string bytes;
    if (!proto.SerializeToString(&bytes))
        throw IoError(path.string() + ": write failed");
    writeFileAtomically(path, bytes);
}

Tensor readImageTensor(const fs::path& path, const ImageToTensorOptions& options)
{
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw IoError(path.string() + ": no such file");
    cv::Mat img = cv::imread(path.string(), cv::IMREAD_COLOR);
    if (img.empty())
        throw FormatError(path.string() + ": not a readable image (unknown format or corrupt data)");
    if (options.width > 0 && options.height > 0 && (img.cols != options.width || img.rows != options.height))
        cv::resize(img, img, cv::Size(options.width, options.height), 0, 0, cv::INTER_AREA);
    const int64_t h = img.rows, w = img.cols;
    Tensor t(DType::Float32, {1, 3, h, w});
    float* out = t.f();
    for (int64_t y = 0; y < h; ++y) {
        const cv::Vec3b* row = img.ptr<cv::Vec3b>(static_cast<int>(y));
        for (int64_t x = 0; x < w; ++x) {
            for (int c = 0; c < 3; ++c) {
                const int src = options.rgb ? 2 - c : c; // OpenCV stores BGR
                const float v = row[x][src] / 255.f;
                out[(c * h + y) * w + x] = (v - options.mean[c]) / options.std[c];
            }
        }
    }
    return t;
}

} // namespace lnscope::core
