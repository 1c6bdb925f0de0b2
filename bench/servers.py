"""gunicorn servers with the benchmark's production settings, their workers' memory, and wrk for reference."""
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from data import PYTHON, ROOT, BenchError

HOST = "127.0.0.1"


def gunicorn_options(workers, threads):
    """Production settings: sync workers (gthread when threads > 1), warnings only, no access log."""
    worker_class = "sync" if threads == 1 else "gthread"
    return ["--workers", str(workers), "--threads", str(threads), "--worker-class", worker_class,
            "--timeout", "60", "--log-level", "warning"]


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """A gunicorn server on a free port; samples its workers' resident memory while it runs."""

    def __init__(self, name, app, env, log_folder, workers, threads, pythonpath=None):
        self.name, self.port, self.expected_workers = name, free_port(), workers
        self.log = Path(log_folder) / f"{name}.log"
        command = [PYTHON, "-m", "gunicorn", *gunicorn_options(workers, threads), "--bind", f"{HOST}:{self.port}"]
        if pythonpath:
            command += ["--pythonpath", str(pythonpath)]
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(command + [app], cwd=ROOT, env=env, stdout=log, stderr=log)
        self.url = f"http://{HOST}:{self.port}"
        self.peak_megabytes = 0.0
        self._sampling = threading.Event()

    def wait_until_ready(self, timeout=60):
        """Wait until it answers HTTP and all its workers are up, then start sampling memory."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                urllib.request.urlopen(self.url + "/", timeout=2).close()
            except urllib.error.HTTPError:
                pass  # any HTTP answer means it is serving
            except OSError:
                time.sleep(0.2)
                continue
            if len(self.workers()) == self.expected_workers:
                threading.Thread(target=self._sample, daemon=True).start()
                return
            time.sleep(0.2)
        raise BenchError(f"the {self.name} server did not start:\n{self.log_tail()}")

    def workers(self):
        """Process ids of the master's worker children."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return sorted(children)

    def worker_megabytes(self):
        """Each worker's resident memory (VmRSS) in MB."""
        sizes = []
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            sizes.append(int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1)) / 1024)
        return sizes

    def _sample(self):
        while not self._sampling.wait(0.5):
            self.peak_megabytes = max([self.peak_megabytes, *self.worker_megabytes()])

    def log_tail(self, lines=30):
        """The end of the server's error log."""
        return "\n".join(self.log.read_text().splitlines()[-lines:]) if self.log.exists() else ""

    def stop(self):
        """Stop sampling, stop the server and wait for it."""
        self._sampling.set()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def find_wrk():
    """The wrk load generator (installed with apt-get when missing and running as root), or None."""
    if not shutil.which("wrk") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        if subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, capture_output=True).returncode:
            subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, capture_output=True)
    return shutil.which("wrk")


def to_ms(value):
    """A wrk duration such as 812.00us, 3.41ms or 1.02s, in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk_hello(wrk, url, connections, seconds, warmup):
    """wrk's requests per second, p50 and p99 (ms) on a URL, after a warm-up; None when its output is unreadable."""
    command = [wrk, "-t2", f"-c{connections}", "--latency", "--timeout", "10s"]
    subprocess.run(command + [f"-d{warmup}s", url], capture_output=True)
    output = subprocess.run(command + [f"-d{seconds}s", url], capture_output=True, text=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s*50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s*99%\s+(\S+)", output, re.M)
    if not (rate and p50 and p99):
        return None
    return float(rate.group(1)), to_ms(p50.group(1)), to_ms(p99.group(1)), " ".join(command[1:] + [f"-d{seconds}s"])
