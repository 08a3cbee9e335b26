"""The legal rules as data: dated parameters with citations, and the obligation catalogue."""
