"""Screens, panes, modals and widgets of the console: presentation only."""
