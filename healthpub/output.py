"""The output folder as readers and deployers see it: one writer at a time, and every tree in it
(site/, print/, report/) always one whole build, swapped in at once.

    output/.builds/7/site/…      the build before (kept for readers still reading it)
    output/.builds/8/site/…      the current build
    output/.current -> .builds/8 switched atomically (rename of a new symlink over it)
    output/site -> .current/site made once, never changed; likewise print and report

A web server serving output/site/ answers each request from the build before or the build after
the switch, never from neither and never from a half-written one. Files of a build are never
written again: an unchanged file is hard-linked into the next build.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import sys
from pathlib import Path

BUILDS = ".builds"
CURRENT = ".current"


@contextlib.contextmanager
def lock(cache: Path, command: str):
    """One command at a time writes output/, the cache and the catalogs: a second build, or `serve`
    and a build, waits for the first to finish (saying so) instead of mixing their files. The lock
    file names the `command` holding it, for the message."""
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / "lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another command"
            print(f"waiting for {holder} to finish with this project…", file=sys.stderr, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.truncate(0)
        handle.write(f"pid {os.getpid()} ({command})")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def write(path: Path, data: bytes) -> None:
    """Write a file; a failure names it (write() itself says only "No space left on device")."""
    try:
        path.write_bytes(data)
    except OSError as err:
        raise OSError(err.errno, err.strerror, str(path)) from None


def write_atomic(path: Path, data: bytes) -> None:
    """Replace a file whole: a reader, or a write that fails half-way (a full disk), never leaves
    half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(partial, data)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def current(output: Path) -> Path | None:
    """The folder of the build output/ shows now, if any."""
    link = output / CURRENT
    return output / BUILDS / os.readlink(link).rpartition("/")[2] if link.is_symlink() else None


def files(output: Path) -> dict[str, Path]:
    """Every file output/ shows, by its name under output/ (site/en/index.html)."""
    folder = current(output)
    if folder is None or not folder.is_dir():
        return {}
    return {str(path.relative_to(folder)): path for path in folder.rglob("*") if path.is_file()}


def listing(output: Path) -> list[list]:
    """Every file output/ shows with what a rewrite or an edit changes: size, inode, modification time."""
    return [[name, (stat := path.stat()).st_size, stat.st_ino, stat.st_mtime_ns]
            for name, path in sorted(files(output).items())]


def publish(files_: dict[str, bytes], output: Path, only: str | None = None) -> list[str]:
    """Make output/ show exactly `files_` (names under output/: "site/en/index.html"), as a new
    build switched in at once; with `only` ("report/"), `files_` replace that tree alone and every
    other file stays. Unchanged files are hard-linked, not rewritten; if nothing changed, nothing
    is touched. A failure (a full disk, a build killed) leaves the current build as it was, and no
    half-written one behind. Returns the names that changed."""
    before = current(output)
    shown = files(output)
    wanted = dict(files_)
    if only is not None:
        wanted.update({name: shown[name] for name in shown if not name.startswith(only)})
    changed = sorted(name for name, data in wanted.items() if isinstance(data, bytes) and not _same(shown.get(name), data))
    if not changed and set(shown) == set(wanted):
        return []
    builds = output / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    numbers = [int(p.name) for p in builds.iterdir() if p.name.isdigit()]
    number = str(max(numbers, default=0) + 1)
    folder = builds / number
    try:
        for name, data in wanted.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if name in changed:
                write(target, data)
            else:
                os.link(shown[name], target)
        link = output / f"{CURRENT}.{number}"
        link.unlink(missing_ok=True)
        os.symlink(f"{BUILDS}/{number}", link)
        os.replace(link, output / CURRENT)  # the switch: atomic
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        (output / f"{CURRENT}.{number}").unlink(missing_ok=True)
        raise
    _link_trees(output, {name.partition("/")[0] for name in wanted})
    keep = {number, before.name if before else number}
    for old in builds.iterdir():  # the build before stays for readers still in it
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
    return changed


def _same(path: Path | None, data: bytes) -> bool:
    return path is not None and path.stat().st_size == len(data) and path.read_bytes() == data


def _link_trees(output: Path, trees: set[str]) -> None:
    """output/<tree> -> .current/<tree> for every tree of the build; a folder of an older layout of
    output/ is moved out of the way once."""
    for tree in trees:
        path = output / tree
        if path.is_symlink():
            continue
        if path.exists():
            stale = output / BUILDS / f"old-{tree}"
            shutil.rmtree(stale, ignore_errors=True)
            os.rename(path, stale)
            shutil.rmtree(stale, ignore_errors=True)
        os.symlink(f"{CURRENT}/{tree}", path)
    for path in output.iterdir():  # a tree no build has any more (output/report after report=False)
        if path.is_symlink() and path.name not in trees and os.readlink(path).startswith(f"{CURRENT}/"):
            path.unlink()
