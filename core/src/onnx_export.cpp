// Placeholder: filled in by the change that implements onnx_export.
