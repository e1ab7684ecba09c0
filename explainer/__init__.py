"""A static site generator for one bilingual (Arabic/English) news explainer.

Data flows one way, one module per stage:
``load`` (YAML with positions) → ``validate`` (JSON Schema, references, quotes →
frozen ``model``) → ``plan`` (pages) → ``render`` (Jinja) → ``write`` (swap in).
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
