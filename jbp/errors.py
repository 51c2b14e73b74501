"""Errors the domain raises; each names what is wrong and why, in the user's words."""

from __future__ import annotations


class JbpError(Exception):
    """Base of every error the domain raises on purpose."""


class ValidationError(JbpError, ValueError):
    """A value was refused. ``field`` is the user-facing field name, ``reason`` why."""

    def __init__(self, field: str, reason: str, *, element: str = "", value: object = None):
        self.field = field
        self.reason = reason
        self.element = element
        self.value = value
        where = f"{element} {field}" if element else field
        super().__init__(f"{where}: {reason}")


class WorkspaceError(JbpError):
    """A workspace file cannot be used. The message names the file and the reason."""

    def __init__(self, path: object, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class StaleWriteError(JbpError):
    """Someone else changed the element since this session last read it."""


class TransitionError(JbpError):
    """A plan status change the agreement rules do not allow."""


class WorkspaceBusyError(WorkspaceError):
    """Another process (a second app window or a command) holds the workspace's write lock
    for longer than we wait; nothing was changed and the action can be tried again."""
