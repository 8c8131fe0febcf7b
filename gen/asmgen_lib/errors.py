"""Error types. Every message names the file (and where possible the line) it is about."""


class AsmgenError(Exception):
    """Base of every error asmgen reports to the user (never a Python traceback)."""


class SpaceError(AsmgenError):
    """A space.yaml that cannot be used: unknown key, wrong type, bad value, bad expression."""


class TemplateError(AsmgenError):
    """A template that cannot be rendered (syntax error, undefined variable, ...)."""


class ToolchainError(AsmgenError):
    """A missing or failing LLVM tool."""
