"""Pure analysis of social records: metrics, re-publication, themes and communication mode."""
