// Placeholder: filled in by the change that implements det_metrics.
