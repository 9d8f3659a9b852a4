// Placeholder: filled in by the change that implements stereo3d_decode.
