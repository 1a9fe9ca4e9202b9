"""Reading and combining snapshot trees: git's listings parsed, three-way merges, grafts, and
the trees of a large index written ahead into one pack.

The functions that run git expect the caller to hold the shadow repository's operation lock.
"""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from penguin_tui.checkpoints.git import EMPTY_TREE, Git, settings_env, split_z
from penguin_tui.checkpoints.journal import TreeEntry


@dataclass(frozen=True)
class FileStat:
    """Lines added and removed in one file between two trees (None for a binary file)."""

    path: str
    added: int | None
    removed: int | None


@dataclass(frozen=True)
class MergeOutcome:
    """A three-way merge's tree (conflicted files carry conflict markers) and its conflicts."""

    tree: str
    conflicts: tuple[str, ...]


def parse_tree(out: bytes) -> dict[str, TreeEntry]:
    """``ls-tree -r -z`` output, by path."""
    entries: dict[str, TreeEntry] = {}
    for record in split_z(out):
        meta, path = record.split("\t", 1)
        mode, _kind, sha = meta.split(" ")
        entries[path] = TreeEntry(mode=mode, sha=sha)
    return entries


def parse_changes(out: bytes) -> list[tuple[str, TreeEntry | None]]:
    """``diff-tree -r -z`` raw output: each path with its new entry (None: deleted)."""
    fields = out.split(b"\0")
    changes: list[tuple[str, TreeEntry | None]] = []
    index = 0
    while index + 1 < len(fields):
        meta = fields[index].decode("ascii")
        path = fields[index + 1].decode("utf-8", "surrogateescape")
        index += 2
        if not meta.startswith(":"):
            continue
        _old_mode, new_mode, _old_sha, new_sha, status = meta[1:].split(" ")
        changes.append((path, None if status == "D" else TreeEntry(mode=new_mode, sha=new_sha)))
    return changes


def parse_added(out: bytes) -> set[str]:
    """``diff-tree -r -z`` raw output: the paths the old tree does not have (status A)."""
    fields = out.split(b"\0")
    added: set[str] = set()
    for index in range(0, len(fields) - 1, 2):
        meta = fields[index]
        if meta.startswith(b":") and meta.endswith(b" A"):
            added.add(fields[index + 1].decode("utf-8", "surrogateescape"))
    return added


def parse_numstat(out: bytes) -> list[FileStat]:
    """``diff-tree -z --numstat`` output; a rename is listed under its new path."""
    stats: list[FileStat] = []
    fields = out.split(b"\0")
    index = 0
    while index < len(fields):
        record = fields[index].decode("utf-8", "surrogateescape")
        index += 1
        if not record:
            continue
        added, removed, path = record.split("\t", 2)
        if not path:  # a rename: the old and new paths follow
            path = fields[index + 1].decode("utf-8", "surrogateescape")
            index += 2
        stats.append(
            FileStat(
                path, None if added == "-" else int(added), None if removed == "-" else int(removed)
            )
        )
    return stats


def merge_trees(
    git: Git, base: str, ours: str, theirs: str, labels: tuple[str, str]
) -> MergeOutcome:
    """Merge ``ours`` and ``theirs`` from ``base`` with ``merge-tree --write-tree``.

    Each side is a commit under a temporary ``refs/heads/<label>`` so that git names it by
    label, not by a commit id that changes with the clock.
    """
    ours_label, theirs_label = merge_labels(labels)
    base_commit = git.text("commit-tree", base or EMPTY_TREE, "-m", "base")
    refs = {
        ours_label: git.text("commit-tree", ours, "-p", base_commit, "-m", "ours"),
        theirs_label: git.text("commit-tree", theirs, "-p", base_commit, "-m", "theirs"),
    }
    updates = "".join(f"update refs/heads/{name} {commit}\n" for name, commit in refs.items())
    git.run("update-ref", "--stdin", stdin=updates.encode())
    try:
        out = git.run(
            "merge-tree", "--write-tree", "-z", "--name-only", ours_label, theirs_label, ok=(0, 1)
        )
    finally:
        deletes = "".join(f"delete refs/heads/{name}\n" for name in refs)
        git.run("update-ref", "--stdin", stdin=deletes.encode())
    parts = out.split(b"\0")
    conflicts: list[str] = []
    for raw in parts[1:]:
        if not raw:
            break  # the informational messages follow an empty field
        name = raw.decode("utf-8", "surrogateescape")
        if name not in conflicts:
            conflicts.append(name)
    return MergeOutcome(tree=parts[0].decode("ascii").strip(), conflicts=tuple(conflicts))


_LABEL = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{0,39}$")


def merge_labels(labels: tuple[str, str]) -> tuple[str, str]:
    """Branch names usable as short ref names for a merge, else ``ours`` and ``theirs``."""
    cleaned = tuple(label.replace("/", "-") for label in labels)
    usable = all(
        _LABEL.match(label)
        and ".." not in label
        and not label.endswith(".lock")
        and "HEAD" not in label
        and not all(c in "0123456789abcdef" for c in label)
        for label in cleaned
    )
    if not usable or cleaned[0] == cleaned[1]:
        return "ours", "theirs"
    return cleaned[0], cleaned[1]


def graft_tree(
    git: Git,
    index_file: Path,
    base_tree: str,
    source: Mapping[str, TreeEntry],
    paths: Sequence[str],
) -> str:
    """``base_tree`` with ``paths`` taken from ``source`` (absent there: removed), built in a
    throwaway index so the shadow index is never touched."""
    env = {
        "GIT_INDEX_FILE": str(index_file),
        # A throwaway index must not leave a shared split-index file behind.
        **settings_env({"core.splitIndex": "false"}),
    }
    try:
        git.run("read-tree", base_tree, env=env)
        info = b""
        for path in paths:
            entry = source.get(path)
            meta = f"0 {'0' * 40}" if entry is None else f"{entry.mode} {entry.sha}"
            info += f"{meta}\t".encode() + path.encode("utf-8", "surrogateescape") + b"\0"
        git.run("update-index", "-z", "--index-info", stdin=info, env=env)
        return git.run("write-tree", env=env).decode().strip()
    finally:
        index_file.unlink(missing_ok=True)


# -- the trees of a large index, in one pack --------------------------------------------------

_TREE = 2  # the object type of a tree in a pack


def pack_index_trees(git: Git) -> None:
    """Write the trees ``write-tree`` is about to make of the shadow index into one pack, so
    that it finds them all there and makes none.

    ``write-tree`` writes each tree as a file of its own; thousands of them (the folders of a
    first snapshot) cost seconds on a fresh repository. Worked out here from ``ls-files -s``
    and handed to ``index-pack``; ``write-tree`` stays the one that says what the tree is, so
    a tree got wrong here would only be an unused object.
    """
    listing = git.run("ls-files", "-s", "-z")
    entries: list[tuple[bytes, bytes, bytes]] = []  # (path, mode, binary id)
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, path = record.split(b"\t", 1)
        mode, sha, stage = meta.split(b" ")
        if stage != b"0":
            return  # write-tree refuses an index with conflicts anyway
        entries.append((path, mode, bytes.fromhex(sha.decode("ascii"))))
    trees = list(_trees(entries))
    if trees:
        git.run("index-pack", "--stdin", stdin=_pack(trees))


def _trees(entries: Sequence[tuple[bytes, bytes, bytes]]) -> Iterator[bytes]:
    """Every tree object of an index (each folder's, children before parents, the root
    last), from its entries in index order."""
    children: dict[bytes, dict[bytes, tuple[bytes, bytes]]] = {b"": {}}
    for path, mode, oid in entries:
        folder, _slash, name = path.rpartition(b"/")
        children.setdefault(folder, {})[name] = (mode, oid)
        while folder:  # make sure every folder on the way is its parent's entry
            parent, _slash, name = folder.rpartition(b"/")
            known = children.setdefault(parent, {})
            if name in known:
                break
            known[name] = (b"40000", b"")
            folder = parent
    ids: dict[bytes, bytes] = {}
    for folder in sorted(children, key=lambda name: -name.count(b"/") - (name != b"")):
        parts: list[bytes] = []
        listed = children[folder]
        # git's order: a folder sorts as if its name ended in "/".
        for name in sorted(listed, key=lambda n: n + b"/" if listed[n][0] == b"40000" else n):
            mode, oid = listed[name]
            if mode == b"40000":
                oid = ids[folder + b"/" + name if folder else name]
            parts.append(mode + b" " + name + b"\0" + oid)
        body = b"".join(parts)
        tree = b"tree %d\0" % len(body) + body
        ids[folder] = hashlib.sha1(tree).digest()
        yield body


def _pack(bodies: Sequence[bytes]) -> bytes:
    """A pack (version 2, no deltas) of tree objects with these bodies."""
    parts = [b"PACK", struct.pack(">II", 2, len(bodies))]
    for body in bodies:
        size = len(body)
        header = bytearray([(_TREE << 4) | (size & 0x0F)])
        size >>= 4
        while size:
            header[-1] |= 0x80
            header.append(size & 0x7F)
            size >>= 7
        parts += [bytes(header), zlib.compress(body, 1)]
    data = b"".join(parts)
    return data + hashlib.sha1(data).digest()
