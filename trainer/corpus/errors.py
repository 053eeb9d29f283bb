"""The one error type of data building: a user-facing message naming the key or file at fault."""

from ..errors import UserError


class DataError(UserError, ValueError):
    pass
