"""The baseline for bench/redirect.py: a Flask app that answers a fixed 302 and nothing else."""

from flask import Flask, redirect

app = Flask(__name__)


@app.get("/<code>")
def follow(code: str):
    response = redirect("https://shop.example/spring?utm_content=alice", code=302)
    response.headers["Cache-Control"] = "no-store"
    return response
