from .viz import draw_network

__all__ = ["draw_network"]
