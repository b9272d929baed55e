"""Chart builders: a query's DataFrame in, a Plotly or pyecharts figure out.

Pure functions with one theme (``charts.theme``): no Streamlit, no database, nothing
of the project above them, so pages, exports and tests share the same figures.
"""

from .echarts import completion_gauge, options, projector_ranking
from .plotly_charts import category_bar, grouped_bar, progress_bar, ranked_bar, trend_line, workshop_lines
from .theme import FONT_FAMILY, bar_colours, chart_text, colour, colours, image_config, rag, rag_colour, template, wan

__all__ = [
    "FONT_FAMILY",
    "bar_colours",
    "category_bar",
    "chart_text",
    "colour",
    "colours",
    "completion_gauge",
    "grouped_bar",
    "image_config",
    "options",
    "progress_bar",
    "rag",
    "rag_colour",
    "ranked_bar",
    "projector_ranking",
    "template",
    "trend_line",
    "wan",
    "workshop_lines",
]
