"""Function-length and module-size figures for the runtime package (or any folder of Python files).

A function's length is its lines from `def` (or its first decorator) to its last line, nested functions
counted on their own too; a module's size is its line count.
Run from backend/: `.venv/bin/python -m scripts.code_size [folder]`.
"""

import argparse
import ast
import statistics
from collections.abc import Iterator, Sequence
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "mnp_chatbot"


def function_lengths(tree: ast.AST) -> Iterator[int]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            yield (node.end_lineno or node.lineno) - first + 1


def percentile(values: Sequence[int], fraction: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", nargs="?", type=Path, default=PACKAGE)
    folder = parser.parse_args().folder
    modules: dict[Path, int] = {}
    functions: list[int] = []
    for path in sorted(folder.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        modules[path] = len(source.splitlines())
        functions.extend(function_lengths(ast.parse(source)))
    sizes = list(modules.values())
    largest = max(modules, key=lambda p: modules[p])
    print(f"{folder.name}: {len(sizes)} modules, {sum(sizes)} lines, {len(functions)} functions")
    print(
        f"function lines: median {statistics.median(functions):g}, p90 {percentile(functions, 0.9)}, "
        f"max {max(functions)}"
    )
    print(
        f"module lines: median {statistics.median(sizes):g}, max {modules[largest]} "
        f"({largest.relative_to(folder)}), over 300: {sum(s > 300 for s in sizes)}"
    )


if __name__ == "__main__":
    main()
