"""Exception hierarchy of matoolbox."""


class MatoolboxError(Exception):
    """Base class of every matoolbox error."""


class InvalidProblemError(MatoolboxError, ValueError):
    """A problem or option field holds an invalid value; the message names field and value."""


class InfeasibleError(MatoolboxError):
    """Raised only where a caller explicitly asks for it; solvers return ``exitflag=-2`` instead."""


class SolverFailedError(MatoolboxError):
    """Every convex solver in the fallback chain failed; ``attempts`` lists what was tried."""

    def __init__(self, message, attempts=None):
        super().__init__(message)
        self.attempts = list(attempts or [])
