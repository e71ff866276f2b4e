"""Guarantee circles (担保圈, signal J13): loops in the guarantee graph.

The graph has one edge per guarantee, from the guarantor to the borrower of the loan it
guarantees. A guarantee circle is a set of obligors that reach each other along these edges
(A guarantees B and B guarantees A; or A -> B -> C -> A; ...): a strongly connected component of
two or more obligors. Each component is reported once with its members, so a dense circle of many
mutual guarantees is one circle, not the (possibly exponential) list of its elementary loops. A
guarantor guaranteeing its own loan is not a circle.

Tarjan's algorithm, written iteratively so a long chain cannot exhaust Python's recursion limit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Circle:
    members: tuple[str, ...]  # sorted
    edges: tuple[tuple[str, str], ...]  # (guarantor, borrower) inside the circle, sorted

    @property
    def circle_id(self) -> str:
        """Stable name: the members joined in sorted order."""
        return ">".join(self.members)


def find_circles(edges: Iterable[tuple[str, str]]) -> list[Circle]:
    """The guarantee circles of the graph ``edges`` = (guarantor, borrower) pairs, sorted by
    their members."""
    graph: dict[str, list[str]] = {}
    edge_set: set[tuple[str, str]] = set()
    for guarantor, borrower in edges:
        if guarantor == borrower or (guarantor, borrower) in edge_set:
            continue
        edge_set.add((guarantor, borrower))
        graph.setdefault(guarantor, []).append(borrower)
        graph.setdefault(borrower, [])
    for targets in graph.values():
        targets.sort()

    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, next_child = work.pop()
            if next_child == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = graph[node]
            descended = False
            for position in range(next_child, len(children)):
                child = children[position]
                if child not in index:
                    work.append((node, position + 1))
                    work.append((child, 0))
                    descended = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if descended:
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])

    circles = []
    for component in components:
        if len(component) < 2:
            continue
        members = tuple(sorted(component))
        inside = set(members)
        circle_edges = tuple(sorted(e for e in edge_set if e[0] in inside and e[1] in inside))
        circles.append(Circle(members, circle_edges))
    return sorted(circles, key=lambda c: c.members)
