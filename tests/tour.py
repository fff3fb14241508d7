"""A tour of the app in one session: a walk that moves along every ordered pair of pages."""

from __future__ import annotations

import networkx as nx

from ui.nav import HOME, available_pages

PAGE_PATHS = [HOME.path, *(page.path for page in available_pages())]


def every_move(pages: list[str] = PAGE_PATHS) -> list[str]:
    """Pages in visiting order, starting and ending at pages[0], such that every ordered pair
    (a, b) of distinct pages is one step of the walk (an Euler circuit of the complete digraph)."""
    moves = nx.eulerian_circuit(nx.complete_graph(pages, create_using=nx.DiGraph), pages[0])
    return [pages[0], *(b for _, b in moves)]
