"""process_client_phone — 8XXXXXXXXXX / 7XXXXXXXXXX → +7XXXXXXXXXX (JSON on stdin, JSON on stdout)."""
import json
import re
import sys

data = json.load(sys.stdin)
phone = data["phone"]
digits = re.sub(r"\D", "", phone)
if len(digits) == 11 and digits[0] in "78":
    phone = "+7" + digits[1:]
json.dump({"data": {"phone": phone}, "state": "success"}, sys.stdout)
