"""The pages of the web app; each module's `show(kb)` lays out one page."""
