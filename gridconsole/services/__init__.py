"""Operations: each one transaction, returning plain frozen data. The only API of views, CLI
and scheduler."""
