"""Human review of a video's first and last frames, with an append-only history."""
