// Placeholder: filled in by the change that implements seg_metrics.
