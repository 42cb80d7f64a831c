"""Evaluation harnesses: score our stages against real-page corpora read from a path (never shipped)."""
