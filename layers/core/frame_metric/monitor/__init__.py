"""Scenario performance monitoring: the metric catalog, profiles, scenario scripts and tasks."""
