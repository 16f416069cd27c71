"""The footer is rebuilt when what it shows changes, not on every refresh of the bindings."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer

from gridconsole.views.steady_footer import SteadyFooter


class _FooterApp(App[None]):
    BINDINGS = [Binding("x", "act", "Act")]  # noqa: RUF012

    def __init__(self) -> None:
        super().__init__()
        self.act_enabled = True
        self.rebuilds = 0

    def compose(self) -> ComposeResult:
        yield SteadyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return True if action != "act" or self.act_enabled else None

    def action_act(self) -> None:
        pass


async def test_footer_rebuilt_only_when_its_keys_change() -> None:
    app = _FooterApp()
    async with app.run_test() as pilot:
        footer = app.query_one(SteadyFooter)
        original = footer.recompose

        async def counted() -> None:
            app.rebuilds += 1
            await original()

        footer.recompose = counted  # type: ignore[method-assign]
        await pilot.pause()
        for _ in range(5):  # nothing the footer shows changes
            app.screen.refresh_bindings()
            await pilot.pause()
        assert app.rebuilds == 0

        app.act_enabled = False  # the key is greyed out: rebuilt once
        app.screen.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert app.rebuilds == 1
        key = footer.query_one("FooterKey")
        assert key.has_class("-disabled")


def test_steady_footer_is_a_footer() -> None:
    assert issubclass(SteadyFooter, Footer)
