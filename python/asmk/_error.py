"""asmk.Error: a failed asmk call or a refused argument."""


class Error(Exception):
    """An asmk status other than success.

    status  -- the status' name, e.g. "ASMK_ERROR_UNSUPPORTED_SHAPE" (asmk_status_string)
    code    -- its value in asmk.h
    message -- asmk_last_error()'s text (or the binding's own check), naming what was asked
    """

    def __init__(self, status, code, message):
        super().__init__(f"{status}: {message}")
        self.status = status
        self.code = code
        self.message = message
