"""The one error type of data building: a user-facing message naming the key or file at fault."""


class DataError(ValueError):
    pass
