"""Staff page: browse, filter and search every stored fact; export CSV and Excel exactly as stored."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from app import chrome, staff_unlocked
from audit.staff import FactFilter, fact_records, filter_facts
from config import load_settings
from prompts.staff_zh import COLUMNS, KIND_NAMES, UI
from service import open_engine
from stores.export import facts_to_csv, facts_to_xlsx
from stores.facts import StoreUnavailable

MAX_ROWS = 5000


@st.cache_resource(show_spinner=False)
def store_for(settings):
    return open_engine(settings).stores.facts


@st.cache_data(show_spinner=False, max_entries=8)
def all_facts(_store, version: tuple):
    return _store.facts()


def filters(docs, facts) -> FactFilter:
    labels = {d.doc_id: d.title for d in docs}
    c1, c2 = st.columns(2)
    picked = c1.multiselect(UI["doc"], list(labels), format_func=labels.get, placeholder=UI["doc_all"])
    names = sorted({f.table or f.section or "" for f in facts if not picked or f.doc in picked} - {""})
    tables = c2.multiselect(UI["table"], names)
    c3, c4, c5 = st.columns(3)
    code = c3.text_input(UI["code"], key="f_code")
    label = c4.text_input(UI["label"], key="f_label")
    column = c5.text_input(UI["column"], key="f_column")
    c6, c7, c8 = st.columns(3)
    units = c6.multiselect(UI["unit"], sorted({f.unit for f in facts if f.unit}))
    kinds = c7.multiselect(UI["kind"], list(KIND_NAMES), format_func=KIND_NAMES.get)
    top = max([f.page for f in facts if f.page] or [1])
    pages = c8.slider(UI["pages"], 1, max(top, 2), (1, max(top, 2))) if top > 1 else None
    search = st.text_input(UI["search"], key="f_search")
    return FactFilter(tuple(picked), tuple(tables), code, label, column, tuple(units), tuple(kinds),
                      pages if pages and pages != (1, max(top, 2)) else None, search)


def main() -> None:
    st.set_page_config(page_title=UI["browse_title"], page_icon=":material/table_view:", layout="wide")
    chrome()
    st.page_link("app.py", label=UI["back"], icon=":material/arrow_back:")
    st.title(UI["browse_title"], anchor=False)
    st.caption(UI["browse_caption"])
    settings = st.session_state.setdefault("settings", load_settings())
    if not staff_unlocked(settings):
        return
    store = store_for(settings)
    docs = store.documents()
    if not docs:
        st.info(UI["no_docs"])
        return
    facts = all_facts(store, tuple(sorted(store.active_versions().items())))
    shown = filter_facts(facts, filters(docs, facts))
    st.caption(UI["shown"].format(n=len(facts), m=len(shown)))
    if len(shown) > MAX_ROWS:
        st.caption(UI["too_many"].format(n=MAX_ROWS))
    st.dataframe(pd.DataFrame(fact_records(shown[:MAX_ROWS]), columns=list(COLUMNS.values())), hide_index=True)
    e1, e2 = st.columns(2)
    e1.download_button(UI["export_csv"], facts_to_csv(shown).encode("utf-8-sig"), "数据.csv", "text/csv")
    e2.download_button(UI["export_xlsx"], facts_to_xlsx(shown), "数据.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


try:
    main()
except StoreUnavailable:
    st.error(UI["error_store"])
