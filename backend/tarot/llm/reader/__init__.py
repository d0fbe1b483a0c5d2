"""The offline reader: question analysis, spread patterns, a plan, and prose per language."""
