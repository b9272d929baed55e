"""The catalogue of views: every chart the product shows or exports, defined once (its
figures, grouping, builder, title, unit and 口径), and how one is rendered for a
request. Pages, the Word briefing, the slide pack and the Excel downloads all take
their charts from here."""

from catalogue.render import Shown, render, rendered
from catalogue.views import VIEWS, ChartView, on, view

__all__ = ["VIEWS", "ChartView", "Shown", "on", "render", "rendered", "view"]
