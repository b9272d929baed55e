"""Presentation helpers without Streamlit: numbers as the district writes them, figure
tables with Chinese headers, and figures in words."""
