"""Timing tasks: groups of videos with statistics, export to Excel/CSV."""
