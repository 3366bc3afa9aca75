#!/usr/bin/env python3
"""Reports import circles between the modules of each package of the workspace.

A module is a file (or a directory module) directly under a package's `src/` or one level
deeper (`src/cdn/url.rs` is `cdn::url`). An edge A -> B is a `crate::B…` or `super::B…`
path written in A (comments skipped, `#[cfg(test)]` test modules included). A parent and
its own child are allowed to know each other (Rust's privacy works that way); every other
circle is printed and the exit status is 1.
"""
import pathlib, re, sys

ROOTS = {"uploadcare-sdk": "src", "uploadcare-emulator": "emulator/src", "ucare": "cli/src"}


def full_module(src: pathlib.Path, path: pathlib.Path) -> tuple:
    """`src/cdn/url/mod.rs` -> ("cdn", "url"); `src/cdn/url/values.rs` -> ("cdn", "url", "values")."""
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return tuple(parts)


def edges(src: pathlib.Path):
    files = {path: full_module(src, path) for path in src.rglob("*.rs")}
    modules = {full[:2] for full in files.values()}
    graph = {m: set() for m in modules}

    def add(here, target):
        for n in (2, 1):
            if target[:n] in modules:
                graph[here].add(target[:n])
                return

    for path, full in files.items():
        here = full[:2]
        text = "\n".join(line.split("//")[0] for line in path.read_text().splitlines())
        for m in re.finditer(r"\bcrate::([a-z_0-9]+)(?:::([a-z_0-9]+))?", text):
            add(here, tuple(x for x in m.groups() if x))
        # `crate::{a, b::c}` groups.
        for group in re.finditer(r"\bcrate::\{([^}]*)\}", text):
            for name in re.findall(r"(?:^|,)\s*([a-z_0-9]+)", group.group(1)):
                add(here, (name,))
        # `super::x` names a sibling of the file's own module.
        for m in re.finditer(r"\bsuper::([a-z_0-9]+)", text):
            add(here, full[:-1] + (m.group(1),))
    for m in graph:
        graph[m].discard(m)
    return graph


def related(a, b):
    return a[: len(b)] == b or b[: len(a)] == a


def cycles(graph):
    found = set()
    for start in graph:
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in graph[node]:
                if nxt == start and len(path) > 1:
                    if not (len(path) == 2 and related(path[0], path[1])):
                        found.add(tuple(sorted(path)))
                elif nxt not in path and len(path) < 6:
                    stack.append((nxt, path + [nxt]))
    return found


status = 0
for package, root in ROOTS.items():
    for cycle in sorted(cycles(edges(pathlib.Path(root)))):
        print(f"{package}: import circle: {' <-> '.join('::'.join(m) or 'crate' for m in cycle)}")
        status = 1
sys.exit(status)
