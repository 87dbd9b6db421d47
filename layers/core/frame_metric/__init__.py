"""frame-metric: frame-exact response times from screen recordings, and scenario monitoring."""

__version__ = "1.0.0"
