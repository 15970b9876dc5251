"""Talking to external Go engines over GTP (GNU Go): a small client and the GNU Go command line.

    with GtpClient(gnugo_command(level=10, size=9, komi=7.5, seed=3)) as engine:
        engine.send("play b E5")
        reply = engine.send("genmove w")        # e.g. "D4", "pass" or "resign"

GNU Go runs with the flags that make its games score the way pgx scores them (../shared notes
go_eval.md §1.1, §2): Chinese (area) rules, dead stones captured before it passes
(`--capture-all-dead`, so Tromp-Taylor and its own dead-stone-aware count agree), positional
superko, and an explicit `--seed` per game (its default seed is the clock in whole seconds, so
processes started together would play identical games).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


class EngineError(RuntimeError):
    """The engine answered `? ...`, died, or said something that is not GTP."""


def gnugo_binary() -> str | None:
    """Path of GNU Go (Debian puts it in /usr/games, often not on PATH), or None."""
    found = shutil.which("gnugo")
    if found:
        return found
    debian = Path("/usr/games/gnugo")
    return str(debian) if debian.exists() else None


def gnugo_command(level: int, size: int, komi: float, seed: int) -> list[str]:
    binary = gnugo_binary()
    if binary is None:
        raise EngineError("GNU Go is not installed (Debian/Ubuntu: apt-get install gnugo)")
    return [
        binary,
        "--mode", "gtp",
        "--level", str(level),
        "--boardsize", str(size),
        "--komi", str(komi),
        "--chinese-rules",
        "--capture-all-dead",
        "--positional-superko",
        "--seed", str(seed),
    ]  # fmt: skip


class GtpClient:
    """One engine process; `send` writes a command and returns its reply's text (without '= ')."""

    def __init__(self, argv: list[str]):
        self.argv = argv
        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
            env=dict(os.environ),
        )

    def write(self, command: str) -> None:
        """Sends a command without waiting (pair with `read`, to let several engines think)."""
        try:
            self.process.stdin.write(command + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError) as error:
            raise EngineError(f"{self.argv[0]} is gone ({error})") from None

    def read(self) -> str:
        """The next reply: its text for `=`, EngineError for `?` or a dead engine."""
        lines = []
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise EngineError(f"{self.argv[0]} closed its output")
            line = line.rstrip("\r\n")
            if not line and lines:
                break
            if line:
                lines.append(line)
        head, _, rest = lines[0].partition(" ")
        text = "\n".join([rest, *lines[1:]]).strip()
        if head.startswith("?"):
            raise EngineError(f"{self.argv[0]}: {text}")
        if not head.startswith("="):
            raise EngineError(f"{self.argv[0]} replied {lines[0]!r}")
        return text

    def send(self, command: str) -> str:
        self.write(command)
        return self.read()

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.send("quit")
            except EngineError:
                pass
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def __enter__(self) -> GtpClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
