"""need_registration — a black list of client numbers kept in a text file next to the hook."""
import json
import os
import sys

data = json.load(sys.stdin)
listed = set()
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "blacklist.txt")
if os.path.exists(path):
    with open(path) as f:
        listed = {line.strip() for line in f if line.strip()}
number = data["call_full"].get("client_number") or ""
json.dump({"data": {"result": number not in listed}, "state": "success"}, sys.stdout)
