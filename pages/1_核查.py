"""Staff page: consistency findings per document, grouped by family, filtered, exported."""
from __future__ import annotations

import streamlit as st

from app import chrome, staff_unlocked
from audit import audit_document
from audit.model import ERROR, FAMILIES, HINT
from audit.staff import filter_findings, group_by_family
from config import load_settings
from prompts.staff_zh import UI
from service import open_engine
from stores.export import findings_to_csv, findings_to_xlsx
from stores.facts import StoreUnavailable


@st.cache_resource(show_spinner=False)
def store_for(settings):
    return open_engine(settings).stores.facts


@st.cache_data(show_spinner=False, max_entries=64)
def findings_for(_store, doc_id: str, version: tuple):
    d = next(x for x in _store.documents() if x.doc_id == doc_id)
    return d, audit_document(d, _store.facts(doc_id), _store.lines(doc_id), _store.tables(doc_id))


def show_finding(f) -> None:
    icon = ":material/error:" if f.severity == ERROR else ":material/info:"
    with st.container(border=True):
        st.markdown(f"{icon} **{f.severity}** · {f.family_name}")
        st.text(f.message)
        for c in f.citations:
            where = " · ".join(x for x in (c.table or c.section or "", UI["page"].format(page=c.page) if c.page else "") if x)
            st.caption(where)
            st.code(c.text, language=None, wrap_lines=True)


def main() -> None:
    st.set_page_config(page_title=UI["audit_title"], page_icon=":material/fact_check:", layout="wide")
    chrome()
    st.page_link("app.py", label=UI["back"], icon=":material/arrow_back:")
    st.title(UI["audit_title"], anchor=False)
    st.caption(UI["audit_caption"])
    settings = st.session_state.setdefault("settings", load_settings())
    if not staff_unlocked(settings):
        return
    store = store_for(settings)
    docs = [d for d in store.documents() if not d.is_template]
    if not docs:
        st.info(UI["no_docs"])
        return
    version = tuple(sorted(store.active_versions().items()))
    labels = {d.doc_id: d.title for d in docs}
    picked = st.selectbox(UI["doc"], ["*"] + list(labels), format_func=lambda x: labels.get(x, UI["doc_all"]))
    c1, c2 = st.columns(2)
    severities = c1.pills(UI["severity"], [ERROR, HINT], selection_mode="multi", key="sev")
    families = c2.pills(UI["family"], list(FAMILIES.values()), selection_mode="multi", key="fam")
    everything = []
    for doc_id in ([picked] if picked != "*" else list(labels)):
        d, found = findings_for(store, doc_id, version)
        shown = filter_findings(found, severities, families)
        everything += shown
        st.subheader(d.title, anchor=False)
        errors = sum(f.severity == ERROR for f in shown)
        st.caption(f"{UI['count_errors']} {errors} · {UI['count_hints']} {len(shown) - errors}")
        if not shown:
            st.success(UI["none"])
        for name, group in group_by_family(shown):
            with st.expander(f"{name}（{len(group)}）", expanded=True):
                for f in group:
                    show_finding(f)
    e1, e2 = st.columns(2)
    e1.download_button(UI["export_csv"], findings_to_csv(everything).encode("utf-8-sig"), "核查结果.csv", "text/csv")
    e2.download_button(UI["export_xlsx"], findings_to_xlsx(everything), "核查结果.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


try:
    main()
except StoreUnavailable:
    st.error(UI["error_store"])
