"""customize_autodistribution — VIP clients go to the senior manager (ext. 100)."""
import json
import sys

VIP_ENTITIES = {("contact", 42)}

data = json.load(sys.stdin)
entity = data.get("entity") or {}
if (entity.get("type"), entity.get("id")) in VIP_ENTITIES:
    name = ("VIP " + (entity.get("name") or ""))[:20]
    reply = {"data": {"number": "100", "name": name}, "state": "success"}
else:
    reply = {"data": {}, "state": "success"}
json.dump(reply, sys.stdout)
