"""Upload benchmark through pyuploadcare (its own way of doing each job), one JSON line.

    python pyuploadcare_upload.py big FILE      # Uploadcare.upload(file) (multipart)
    python pyuploadcare_upload.py many DIR      # Uploadcare.upload_files, 500 files a call

(`upload_files` sends every file in one `/base/` request; a request carries a bounded number
of form fields — 1000 on the emulator — so the files go 500 at a time.)

UC_UPLOAD_BASE / UC_PUBLIC_KEY say where the (discarding) emulator is; UC_LABEL=x appends
`-x` to the client name (as benches/uploads.rs does).
"""
import json
import os
import resource
import sys
import time

from pyuploadcare import Uploadcare


def main():
    mode, target = sys.argv[1], sys.argv[2]
    base = os.environ["UC_UPLOAD_BASE"].rstrip("/") + "/"
    client = Uploadcare(
        public_key=os.environ["UC_PUBLIC_KEY"], secret_key=None, upload_base=base, signed_uploads=False
    )
    started = time.perf_counter()
    if mode == "big":
        with open(target, "rb") as fh:
            uploaded = client.upload(fh, store=False)
        files, size = 1, os.path.getsize(target)
        assert uploaded.uuid
    else:
        names = sorted(os.listdir(target))
        uploaded = []
        for at in range(0, len(names), 500):
            handles = [open(os.path.join(target, n), "rb") for n in names[at:at + 500]]
            uploaded += client.upload_files(handles, store=False)
            for h in handles:
                h.close()
        files, size = len(uploaded), sum(os.path.getsize(os.path.join(target, n)) for n in names)
        assert files == len(names)
    secs = time.perf_counter() - started
    label = f"-{os.environ['UC_LABEL']}" if os.environ.get("UC_LABEL") else ""
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "bench": "upload", "client": f"pyuploadcare-{mode}{label}", "concurrency": 1, "files": files,
        "bytes": size, "secs": round(secs, 3), "mib_per_s": round(size / 1048576 / secs, 1),
        "files_per_s": round(files / secs, 1), "peak_rss_mib": round(rss_mib, 1),
    }))


if __name__ == "__main__":
    main()
