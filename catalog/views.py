"""Catalog pages (being built)."""
from flask import render_template_string

from catalog import bp


@bp.get("/")
def home():
    return render_template_string("{% extends 'base.html' %}{% block content %}home{% endblock %}")


@bp.get("/produk")
def browse():
    return home()


@bp.get("/jual/toko/baru")
def store_new():
    return home()


@bp.get("/jual")
def seller_dashboard():
    return home()


@bp.get("/admin/toko")
def admin_stores():
    return home()
