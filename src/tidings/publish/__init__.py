"""Feeds out (issue 14): RSS, Atom and JSON Feed of a selection of stories, each
crediting its source, and the data of public pages. Pure, like ``content``."""
