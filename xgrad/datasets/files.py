"""Where dataset files live, how they are checked, and when they are fetched.

Files live in the cache directory, ``$XGRAD_DATA`` or ``~/.xgrad/datasets``,
one folder per dataset. A file found there is checked (size, then SHA-256 and
the publisher's MD5 where recorded) every time it is used, so a truncated or
tampered file never reaches a model. Nothing is downloaded unless asked
(``download=True`` or ``XGRAD_DOWNLOAD=1``); otherwise a missing file raises
:class:`FileNotFoundError` saying which file to put where, and where to get
it. Downloads use ``urllib`` only, try each mirror in turn, and are checked
before they replace anything in the cache.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import sys
import tempfile
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ChecksumError",
    "CorruptFileError",
    "Remote",
    "download_enabled",
    "fetch",
    "get_cache_dir",
    "get_file",
    "verify",
]

ENV_DIR = "XGRAD_DATA"
ENV_DOWNLOAD = "XGRAD_DOWNLOAD"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}
_CHUNK = 1 << 20


class CorruptFileError(ValueError):
    """A dataset file exists but is not what its format or size says it is."""


class ChecksumError(CorruptFileError):
    """A dataset file's SHA-256 or MD5 differs from the official value."""


@dataclass(frozen=True)
class Remote:
    """One file a dataset needs: its name, official size and checksums, and URLs.

    ``size``, ``sha256`` and ``md5`` are checked where given (``None`` skips
    that check); ``urls`` are tried in order when downloading is allowed.
    """

    name: str
    size: int | None = None
    sha256: str | None = None
    md5: str | None = None
    urls: tuple[str, ...] = ()

    def describe(self) -> str:
        """``name (N bytes, sha256 ...)`` for error messages."""
        facts = [f"{self.size} bytes"] if self.size is not None else []
        for algo in ("sha256", "md5"):
            if getattr(self, algo) is not None:
                facts.append(f"{algo} {getattr(self, algo)}")
        return f"{self.name} ({', '.join(facts)})" if facts else self.name


def get_cache_dir() -> Path:
    """The cache directory: ``$XGRAD_DATA``, else ``~/.xgrad/datasets``.

    Read on every call, so changing the environment variable takes effect at
    once. ``xgrad.datasets.cache_dir`` is the same path as a string (DeZero's
    ``utils.cache_dir`` name).
    """
    root = os.environ.get(ENV_DIR)
    if root:
        return Path(root).expanduser()
    return Path.home() / ".xgrad" / "datasets"


def download_enabled(download: bool | None = None) -> bool:
    """Whether downloading is allowed: ``download`` if given, else ``$XGRAD_DOWNLOAD``.

    The variable accepts ``1/true/yes/on`` and ``0/false/no/off`` (any case);
    unset means no downloads.
    """
    if download is not None:
        return bool(download)
    value = os.environ.get(ENV_DOWNLOAD, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        f"{ENV_DOWNLOAD}={os.environ[ENV_DOWNLOAD]!r} is not understood; "
        f"use {ENV_DOWNLOAD}=1 to allow downloads or {ENV_DOWNLOAD}=0 to forbid them"
    )


def _digests(path: Path, remote: Remote) -> dict[str, str]:
    hashes = {
        algo: hashlib.new(algo, usedforsecurity=False)
        for algo in ("sha256", "md5")
        if getattr(remote, algo) is not None
    }
    if hashes:
        with path.open("rb") as f:
            while block := f.read(_CHUNK):
                for h in hashes.values():
                    h.update(block)
    return {algo: h.hexdigest() for algo, h in hashes.items()}


def verify(path: str | os.PathLike[str], remote: Remote) -> Path:
    """Check ``path`` against ``remote``'s size and checksums; return it as a Path.

    Raises :class:`CorruptFileError` for a wrong size (a truncated download,
    most often) and :class:`ChecksumError` for a wrong digest, each naming the
    file, the expected and the found values, and the fix.
    """
    path = Path(path)
    fix = "delete it and fetch it again (see docs/datasets.md)"
    found = path.stat().st_size
    if remote.size is not None and found != remote.size:
        kind = "truncated" if found < remote.size else "too long"
        raise CorruptFileError(
            f"{path}: {kind}: expected {remote.size} bytes, found {found}; {fix}"
        )
    for algo, digest in _digests(path, remote).items():
        expected = getattr(remote, algo).lower()
        if digest != expected:
            raise ChecksumError(
                f"{path}: {algo} checksum mismatch: expected {expected}, "
                f"found {digest}; the file is corrupt or not the official "
                f"{remote.name}; {fix}"
            )
    return path


def _instructions(folder: Path, remotes: Sequence[Remote], note: str = "") -> str:
    lines = [f"put these files in {folder}:"]
    for remote in remotes:
        lines.append(f"  {folder / remote.name}")
        lines.append(f"    {remote.describe()}")
        lines += [f"    from {url}" for url in remote.urls]
    if note:
        lines.append(note)
    lines.append(
        f"or allow xgrad to download them: pass download=True or set "
        f"{ENV_DOWNLOAD}=1. Set {ENV_DIR} to use another cache directory."
    )
    return "\n".join(lines)


def _download(remote: Remote, dest: Path) -> list[str]:
    """Try each URL; on success ``dest`` holds the verified file. Returns errors."""
    errors = [] if remote.urls else [f"{remote.name}: no URL is known for it"]
    for url in remote.urls:
        fd, tmp = tempfile.mkstemp(prefix=f".{remote.name}.", dir=dest.parent)
        part = Path(tmp)
        try:
            print(f"Downloading {url}", file=sys.stderr)
            with (
                os.fdopen(fd, "wb") as out,
                urllib.request.urlopen(url, timeout=60) as response,
            ):
                while block := response.read(_CHUNK):
                    out.write(block)
            verify(part, remote)
            os.replace(part, dest)
            return []
        except (OSError, ValueError, http.client.HTTPException) as e:
            errors.append(f"{url}: {type(e).__name__}: {e}")
        finally:
            part.unlink(missing_ok=True)
    return errors


def fetch(
    folder: str | os.PathLike[str],
    remotes: Sequence[Remote],
    *,
    what: str,
    download: bool | None = None,
    note: str = "",
) -> list[Path]:
    """Paths of ``remotes`` in ``folder``, verified; downloaded first if allowed.

    ``what`` names the dataset in messages; ``note`` adds a line to the
    instructions printed when files are missing.
    """
    folder = Path(folder)
    missing = [r for r in remotes if not (folder / r.name).exists()]
    if missing and download_enabled(download):
        folder.mkdir(parents=True, exist_ok=True)
        failures = []
        for remote in missing:
            failures += _download(remote, folder / remote.name)
        if failures:
            raise FileNotFoundError(
                f"{what}: could not download every file:\n  "
                + "\n  ".join(failures)
                + "\n"
                + _instructions(folder, missing, note)
            )
    elif missing:
        raise FileNotFoundError(
            f"{what}: missing {', '.join(r.name for r in missing)} and downloading "
            f"is off. To use it, " + _instructions(folder, missing, note)
        )
    return [verify(folder / r.name, r) for r in remotes]


def get_file(
    url: str,
    file_name: str | None = None,
    *,
    sha256: str | None = None,
    md5: str | None = None,
    download: bool | None = None,
) -> str:
    """DeZero's ``utils.get_file``: the path of ``url``'s file in the cache directory.

    The file is downloaded only if it is missing and downloading is allowed
    (``download=True`` or ``XGRAD_DOWNLOAD=1``); given checksums are checked
    on the cached file too.
    """
    name = file_name or url[url.rfind("/") + 1 :]
    remote = Remote(name, sha256=sha256, md5=md5, urls=(url,))
    (path,) = fetch(get_cache_dir(), [remote], what=name, download=download)
    return str(path)
