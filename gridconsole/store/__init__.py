"""Tables, engine, migrations and queries. Nothing here imports Textual."""
