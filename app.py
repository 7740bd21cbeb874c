"""Parameter Lab: navigation over the home page and one page per registered model family.

The page scripts live in ``app_pages/``, not ``pages/``: with a ``pages/`` folder Streamlit
runs the first deep link after a server start (``/linear_regression?...``) in its legacy
multipage mode, straight from the folder and without this file.
"""

import streamlit as st

from core.registry import FAMILIES

st.set_page_config(page_title="Parameter Lab", page_icon="🎛️", layout="wide")

pages = [st.Page("app_pages/home.py", title="Home", icon=":material/home:", default=True)]
pages += [
    st.Page(family.page_path, title=family.title, icon=family.icon, url_path=family.id)
    for family in FAMILIES
]
pages.append(
    st.Page(
        "app_pages/families.py",
        title="All families",
        icon=":material/leaderboard:",
        url_path="families",
    )
)
pages.append(
    st.Page(
        "app_pages/capacity.py",
        title="Capacity",
        icon=":material/ssid_chart:",
        url_path="capacity",
    )
)
st.navigation(pages).run()
