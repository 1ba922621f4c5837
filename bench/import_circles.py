"""Import circles among smcheck's modules: groups of modules that import each other,
directly or through others (strongly connected components of the import graph, lazy
imports inside functions included), at run time and with `if TYPE_CHECKING:` imports.

    uv run python bench/import_circles.py            # this checkout
    uv run python bench/import_circles.py DIR        # the smcheck package under DIR

An older commit: `git archive COMMIT smcheck | tar -x -C DIR` first.
"""

from __future__ import annotations

import sys
from pathlib import Path

import grimp


def circles(type_checking: bool) -> list[list[str]]:
    graph = grimp.build_graph("smcheck", include_external_packages=False,
                              exclude_type_checking_imports=not type_checking,
                              cache_dir=None)
    # Tarjan's algorithm, iterative: every module once, every import once.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(
                        graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return sorted(found, key=len, reverse=True)


def main() -> None:
    if len(sys.argv) > 1:
        sys.path.insert(0, str(Path(sys.argv[1]).resolve()))
    import smcheck

    print(f"smcheck at {Path(smcheck.__file__).parent}")
    for type_checking in (False, True):
        label = "with TYPE_CHECKING imports" if type_checking else "at run time"
        groups = circles(type_checking)
        sizes = [len(g) for g in groups] or [0]
        print(f"{label}: {len(groups)} circle(s), sizes {sizes}")
        for group in groups:
            print("   ", " ".join(m.removeprefix("smcheck.") or m for m in group))


if __name__ == "__main__":
    main()
