"""Reading the nodes and edges back out of a Graphviz SVG (used by the viz tests)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

SVG = "{http://www.w3.org/2000/svg}"
_SHAPES = (f"{SVG}polygon", f"{SVG}ellipse", f"{SVG}path")


@dataclass
class Drawn:
    nodes: dict = field(default_factory=dict)  # id -> {"text": str, "fill": str, "pos": (x, y)}
    edges: list = field(default_factory=list)  # (tail id, head id, stroke colour)

    def text(self, node_id: str) -> str:
        return self.nodes[node_id]["text"]

    def find(self, needle: str) -> list[str]:
        """Ids of the nodes whose text contains ``needle``."""
        return [k for k, v in self.nodes.items() if needle in v["text"]]


def parse_svg(svg: bytes | str) -> Drawn:
    root = ET.fromstring(svg.encode() if isinstance(svg, str) else svg)
    out = Drawn()
    for g in root.iter(f"{SVG}g"):
        kind = g.get("class")
        if kind not in ("node", "edge"):
            continue
        title = g.find(f"{SVG}title").text
        shapes = [el for el in g.iter() if el.tag in _SHAPES]
        if kind == "node":
            texts = [t.text or "" for t in g.iter(f"{SVG}text")]
            fill = shapes[0].get("fill") if shapes else None
            pos = None
            for el in shapes:
                if el.tag == f"{SVG}ellipse":
                    pos = (float(el.get("cx")), float(el.get("cy")))
            out.nodes[title] = {"text": " ".join(texts), "fill": fill, "pos": pos}
        else:
            tail, head = title.split("->")
            stroke = shapes[0].get("stroke") if shapes else None
            out.edges.append((tail, head, stroke))
    return out
