"""Channel models, physics only: field response (2-D MA regions), MIMO / multi-link channels with position gradients, path parameters, Rician ULA, near-field XL-MA, self-interference."""
from . import field_response, mimo, paths  # noqa: F401
