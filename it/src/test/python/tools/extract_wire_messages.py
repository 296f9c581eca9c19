"""Turns an strace log of a vineyard client into the list of JSON messages it sent and received.

Usage: extract_wire_messages.py STRACE_LOG OUT_JSON
"""

import json
import re
import sys

CALL = re.compile(r'(sendto|write|read|recvfrom)\((\d+), "(\{.*\})"')

messages = []
with open(sys.argv[1], encoding='latin1') as log:
    for line in log:
        match = CALL.search(line)
        if not match:
            continue
        text = match.group(3).encode('latin1').decode('unicode_escape')
        try:
            body = json.loads(text)
        except ValueError:
            continue
        if not isinstance(body, dict) or not ('type' in body or 'code' in body):
            continue  # not a protocol message (the package reads JSON files at import)
        direction = 'sent' if match.group(1) in ('sendto', 'write') else 'received'
        messages.append({'direction': direction, 'message': body})

with open(sys.argv[2], 'w', encoding='utf-8') as out:
    json.dump(messages, out, indent=1, sort_keys=True)
