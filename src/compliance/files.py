"""Input files are opened only when they are regular files.

A named pipe given as a workbook (``mkfifo x.xlsx``) blocks the first read forever; a
device or a socket is no document either. Each is refused with a sentence, before a
byte is read: the file is opened without blocking and examined on its descriptor.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

_KINDS = (
    (stat.S_ISDIR, "文件夹"),
    (stat.S_ISFIFO, "命名管道（FIFO）"),
    (stat.S_ISCHR, "字符设备"),
    (stat.S_ISBLK, "块设备"),
    (stat.S_ISSOCK, "套接字"),
)


def not_regular(mode: int) -> str | None:
    """Why a file of ``mode`` is not a document (``是命名管道（FIFO）``), or None."""
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "特殊文件")
    return f"不是普通文件（是{kind}），无法作为输入读取：请给出一个普通文件"


def refusal(path: Path | str) -> str | None:
    """Why ``path`` must not be read as an input file; None when it is a regular file.
    A missing or unreadable file is left to the reader, which says so itself."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    return not_regular(mode)


def read_bytes(path: Path | str, limit: int | None = None) -> bytes:
    """The bytes of a regular file (at most ``limit`` + 1 of them); OSError names the
    file, with a Chinese reason when it is a pipe, a device or a socket."""
    problem = refusal(path)  # a socket cannot even be opened: look before
    if problem:
        raise NotRegularFile(problem, path)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        problem = not_regular(os.fstat(fd).st_mode)
        if problem:
            raise NotRegularFile(problem, path)
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read() if limit is None else handle.read(limit + 1)
    finally:
        os.close(fd)


class NotRegularFile(OSError):
    """A pipe, a device, a socket or a folder where a file was wanted."""

    def __init__(self, problem: str, path: Path | str):
        super().__init__(0, problem, str(path))
        self.problem = problem


_REASONS = {
    errno.ENOENT: "文件不存在",
    errno.EACCES: "没有读写权限",
    errno.EPERM: "操作不被允许",
    errno.EISDIR: "是文件夹，不是文件",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.ENAMETOOLONG: "文件名过长",
    errno.ELOOP: "符号链接层数过多",
    errno.ENOSPC: "磁盘空间已满",
    errno.EDQUOT: "超出磁盘配额",
    errno.EROFS: "文件系统是只读的",
    errno.EIO: "磁盘读写错误",
    errno.EMFILE: "打开的文件过多",
    errno.ENXIO: "设备不存在",
    errno.ETXTBSY: "文件正被执行，无法写入",
    errno.EEXIST: "文件已存在",
}


def reason(exc: OSError) -> str:
    """An OSError's cause in Chinese, the system's own words kept in parentheses."""
    if isinstance(exc, NotRegularFile):
        return exc.problem
    chinese = _REASONS.get(exc.errno or -1)
    original = exc.strerror or str(exc)
    if chinese is None:
        return f"系统错误（{original}）" if original else "系统错误"
    return f"{chinese}（{original}）"
