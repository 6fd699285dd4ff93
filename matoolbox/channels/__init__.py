"""Channel models: field response (2-D MA regions), Rician ULA, near-field XL-MA."""
from . import field_response  # noqa: F401
