"""Independent check of the crate's Upload API auth tokens with PyJWT.

Tokens minted by `examples/auth_token` (the crate's minter) must verify in PyJWT with the
raw SHA-256 digest of the secret key as the HS256 key, carry exactly the claims asked for,
and fail with the hex digest (the classic bug). PyJWT-minted tokens with the same claims
must be byte-equal to the crate's (same claim order) when the claims are ASCII. Run by tests/interop/run; the path
of the example binary is the first argument. Prints "N passed, M failed".
"""

import hashlib
import subprocess
import sys

import jwt

binary = sys.argv[1]
secret = "interop-secret-\u00e9-key"
raw = hashlib.sha256(secret.encode()).digest()
hexkey = hashlib.sha256(secret.encode()).hexdigest()
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def mint(*args):
    out = subprocess.run([binary, "--secret", secret, *args], capture_output=True, text=True)
    return out.returncode, out.stdout.strip(), out.stderr.strip()


cases = [
    ("unrestricted", ["--issued-at", "1678359840", "--lifetime", "3600"],
     {"exp": 1678363440, "iat": 1678359840}),
    ("scope and operations", ["--issued-at", "1678359840", "--lifetime", "86400", "--scope", "/base/",
                              "--scope", "/multipart/*", "--operations", "10"],
     {"exp": 1678446240, "iat": 1678359840,
      "uc": {"restrictions": {"scope": ["/base/", "/multipart/*"], "limits": {"operations": 10}}}}),
    ("subject and id", ["--issued-at", "1678359840", "--lifetime", "60", "--sub", "us\u00e9r \"42\"",
                        "--jti", "t-1", "--scope", "/*"],
     {"exp": 1678359900, "iat": 1678359840, "sub": "us\u00e9r \"42\"", "jti": "t-1",
      "uc": {"restrictions": {"scope": ["/*"]}}}),
]
for name, args, claims in cases:
    code, token, err = mint(*args)
    check(f"{name}: minted", code == 0 and token, err)
    if code != 0:
        continue
    try:
        decoded = jwt.decode(token, raw, algorithms=["HS256"], options={"verify_exp": False})
        check(f"{name}: verifies with the raw digest", decoded == claims, f"{decoded} != {claims}")
    except jwt.PyJWTError as e:
        check(f"{name}: verifies with the raw digest", False, repr(e))
    try:
        jwt.decode(token, hexkey, algorithms=["HS256"], options={"verify_exp": False})
        check(f"{name}: refused with the hex digest", False, "verified")
    except jwt.InvalidSignatureError:
        check(f"{name}: refused with the hex digest", True)
    header = jwt.get_unverified_header(token)
    check(f"{name}: header", header == {"alg": "HS256", "typ": "JWT"}, str(header))
    # PyJWT escapes non-ASCII (`\u00e9`) where the crate, like the official JS minter,
    # writes UTF-8: both are the same claims; bytes are compared for ASCII claims only.
    if all(ord(c) < 128 for c in str(claims)):
        again = jwt.encode(claims, raw, algorithm="HS256")
        check(f"{name}: PyJWT mints the same bytes", again == token, f"{again} != {token}")

for name, args in [
    ("a bare * scope", ["--scope", "*"]),
    ("too long a lifetime", ["--lifetime", "86401"]),
    ("zero operations", ["--operations", "0"]),
]:
    code, token, err = mint(*args)
    check(f"refused: {name}", code == 2 and not token and "auth token:" in err, err)

# The emulator (started with --signed-uploads) accepts PyJWT's tokens like the service.
import json
import os
import urllib.error
import urllib.request

base = os.environ.get("UC_UPLOAD_BASE")
if base:
    emulator_secret = os.environ["UC_SECRET_KEY"]
    emulator_key = hashlib.sha256(emulator_secret.encode()).digest()

    def post(path, fields, token=None, files=()):
        boundary = "pyjwt-interop-boundary"
        body = b""
        for name, value in fields:
            body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, data in files:
            body += (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}.txt"\r\n'
                     f'Content-Type: text/plain\r\n\r\n').encode() + data + b"\r\n"
        body += f"--{boundary}--\r\n".encode()
        request = urllib.request.Request(f"{base}{path}?jsonerrors=1", data=body, method="POST")
        request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
        if token is not None:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request) as answer:
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def code(answer):
        status, body = answer
        error = body.get("error") if isinstance(body, dict) else None
        return status, (error or {}).get("error_code")

    import time
    now = int(time.time())
    key_field = [("UPLOADCARE_PUB_KEY", os.environ["UC_PUBLIC_KEY"])]
    token = jwt.encode({"exp": now + 600, "iat": now}, emulator_key, algorithm="HS256")
    status, body = post("/base/", key_field, token, [("file", b"minted by PyJWT")])
    check("emulator: a PyJWT token uploads", status == 200 and "file" in body, f"{status} {body}")
    check("emulator: no credential is SignatureRequiredError",
          code(post("/base/", key_field, None, [("file", b"x")])) == (400, "SignatureRequiredError"))
    hex_token = jwt.encode({"exp": now + 600, "iat": now},
                           hashlib.sha256(emulator_secret.encode()).hexdigest(), algorithm="HS256")
    check("emulator: a hex-keyed token is AccessTokenInvalidError",
          code(post("/base/", key_field, hex_token, [("file", b"x")])) == (401, "AccessTokenInvalidError"))
    scoped = jwt.encode({"exp": now + 600, "iat": now, "uc": {"restrictions": {"scope": ["/base/"]}}},
                        emulator_key, algorithm="HS256")
    start = key_field + [("filename", "big.bin"), ("size", "11000000"),
                         ("content_type", "application/octet-stream")]
    check("emulator: a /base/ token is ScopeForbiddenError on /multipart/start/",
          code(post("/multipart/start/", start, scoped)) == (403, "ScopeForbiddenError"))
    expired = jwt.encode({"exp": now - 120, "iat": now - 600}, emulator_key, algorithm="HS256")
    check("emulator: an expired token is AccessTokenExpiredError",
          code(post("/base/", key_field, expired, [("file", b"x")])) == (401, "AccessTokenExpiredError"))
    once = jwt.encode({"exp": now + 600, "iat": now, "uc": {"restrictions": {"limits": {"operations": 1}}}},
                      emulator_key, algorithm="HS256")
    first = post("/base/", key_field, once, [("file", b"one")])
    check("emulator: operations 1 allows one upload", first[0] == 200, str(first))
    check("emulator: ...and refuses the second with OperationsLimitExceededError",
          code(post("/base/", key_field, once, [("file", b"two")])) == (403, "OperationsLimitExceededError"))
    # The crate's own token (from examples/auth_token) works there too.
    out = subprocess.run([binary, "--secret", emulator_secret, "--scope", "/base/"], capture_output=True, text=True)
    status, body = post("/base/", key_field, out.stdout.strip(), [("file", b"minted by the crate")])
    check("emulator: the crate's token uploads", status == 200, f"{status} {body}")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
