"""The control app of the browser benchmark: one title, one table and one plotly chart.

A family page's first screen is measured against this in the same run: it pays the same
fixed costs (Streamlit's front end, Plotly's JavaScript), so the ratio shows what the page
itself adds.
"""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="Control", layout="wide")
st.title("Control")
table = pd.DataFrame({"feature": list("abcdefghij"), "value": range(10)})
st.dataframe(table, hide_index=True)
st.plotly_chart(go.Figure(go.Bar(x=table["value"], y=table["feature"], orientation="h")))
