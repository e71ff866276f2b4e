"""Guarantee circles (担保圈, J13) on graphs whose circles are known: guarantor -> borrower."""

from __future__ import annotations

from postloan.guarantee_graph import find_circles


def members(edges):
    return [c.members for c in find_circles(edges)]


def test_two_party_mutual_guarantee():
    circles = find_circles([("A", "B"), ("B", "A")])
    assert [c.members for c in circles] == [("A", "B")]
    assert circles[0].edges == (("A", "B"), ("B", "A"))
    assert circles[0].circle_id == "A>B"


def test_three_party_chain_closing_on_itself():
    circles = find_circles([("T1", "T2"), ("T2", "T3"), ("T3", "T1"), ("T3", "X")])
    assert [c.members for c in circles] == [("T1", "T2", "T3")]
    # The guarantee leaving the circle (T3 -> X) is not part of it.
    assert circles[0].edges == (("T1", "T2"), ("T2", "T3"), ("T3", "T1"))


def test_no_circle_in_a_chain_a_star_or_a_self_guarantee():
    assert members([("N1", "N2"), ("N2", "N3"), ("N1", "N3")]) == []
    assert members([("SBA", f"B{i}") for i in range(50)]) == []
    assert members([("S", "S")]) == []
    assert members([]) == []


def test_separate_circles_and_a_bridge_between_them():
    edges = [("A", "B"), ("B", "A"), ("C", "D"), ("D", "E"), ("E", "C"), ("B", "C")]
    # B -> C joins the two circles one way only: they stay two circles.
    assert members(edges) == [("A", "B"), ("C", "D", "E")]
    # Closing the way back (E -> A) merges them into one circle of five.
    assert members([*edges, ("E", "A")]) == [("A", "B", "C", "D", "E")]


def test_repeated_guarantees_count_once_and_long_chains_do_not_recurse():
    assert find_circles([("A", "B"), ("A", "B"), ("B", "A")])[0].edges == (
        ("A", "B"), ("B", "A"))
    ring = [(f"N{i:05d}", f"N{(i + 1) % 5000:05d}") for i in range(5000)]
    circles = find_circles(ring)
    assert len(circles) == 1 and len(circles[0].members) == 5000
