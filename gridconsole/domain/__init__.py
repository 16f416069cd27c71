"""Pure rules of the centre's work: no database, no Textual."""
