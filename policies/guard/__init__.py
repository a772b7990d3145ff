"""The PR guard: can a change open a way for data to be written toward the reference cluster?

Code (TypeScript via tree-sitter), Terraform and the data-classification registry each add nodes and
edges to one graph; the verdict is a path query over it (`graph.py`), scoped to a diff (`diff.py`).
"""
