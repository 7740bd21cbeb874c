"""Parameter Lab: navigation over the home page and one page per registered model family."""

import streamlit as st

from core.registry import FAMILIES

st.set_page_config(page_title="Parameter Lab", page_icon=":material/tune:", layout="wide")

pages = [st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)]
pages += [
    st.Page(family.page_path, title=family.title, icon=family.icon, url_path=family.id)
    for family in FAMILIES
]
st.navigation(pages).run()
