// placeholder, replaced by the first real view
