"""Gradient-based meta-learning (pure NumPy)."""
