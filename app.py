"""Backprop Playground — run with `streamlit run app.py`. The app lives in playground/ui/page.py."""
from playground.ui.page import main

main()
