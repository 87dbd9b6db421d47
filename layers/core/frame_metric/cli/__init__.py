"""The `frame-metric` command line."""
