"""Channel models, physics only: field response (2-D MA regions), Rician ULA, near-field XL-MA, self-interference."""
from . import field_response  # noqa: F401
