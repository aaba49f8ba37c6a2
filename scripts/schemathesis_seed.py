"""Prepares a live kirimin server for schemathesis (see schemathesis.sh).

Waits for /healthz, signs two users in with the exposed sign-in code
(--dev-expose-otp, API.md section 2), gives them a group, a message, a
friend request, pictures, a post and a comment, then writes a
schemathesis.toml whose dictionaries offer those ids for path and body
parameters half of the time (the other half stays random), and prints the
first user's session cookie.

Usage: schemathesis_seed.py BASE_URL CONFIG_PATH
"""

import json
import sys
import time
import urllib.request

BASE, CONFIG = sys.argv[1], sys.argv[2]
PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8"
    "z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def wait_until_up():
    end = time.time() + 30
    while True:
        try:
            urllib.request.urlopen(BASE + "/healthz", timeout=2)
            return
        except Exception:
            if time.time() > end:
                sys.exit("the server did not start")
            time.sleep(0.1)


def request(path, body=None, cookie=None):
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if cookie:
        headers["Cookie"] = cookie
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, headers=headers)
    with urllib.request.urlopen(req, timeout=10) as answer:
        return json.load(answer), answer.headers


def sign_in(email):
    sent, _ = request("/x/auth/sign-in", {"email": email})
    verified, headers = request("/x/auth/verify", {"email": email, "code": sent["data"]["code"]})
    for header in headers.get_all("Set-Cookie") or []:
        if header.startswith("kirimin_session="):
            return header.split(";", 1)[0], verified["data"]["user"]["id"]
    sys.exit("no session cookie after verify")


wait_until_up()
me, my_id = sign_in("schemathesis@example.com")
other, other_id = sign_in("schemathesis-friend@example.com")
group = request("/x/group/create", {"name": "Fuzzed"}, me)[0]["data"]
gid, link = group["roomid"], group["group"]["r"]["link"]
request(f"/x/group/join/{gid}", {"link": link}, other)
mid = request(f"/x/room/sendMessage/group/{gid}", {"text": "hello"}, me)[0]["data"]["chat"]["id"]
request(f"/x/room/sendMessage/group/{gid}", {"text": "hi"}, other)
request("/x/profile/addfriend", {"userid": my_id}, other)
user_img = request("/x/account/set-img", {"name": "a.png", "img": PNG}, me)[0]["data"]["text"]
group_img = request("/x/group/set-img", {"id": gid, "name": "g.png", "img": PNG}, me)[0]["data"]["text"]
post = request("/x/posts/new-post", {"file": PNG, "name": "p.png", "text": "seed"}, me)[0]["data"]
cid = request(f"/x/posts/comment/add/{post['id']}", {"text": "first"}, me)[0]["data"]["id"]
username = request("/x/auth/isUser", cookie=other)[0]["data"]["me"]["username"]
socket_id = request("/x/auth/isUser", cookie=me)[0]["data"]["socket"]["id"]

dictionaries = {
    "groups": [gid, "696969"],
    "users": [other_id, my_id],
    "roomtypes": ["group", "user"],
    "ids": [gid, other_id, "696969", post["id"]],
    "messages": [mid],
    "comments": [cid],
    "files": [user_img, group_img, post["img"]],
    "links": [link],
    "queries": [username, other_id],
    "sockets": [socket_id],
}
bindings = {
    "path.gid": "groups",
    "path.uid": "users",
    "path.roomtype": "roomtypes",
    "path.id": "ids",
    "path.mid": "messages",
    "path.cid": "comments",
    "path.name": "files",
    "path.link": "links",
    "path.query": "queries",
    "query.id": "sockets",
    "body.link": "links",
    "body.id": "groups",
    "body.userid": "users",
}
with open(CONFIG, "w") as out:
    for name, values in dictionaries.items():
        out.write(f"[dictionaries.{name}]\nvalues = {json.dumps(values)}\n\n")
    out.write("[parameters]\n")
    for key, name in bindings.items():
        out.write(f'"{key}" = {{ dictionary = "{name}", probability = 0.5 }}\n')
print(me)
