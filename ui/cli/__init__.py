"""The ``jbp`` command line. Headless commands never import Qt.

Each group of subcommands lives in a module listed in :data:`COMMAND_MODULES` with a
``register(subparsers)`` function that adds its parsers and sets ``func`` (taking the parsed
arguments and returning an exit code). A user mistake raises :class:`jbp.errors.JbpError`
(or ``OSError``); it is printed on stderr without a traceback and the exit code is 2. An
SQLite error of the workspace file (busy in another process, read-only, disk full) is told the
same way, naming the file. Anything else is a bug of ours: it is reported in one line as an
internal error (exit 70) and its traceback is printed only when ``JBP_DEBUG`` is set.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

COMMAND_MODULES = [
    "ui.cli.workspace",
    "ui.cli.actuals",
    "ui.cli.simulate",
    "ui.cli.export",
    "ui.cli.backtest",
    "ui.cli.program",   # jbp new, jbp program (issue 11)
    "ui.cli.partners",  # jbp partners (issue 11)
]


def build_parser() -> argparse.ArgumentParser:
    from jbp import __version__

    parser = argparse.ArgumentParser(
        prog="jbp",
        description="JBP Studio: joint business plans and partner-program simulation. "
        "With no command, starts the desktop app on the last used workspace "
        "(or a demo workspace on first start).",
    )
    parser.add_argument("--version", action="version", version=f"JBP Studio {__version__}")
    parser.add_argument("--workspace", help="open this workspace in the desktop app")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _has_display() -> bool:
    """Whether Qt can open a window: on Linux it needs X11 or Wayland unless a platform
    plugin such as ``offscreen`` is chosen; other systems always have a screen."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        if not _has_display():
            print("jbp: no display to show the app on (DISPLAY and WAYLAND_DISPLAY are not "
                  "set). Run it in a desktop session or under Xvfb; the command-line tools "
                  "work without one (jbp --help).", file=sys.stderr)
            return 2
        from ui.app import run_app  # Qt is imported here and nowhere earlier

        return run_app(args.workspace)
    from jbp import store

    def notice(path, text: str) -> None:
        print(f"jbp {args.command}: {path}: {text}", file=sys.stderr)

    store.NOTICE_HANDLERS.append(notice)
    try:
        return _run(args)
    finally:
        store.NOTICE_HANDLERS.remove(notice)


def _workspace_of(args: argparse.Namespace):
    """The workspace file a command works on (for messages about the file itself)."""
    return getattr(args, "workspace", None) or getattr(args, "path", None) or "workspace"


def _run(args: argparse.Namespace) -> int:
    import sqlite3

    from jbp.errors import JbpError, WorkspaceError
    from jbp.store import translate_error

    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        # The reader went away (``jbp scorecard WS | head``): not an error of ours.
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0
    except JbpError as exc:
        print(f"jbp {args.command}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"jbp {args.command}: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except sqlite3.Error as exc:
        path = _workspace_of(args)
        err = translate_error(path, exc) or WorkspaceError(
            path, f"cannot be used ({exc}); nothing was changed")
        print(f"jbp {args.command}: {err}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"jbp {args.command}: ran out of memory; nothing was changed (is a size or "
              "count far larger than intended?)", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"jbp {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug of ours: one line, never a traceback, unless asked
        if os.environ.get("JBP_DEBUG"):
            raise
        print(f"jbp {args.command}: internal error ({type(exc).__name__}: {exc}); nothing "
              "was saved half-way. Please report it; JBP_DEBUG=1 shows the details.",
              file=sys.stderr)
        return 70

