// Placeholder: filled in by the change that implements task_adapter.
